"""Possible duplicates of a person, before a new client record is made.

Candidates come from indexed columns only (sound keys of the names, date of
birth, identifiers, phone digits), within what the access policy lets the
actor see. Each candidate is then scored in Python; a match is shown with the
reasons a person can check ("same date of birth", "nickname (Bill ~ William)").

The score adds up the evidence: names (up to 0.6), date of birth (up to 0.4),
a shared identifier (0.5) and a shared phone (0.15). Shown from 0.75: close names
need a matching or nearly matching date of birth; the same name alone with
another birth date is somebody else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from casework import access
from casework.core.models import User

from .models import Client, ClientIdentifier, ClientPhone, IdentifierKind
from .names import edit_distance_at_most_one, name_variants, nicknames_match, phonetic_key, squash
from .services import normalize_identifier, phone_digits

THRESHOLD = 0.75
MAX_CANDIDATES = 200
MAX_MATCHES = 10
NAME_WEIGHT = 0.6
DOB_EXACT, DOB_SWAPPED, DOB_ONE_DIGIT, DOB_UNKNOWN = 0.4, 0.3, 0.28, 0.25
IDENTIFIER_WEIGHT = 0.5
PHONE_WEIGHT = 0.15


@dataclass
class Match:
    client: Client
    score: float
    reasons: list[str] = field(default_factory=list)


def _similarity(given: str, existing: str, *, nicknames: bool) -> tuple[float, str]:
    """How alike two names are (0 to 1) and, when not identical, why they may be one."""
    a, b = squash(given), squash(existing)
    if not a or not b:
        return 0.0, ""
    if a == b:
        return 1.0, ""
    if nicknames and nicknames_match(a, b):
        return 0.9, _("nickname (%(a)s ~ %(b)s)") % {"a": given, "b": existing}
    if phonetic_key(a) == phonetic_key(b):
        return 0.85, _("name sounds alike (%(a)s ~ %(b)s)") % {"a": given, "b": existing}
    if len(a) >= 4 and edit_distance_at_most_one(a, b):
        return 0.75, _("spelled alike (%(a)s ~ %(b)s)") % {"a": given, "b": existing}
    parts_a, parts_b = set(a.split()), set(b.split())
    if len(min(a, b, key=len)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 0.7, _("part of the name (%(a)s ~ %(b)s)") % {"a": given, "b": existing}
    if parts_a & parts_b:
        return 0.7, ""
    return 0.0, ""


def _first_name_similarity(given: str, client: Client) -> tuple[float, str]:
    best = _similarity(given, client.first_name, nicknames=True)
    if client.preferred_name:
        preferred = _similarity(given, client.preferred_name, nicknames=True)
        if preferred[0] > best[0]:
            best = preferred
    return best


def _name_score(first: str, last: str, client: Client) -> tuple[float, list[str]]:
    first_sim, first_why = _first_name_similarity(first, client)
    last_sim, last_why = _similarity(last, client.last_name, nicknames=False)
    straight = NAME_WEIGHT * (first_sim + last_sim) / 2
    reasons = [r for r in (first_why, last_why) if r]
    if first_sim == 1.0 and last_sim == 1.0:
        reasons.insert(0, _("same name"))
    swapped_first, _why = _similarity(first, client.last_name, nicknames=False)
    swapped_last, _why = _similarity(last, client.first_name, nicknames=True)
    swapped = NAME_WEIGHT * (swapped_first + swapped_last) / 2
    if min(swapped_first, swapped_last) >= 0.75 and swapped > straight:
        return swapped, [_("first and last name swapped")]
    return straight, reasons


def dob_variants(day: date) -> set[date]:
    """Dates a typist may have meant: day and month swapped, or one digit different."""
    variants: set[date] = set()
    if day.day <= 12:
        with contextlib.suppress(ValueError):
            variants.add(day.replace(month=day.day, day=day.month))
    text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
    for position in range(8):
        for digit in "0123456789":
            if digit == text[position]:
                continue
            candidate = text[:position] + digit + text[position + 1 :]
            try:
                variants.add(date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:])))
            except ValueError:
                continue
    variants.discard(day)
    return variants


def _dob_score(given: date | None, existing: date | None) -> tuple[float, str]:
    if given is None or existing is None:
        return DOB_UNKNOWN, ""
    if given == existing:
        return DOB_EXACT, _("same date of birth")
    if given.year == existing.year and (given.month, given.day) == (existing.day, existing.month):
        return DOB_SWAPPED, _("day and month of birth swapped")
    if existing in dob_variants(given):
        return DOB_ONE_DIGIT, _("date of birth differs by one digit")
    return 0.0, ""


def _identifier_label(kind: str) -> str:
    if kind == "ssn":
        return _("same SSN")
    label = IdentifierKind(kind).label if kind in IdentifierKind.values else kind
    return _("same %(identifier)s") % {"identifier": label}


def find_possible_duplicates(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    identifiers: Iterable[tuple[str, str]] = (),
    phone: str = "",
    exclude: Sequence[int] = (),
) -> list[Match]:
    """Clients who may be this person, best first; only among clients the actor may see.

    ``identifiers`` are (kind, value) pairs: a kind of ``IdentifierKind`` or ``"ssn"``
    (four or nine digits; the last four are compared).
    """
    wanted = [(kind, normalize_identifier(value)) for kind, value in identifiers]
    wanted = [(kind, value) for kind, value in wanted if value]
    digits = phone_digits(phone) if phone.strip() else ""
    q = _candidate_filter(first_name, last_name, date_of_birth, wanted, digits)
    visible = access.clients(actor).filter(merged_into__isnull=True).exclude(pk__in=exclude)
    return _score(visible.filter(q), first_name, last_name, date_of_birth, wanted, digits)


class HiddenMatch(StrEnum):
    """A record the user does not see may be this person: who decides."""

    RESTRICTED = "restricted"  # an agency admin
    UNSEEN = "unseen"  # intake or a supervisor: the record is another team's


def hidden_record_may_match(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    date_of_birth: date | None = None,
    identifiers: Iterable[tuple[str, str]] = (),
    phone: str = "",
) -> HiddenMatch | None:
    """Whether a record the actor cannot see may be this person, and of which kind.

    The duplicate check must still stop a second record being made for someone another
    team serves, or a restricted client, without saying anything about them: callers
    show only "a record you cannot see may match; ask …". A restricted one comes first.
    """
    wanted = [(kind, normalize_identifier(value)) for kind, value in identifiers]
    wanted = [(kind, value) for kind, value in wanted if value]
    digits = phone_digits(phone) if phone.strip() else ""
    q = _candidate_filter(first_name, last_name, date_of_birth, wanted, digits)
    everyone = access.duplicate_check_clients(actor).filter(q)
    found = _score(everyone, first_name, last_name, date_of_birth, wanted, digits)
    if not found:
        return None
    ids = [m.client.pk for m in found]
    seen = set(access.clients(actor).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = [m.client for m in found if m.client.pk not in seen]
    if not hidden:
        return None
    if any(client.is_restricted for client in hidden):
        return HiddenMatch.RESTRICTED
    return HiddenMatch.UNSEEN


def _candidate_filter(
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    wanted: list[tuple[str, str]],
    digits: str,
) -> Q:
    first_keys = {phonetic_key(v) for v in name_variants(first_name)} - {""}
    last_keys = {phonetic_key(last_name)} - {""}
    dobs = {date_of_birth, *dob_variants(date_of_birth)} if date_of_birth else set()
    q = Q(pk__in=[])
    if last_keys and first_keys:
        q |= Q(last_key__in=last_keys, first_key__in=first_keys)
        # Swapped: the given first name is on file as the last name, and the other way round.
        q |= Q(last_key__in=first_keys, first_key__in=last_keys)
    if dobs and last_keys:
        q |= Q(last_key__in=last_keys, date_of_birth__in=dobs)
    if dobs and first_keys:
        q |= Q(first_key__in=first_keys, date_of_birth__in=dobs)
    for kind, value in wanted:
        if kind == "ssn":
            q |= Q(ssn_last_four=value[-4:])
        else:
            q |= Q(
                pk__in=ClientIdentifier.objects.filter(kind=kind, normalized=value).values(
                    "client_id"
                )
            )
    if digits:
        q |= Q(pk__in=ClientPhone.objects.filter(digits=digits).values("client_id"))
    return q


def _score(
    clients: QuerySet[Client],
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    wanted: list[tuple[str, str]],
    digits: str,
) -> list[Match]:
    ssn_last_four = next((value[-4:] for kind, value in wanted if kind == "ssn"), "")
    candidates = list(clients.order_by("pk")[:MAX_CANDIDATES])
    if not candidates:
        return []
    ids = [c.pk for c in candidates]
    shared_ids: dict[int, set[str]] = {}
    for kind, value in wanted:
        if kind == "ssn":
            continue
        for client_id in ClientIdentifier.objects.filter(
            client_id__in=ids, kind=kind, normalized=value
        ).values_list("client_id", flat=True):
            shared_ids.setdefault(client_id, set()).add(kind)
    shared_phone = (
        set(
            ClientPhone.objects.filter(client_id__in=ids, digits=digits).values_list(
                "client_id", flat=True
            )
        )
        if digits
        else set()
    )

    matches: list[Match] = []
    for client in candidates:
        name, reasons = _name_score(first_name, last_name, client)
        dob, dob_reason = _dob_score(date_of_birth, client.date_of_birth)
        score = name + dob
        if dob_reason:
            reasons.append(dob_reason)
        kinds = set(shared_ids.get(client.pk, set()))
        if ssn_last_four and client.ssn_last_four == ssn_last_four:
            kinds.add("ssn")
        if kinds:
            score += IDENTIFIER_WEIGHT
            reasons.extend(_identifier_label(kind) for kind in sorted(kinds))
        if client.pk in shared_phone:
            score += PHONE_WEIGHT
            reasons.append(_("same phone"))
        if score >= THRESHOLD:
            matches.append(Match(client=client, score=round(min(score, 1.0), 2), reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.client.pk))
    return matches[:MAX_MATCHES]

"""THE consent decision: may this information go to this party for this purpose on this day?

Every path that sends or shows client information outside the agency (the share
page, the API, a partner agency's "Shared with us") asks ``decide`` and nothing
else. It answers allowed or not, under which consent, and exactly what is missing.

Rules:

* a consent covers a request when it names the same party (``Party.key``), is in
  force that day (effective, not expired, not revoked), names the purpose, and
  names *every* category asked for;
* categories are matched exactly: a sensitive category (substance-use treatment,
  HIV/STI, mental health, domestic violence, criminal justice) is never implied by
  a general one such as "assessments" or "notes" (42 CFR Part 2 style);
* one disclosure goes out under one consent: consents are not added together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from casework.clients.models import Client

from .models import Category, Consent, PartyKind, Purpose


def _normalized(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Party:
    """A receiving party; ``key`` is the matching rule, in this one place.

    A partner agency matches by organization, a person by the client's relationship
    row, a directory provider by its ``resources.Provider`` row; anyone else by name
    and role/organization (case and spacing ignored).
    """

    kind: str
    organization_id: int | None = None
    relationship_id: int | None = None
    provider_id: int | None = None
    name: str = ""
    role: str = ""

    @property
    def key(self) -> str:
        if self.kind == PartyKind.PARTNER_AGENCY:
            return f"org:{self.organization_id}"
        if self.kind == PartyKind.PERSON:
            return f"rel:{self.relationship_id}"
        if self.kind == PartyKind.PROVIDER:
            return f"provider:{self.provider_id}"
        return f"text:{_normalized(self.name)}|{_normalized(self.role)}"[:300]

    @classmethod
    def partner(cls, organization_id: int) -> Party:
        return cls(kind=PartyKind.PARTNER_AGENCY, organization_id=organization_id)

    @classmethod
    def provider(cls, provider_id: int) -> Party:
        return cls(kind=PartyKind.PROVIDER, provider_id=provider_id)

    @classmethod
    def of(cls, row: Consent | object) -> Party:
        """The party a consent or disclosure row names."""
        return cls(
            kind=getattr(row, "party_kind", ""),
            organization_id=getattr(row, "party_organization_id", None),
            relationship_id=getattr(row, "party_relationship_id", None),
            provider_id=getattr(row, "party_provider_id", None),
            name=getattr(row, "party_name", ""),
            role=getattr(row, "party_role", ""),
        )


@dataclass(frozen=True)
class Gap:
    """One reason a consent does not cover the request, in words a case manager can act on."""

    code: str  # no_consent, pending, expired, revoked, purpose, categories
    message: str
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    consent: Consent | None = None
    covered: tuple[str, ...] = ()  # asked-for categories the chosen consent covers
    gaps: tuple[Gap, ...] = field(default_factory=tuple)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(c for g in self.gaps for c in g.categories)

    @property
    def can_share_covered(self) -> bool:
        """Only categories are missing: what the consent does cover may go (minimum necessary)."""
        return bool(self.covered) and all(g.code == "categories" for g in self.gaps)

    @property
    def message(self) -> str:
        return " ".join(g.message for g in self.gaps)


def _labels(categories: Iterable[str]) -> str:
    return ", ".join(str(Category(c).label) for c in Category.values if c in set(categories))


def _gaps(consent: Consent, purpose: str, categories: Sequence[str], on: date) -> list[Gap]:
    gaps: list[Gap] = []
    status = consent.status_on(on)
    if status == "revoked":
        gaps.append(
            Gap("revoked", _("The consent was revoked on %(day)s.") % {"day": consent.revoked_on})
        )
    elif status == "expired":
        gaps.append(
            Gap("expired", _("The consent expired on %(day)s.") % {"day": consent.expires_on})
        )
    elif status == "pending":
        gaps.append(
            Gap(
                "pending",
                _("The consent takes effect only on %(day)s.") % {"day": consent.effective_on},
            )
        )
    if purpose not in consent.purposes:
        gaps.append(
            Gap(
                "purpose",
                _("The consent does not cover the purpose “%(purpose)s”.")
                % {"purpose": Purpose(purpose).label if purpose in Purpose.values else purpose},
            )
        )
    uncovered = tuple(c for c in Category.values if c in categories and c not in consent.categories)
    if uncovered:
        gaps.append(
            Gap(
                "categories",
                _("The consent does not cover: %(categories)s.")
                % {"categories": _labels(uncovered)},
                uncovered,
            )
        )
    return gaps


def decide(
    *,
    client: Client,
    party: Party,
    purpose: str,
    categories: Sequence[str],
    on: date,
    consents: Iterable[Consent] | None = None,
) -> Decision:
    """Allowed or not, under which consent, and what is missing.

    ``consents`` may pass the client's consents already loaded (lists of many
    decisions); otherwise they are read here, one query.
    """
    if consents is None:
        rows = list(
            Consent.objects.filter(
                organization_id=client.organization_id, client=client, party_key=party.key
            ).order_by("-effective_on", "-pk")
        )
    else:
        rows = [c for c in consents if c.client_id == client.pk and c.party_key == party.key]
    if not rows:
        return Decision(
            allowed=False,
            gaps=(
                Gap(
                    "no_consent",
                    _("There is no consent from this client for sharing with this party."),
                    tuple(c for c in Category.values if c in categories),
                ),
            ),
        )
    wanted = [c for c in Category.values if c in categories]
    best: tuple[tuple[int, int, int], Consent, list[Gap]] = ((-1, -1, -1), rows[0], [])
    for consent in rows:
        gaps = _gaps(consent, purpose, wanted, on)
        if not gaps:
            return Decision(allowed=True, consent=consent, covered=tuple(wanted))
        # The closest miss: in force first, then the purpose, then most categories covered.
        rank = (
            int(not any(g.code in ("revoked", "expired", "pending") for g in gaps)),
            int(not any(g.code == "purpose" for g in gaps)),
            sum(1 for c in wanted if c in consent.categories),
        )
        if rank > best[0]:
            best = (rank, consent, gaps)
    consent, gaps = best[1], best[2]
    covered = tuple(c for c in wanted if c in consent.categories)
    return Decision(allowed=False, consent=consent, covered=covered, gaps=tuple(gaps))

"""Synthetic case notes at scale, for benchmarks: built in memory, bulk-inserted.

About one contact every fifteen days a case is open (so long-open cases have more),
some twenty notes per client; mostly signed, a few drafts on open cases, about
one in a hundred corrected by an addendum. Each case's ``last_contact_on`` is set
to the day of its latest signed contact with the client, as ``note_sign`` keeps it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import ModelState
from django.utils import timezone

from casework.clients.models import Case, CaseStatus

from .models import CLIENT_CONTACT_TYPES, ContactType, Note, NoteAddendum, NoteStatus

DAYS_PER_CONTACT = 15
MAX_NOTES_PER_CASE = 200
DRAFT_SHARE = 0.03  # of open cases, whose latest note is still a draft
ADDENDUM_SHARE = 0.01

# (type, weight, participants, location, typical minutes)
_CONTACTS: tuple[tuple[str, int, str, str, int], ...] = (
    (ContactType.FACE_TO_FACE, 30, "Client", "Office", 45),
    (ContactType.PHONE, 30, "Client", "", 15),
    (ContactType.HOME_VISIT, 10, "Client and household", "Client's home", 60),
    (ContactType.TEXT, 8, "Client", "", 2),
    (ContactType.VIDEO, 5, "Client", "Video call", 30),
    (ContactType.EMAIL, 5, "Client", "", 5),
    (ContactType.COLLATERAL, 6, "Landlord", "", 15),
    (ContactType.TEAM_MEETING, 4, "Team", "Team room", 10),
    (ContactType.COURT, 1, "Client, public defender", "County courthouse", 120),
    (ContactType.EMERGENCY, 1, "Client", "", 30),
)
_BODIES = (
    "Client reports the landlord has not fixed the heating yet. Agreed to call together.",
    "Reviewed the housing application; two documents still missing.",
    "Client attended every class this week and wants to keep going.",
    "Talked through the budget; rent is covered this month, food is tight.",
    "Client is sleeping better on the new medication. Next visit in two weeks.",
    "Followed up on the benefits appeal; hearing date set.",
    "Client's sister joined; family meeting went well.",
    "Missed the bus again; arranged a pass through the program fund.",
)
_NEXT = ("Call the housing authority.", "Bring the lease next time.", "Follow up in two weeks.", "")
_ADDENDUM = "Correction: the date of the follow-up is the 14th, not the 4th."


def _pick_table(rng: random.Random, size: int = 200) -> list[tuple[str, int, str, str, int]]:
    """A table to pick contacts from with one randrange each (cheaper than choices)."""
    weights = [c[1] for c in _CONTACTS]
    return rng.choices(_CONTACTS, weights, k=size)


def _note_maker(organization_id: int) -> Callable[..., Note]:
    """Build Note objects from the fields that differ, skipping ``Model.__init__``.

    ``__init__`` (field defaults, signals) costs more than the rest of the generator
    together; every field gets its value from one complete template instead.
    """
    template = Note(organization_id=organization_id, note_format="free_text", barriers="")
    base = {k: v for k, v in template.__dict__.items() if k != "_state"}

    def make(**values: Any) -> Note:
        note = Note.__new__(Note)
        note.__dict__.update(base)
        note.__dict__.update(values)
        note._state = ModelState()
        return note

    return make


def generate(
    *,
    organization_id: int,
    cases: Sequence[Case],
    rng: random.Random,
    today: date,
    now: datetime,
    insert: Callable[..., None],
) -> dict[str, int]:
    """Notes (and a few addenda) for ``cases``, which must already have ids.

    Sets ``last_contact_on`` on the Case objects given; when they are already in the
    database, persist it with ``store_last_contact(cases)``.
    """
    table = _pick_table(rng)
    make = _note_maker(organization_id)
    sections = [{"body": body} for body in _BODIES]
    latest_moment = now - timedelta(minutes=30)
    plain: list[Note] = []
    corrected: list[Note] = []
    for case in cases:
        author = case.case_manager_id
        if author is None or case.status in (CaseStatus.SCREENING, CaseStatus.WAITLISTED):
            continue
        end = case.closed_on or today
        span = (end - case.opened_on).days
        if span < 1:
            continue
        count = min(
            MAX_NOTES_PER_CASE, max(1, round(span / DAYS_PER_CONTACT * rng.uniform(0.5, 1.5)))
        )
        start = datetime.combine(case.opened_on, time(9), tzinfo=UTC)
        offsets = sorted(rng.randrange(span * 16) for _ in range(count))
        draft_last = case.status != CaseStatus.CLOSED and rng.random() < DRAFT_SHARE
        last_contact: datetime | None = None
        for n, offset in enumerate(offsets):
            # Sixteen slots a day between 9:00 and 17:00: every half hour.
            moment = min(
                start + timedelta(days=offset // 16, minutes=30 * (offset % 16)), latest_moment
            )
            kind, _w, participants, location, minutes = table[rng.randrange(len(table))]
            is_draft = draft_last and n == count - 1
            written = moment + timedelta(hours=2)
            note = make(
                case_id=case.pk,
                client_id=case.client_id,
                author_id=author,
                contact_type=kind,
                contact_at=moment,
                duration_minutes=minutes,
                participants=participants,
                location=location,
                sections=sections[rng.randrange(len(sections))],
                next_steps=_NEXT[rng.randrange(len(_NEXT))],
                status=NoteStatus.DRAFT if is_draft else NoteStatus.SIGNED,
                signed_at=None if is_draft else written,
                emergency_alerted_at=moment if kind == ContactType.EMERGENCY else None,
                version=1 if is_draft else 2,
                created_at=moment,
                updated_at=written,
            )
            if not is_draft and kind in CLIENT_CONTACT_TYPES:
                last_contact = moment
            if not is_draft and rng.random() < ADDENDUM_SHARE:
                corrected.append(note)
            else:
                plain.append(note)
        case.last_contact_on = timezone.localdate(last_contact) if last_contact else None
    insert(plain, returning=False)
    insert(corrected, returning=True)
    addenda = [
        NoteAddendum(
            organization_id=organization_id,
            note_id=note.pk,
            case_id=note.case_id,
            author_id=note.author_id,
            text=_ADDENDUM,
            created_at=note.updated_at + timedelta(days=1),
        )
        for note in corrected
    ]
    insert(addenda, returning=False)
    return {"notes": len(plain) + len(corrected), "note_addenda": len(addenda)}


def store_last_contact(cases: Sequence[Case], *, batch_size: int = 5_000) -> None:
    """Write the ``last_contact_on`` that ``generate`` set on cases already inserted.

    One UPDATE per batch on PostgreSQL (row by row it takes a millisecond a case);
    SQLite, in process, is fast enough row by row.
    """
    db = connections[DEFAULT_DB_ALIAS]
    table = db.ops.quote_name(Case._meta.db_table)
    rows: list[tuple[Any, ...]] = [
        (c.pk, c.last_contact_on) for c in cases if c.last_contact_on is not None
    ]
    with db.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            if db.vendor == "postgresql":
                values = ", ".join(["(%s, %s::date)"] * len(batch))
                cursor.execute(
                    f"UPDATE {table} AS c SET last_contact_on = v.day "  # noqa: S608 — our own name
                    f"FROM (VALUES {values}) AS v(id, day) WHERE c.id = v.id",
                    [value for row in batch for value in row],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET last_contact_on = %s WHERE id = %s",  # noqa: S608 — our own name
                    [(day, pk) for pk, day in batch],
                )

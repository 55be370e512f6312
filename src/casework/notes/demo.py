"""Demo notes: a believable history of contacts on the demo agency's cases, written and
signed through the services by each case's own case manager.

Most notes are signed; the well-known demo case manager has a few drafts waiting;
one note has been corrected by an addendum and one records an emergency contact
(which alerts the team's supervisor).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.core.models import Organization, Role, User

from . import services
from .formats import get_format
from .models import ContactType, Note
from .services import NoteFields

DEMO_CASE_MANAGER = "casemanager@"

# (contact type, weight, participants, location, minutes)
CONTACTS: tuple[tuple[str, int, str, str, tuple[int, int]], ...] = (
    (ContactType.FACE_TO_FACE, 8, "Client", "Office", (30, 60)),
    (ContactType.PHONE, 10, "Client", "", (5, 25)),
    (ContactType.HOME_VISIT, 4, "Client and household", "Client's home", (45, 90)),
    (ContactType.TEXT, 4, "Client", "", (0, 5)),
    (ContactType.VIDEO, 2, "Client", "Video call", (20, 45)),
    (ContactType.EMAIL, 2, "Client", "", (0, 10)),
    (ContactType.COLLATERAL, 3, "Landlord", "", (10, 20)),
    (ContactType.TEAM_MEETING, 2, "Team", "Team room", (10, 15)),
    (ContactType.COURT, 1, "Client, public defender", "County courthouse", (60, 180)),
)

SAID = (
    "Client says the new medication is helping her sleep.",
    "Client reports the landlord has not fixed the heating yet.",
    "Client is worried about paying next month's rent after losing shifts.",
    "Client says things with his sister are better since the family meeting.",
    "Client wants to focus on getting a state ID before anything else.",
    "Client is proud of attending every class this week.",
)
SEEN = (
    "Apartment clean and warm; fridge stocked.",
    "Arrived on time, calm and engaged throughout.",
    "Appeared tired; said the night shelter was noisy.",
    "Brought the pay stubs we asked for last time.",
    "Completed the housing application together; two pages left.",
)
THINK = (
    "Progress toward the housing goal is steady; income remains the main risk.",
    "Engagement is good; transportation is still the barrier to appointments.",
    "Needs more support with paperwork than expected.",
    "Stable this month; supports at home are holding.",
)
NEXT = (
    "Call the housing authority about the waitlist position by Friday.",
    "Client to bring the signed lease to the next visit.",
    "Refer to the food pantry on Elm Street; follow up in two weeks.",
    "Book a bus pass through the program fund.",
    "Meet again next Tuesday at the office.",
)
BARRIERS = ("No bus on Sundays.", "Phone out of minutes.", "Childcare fell through.", "")
ADDENDUM = "Correction: the visit was on the Tuesday, not the Monday; times as written."
EMERGENCY = (
    "Client called at night: the partner has returned and she does not feel safe. "
    "Safety plan reviewed; she and the children went to her sister's. Supervisor informed."
)


def _sections(rng: random.Random, note_format: str) -> dict[str, str]:
    text = {
        "body": f"{rng.choice(SAID)} {rng.choice(SEEN)} {rng.choice(THINK)}",
        "subjective": rng.choice(SAID),
        "objective": rng.choice(SEEN),
        "assessment": rng.choice(THINK),
        "plan": rng.choice(NEXT),
        "data": f"{rng.choice(SAID)} {rng.choice(SEEN)}",
        "behavior": rng.choice(SEEN),
        "intervention": "Reviewed the plan goals and worked through the next application step.",
        "response": rng.choice(SAID),
    }
    return {s.id: text[s.id] for s in get_format(note_format).sections}


def _fields(rng: random.Random, note_format: str, when: datetime, contact: str = "") -> NoteFields:
    spec = (
        next((c for c in CONTACTS if c[0] == contact), None)
        or rng.choices(CONTACTS, [c[1] for c in CONTACTS])[0]
    )
    kind, _weight, participants, location, minutes = spec
    return NoteFields(
        contact_type=kind,
        contact_at=when,
        duration_minutes=rng.randint(*minutes),
        participants=participants,
        location=location,
        sections=_sections(rng, note_format),
        barriers=rng.choice(BARRIERS),
        next_steps=rng.choice(NEXT),
    )


def _moment(rng: random.Random, day_offset: int) -> datetime:
    now = timezone.localtime()
    moment = (now - timedelta(days=day_offset)).replace(
        hour=rng.randint(9, 16), minute=rng.choice((0, 15, 30, 45)), second=0, microsecond=0
    )
    return min(moment, now - timedelta(minutes=30))


def _formats(organization: Organization) -> None:
    """Give the programs their formats: a mix, as agencies choose them."""
    staff = User.objects.filter(organization=organization, is_active=True).order_by("pk")
    manager = next(
        (u for u in staff.select_related("staff_profile") if u.has_role(Role.PROGRAM_MANAGER)),
        None,
    )
    if manager is None:
        return
    choices = (["free_text", "soap"], ["dap", "free_text"], ["birp", "soap"], ["free_text"])
    for n, program in enumerate(organization.programs.order_by("pk")):
        formats = choices[n % len(choices)]
        services.note_settings_update(
            actor=manager, program=program, formats=formats, default_format=formats[0]
        )


def seed(*, organization: Organization, seed: int = 1) -> int:
    """Write notes on the agency's active cases; returns how many notes."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    _formats(organization)
    cases = list(
        Case.objects.filter(
            organization=organization,
            status__in=(CaseStatus.ACTIVE, CaseStatus.ON_HOLD),
            case_manager__isnull=False,
        )
        .select_related("case_manager", "program", "client", "team")
        .order_by("pk")
    )
    made = 0
    first_signed: Note | None = None
    emergency_done = False
    drafts_left = 3
    for case in cases:
        author = case.case_manager
        if author is None:
            continue
        in_use, _default = services.formats_for(case.program)
        span = max(1, min(180, (timezone.localdate() - case.opened_on).days))
        count = min(span, rng.randint(2, 7))
        offsets = sorted(rng.sample(range(0, span), count), reverse=True)
        for offset in offsets:
            note_format = rng.choice(in_use)
            note = services.note_create(
                actor=author,
                case=case,
                note_format=note_format,
                fields=_fields(rng, note_format, _moment(rng, offset)),
            )
            note = services.note_sign(actor=author, note=note, expected_version=note.version)
            made += 1
            first_signed = first_signed or note
        is_demo = author.email.startswith(DEMO_CASE_MANAGER)
        if is_demo and not emergency_done:
            note_format = in_use[0]
            fields = _fields(rng, note_format, _moment(rng, 2), ContactType.PHONE)
            fields.contact_type = ContactType.EMERGENCY
            fields.sections = {get_format(note_format).sections[0].id: EMERGENCY}
            note = services.note_create(
                actor=author, case=case, note_format=note_format, fields=fields
            )
            services.note_sign(actor=author, note=note, expected_version=note.version)
            emergency_done = True
            made += 1
        elif is_demo and drafts_left:
            note_format = in_use[0]
            services.note_create(
                actor=author,
                case=case,
                note_format=note_format,
                fields=_fields(rng, note_format, _moment(rng, 0)),
            )
            drafts_left -= 1
            made += 1
    if first_signed is not None:
        services.note_addendum_add(actor=first_signed.author, note=first_signed, text=ADDENDUM)
    return made

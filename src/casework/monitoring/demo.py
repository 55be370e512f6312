"""Demo tasks, appointments, flags and alerts, made through the services.

The well-known demo case manager gets a believable week: appointments today and in
the days around it, tasks overdue, due today and later, some done. Other case managers
get a few tasks each. A few cases are flagged. The sweep then raises the alerts a real
morning would show. No calendar feed is made: its address is a secret for its owner.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.core.models import Organization, User

from . import services, sweep
from .models import AppointmentKind, AppointmentStatus

TASKS = (
    "Call the landlord about the repairs",
    "Send the benefits renewal form",
    "Follow up on the food bank referral",
    "Book an interpreter for the next visit",
    "Check the housing application status",
    "Ask the clinic for the discharge summary",
    "Help fill in the SNAP recertification",
    "Confirm the bus pass was mailed",
)

APPOINTMENTS = (
    (AppointmentKind.HOME_VISIT, "Home visit: check on the new apartment"),
    (AppointmentKind.CLIENT_MEETING, "Office meeting: go through the plan"),
    (AppointmentKind.PHONE, "Phone check-in"),
    (AppointmentKind.PROVIDER_MEETING, "Meet the clinic's social worker"),
    (AppointmentKind.COURT, "Court date: accompany to the hearing"),
    (AppointmentKind.VIDEO, "Video call with the client and her sister"),
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _busy_week(rng: random.Random, actor: User, cases: list[Case], today: date) -> int:
    made = 0
    if not cases:
        return 0
    for offset, due in ((-6, True), (-2, True), (0, True), (0, True), (2, True), (5, False)):
        case = rng.choice(cases)
        services.task_create(
            actor=actor,
            case=case,
            title=rng.choice(TASKS),
            assignee=actor,
            due_on=today + timedelta(days=offset) if due else None,
            remind_on=today + timedelta(days=offset - 1) if offset > 0 else None,
        )
        made += 1
    for _ in range(3):
        task = services.task_create(
            actor=actor,
            case=rng.choice(cases),
            title=rng.choice(TASKS),
            assignee=actor,
            due_on=today - timedelta(days=rng.randint(3, 20)),
        )
        services.task_complete(actor=actor, task=task)
        made += 1
    services.task_create(
        actor=actor, title="Finish the mileage log for the month", assignee=actor, due_on=today
    )
    made += 1
    slots = [(-3, 10), (-1, 14), (0, 9), (0, 11), (0, 15), (1, 10), (3, 13), (6, 9)]
    for offset, hour in slots:
        kind, title = rng.choice(APPOINTMENTS)
        start = _at(today + timedelta(days=offset), hour, rng.choice((0, 30)))
        appointment = services.appointment_create(
            actor=actor,
            case=rng.choice(cases),
            kind=kind,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(minutes=rng.choice((30, 45, 60))),
            location="" if kind in (AppointmentKind.PHONE, AppointmentKind.VIDEO) else "Office",
        )
        if offset < 0:
            services.appointment_set_status(
                actor=actor,
                appointment=appointment,
                status=rng.choice((AppointmentStatus.ATTENDED, AppointmentStatus.MISSED)),
            )
        made += 1
    team_day = _at(today + timedelta(days=2), 9)
    services.appointment_create(
        actor=actor,
        kind=AppointmentKind.TEAM_MEETING,
        title="Weekly team meeting",
        starts_at=team_day,
        ends_at=team_day + timedelta(hours=1),
        location="Conference room",
    )
    return made + 1


def seed(*, organization: Organization, seed: int = 1) -> int:
    """Tasks, appointments, flags and alerts for the agency; returns how many rows."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(
            organization=organization, status=CaseStatus.ACTIVE, case_manager__isnull=False
        )
        .select_related("case_manager", "client", "program", "team")
        .order_by("pk")
    )
    by_manager: dict[int, list[Case]] = {}
    for case in cases:
        by_manager.setdefault(case.case_manager_id or 0, []).append(case)
    made = 0
    for manager_cases in by_manager.values():
        actor = manager_cases[0].case_manager
        if actor is None:
            continue
        if actor.email.startswith("casemanager@"):
            made += _busy_week(rng, actor, manager_cases, today)
            continue
        for case in rng.sample(manager_cases, min(2, len(manager_cases))):
            services.task_create(
                actor=actor,
                case=case,
                title=rng.choice(TASKS),
                assignee=actor,
                due_on=today + timedelta(days=rng.randint(-4, 10)),
            )
            made += 1
    for case in rng.sample(cases, min(len(cases), max(1, len(cases) // 8))):
        services.case_set_flags(
            actor=case.case_manager,  # type: ignore[arg-type]  # filtered above
            case=case,
            expected_version=None,
            legal_involvement=rng.random() < 0.4,
            cps_involvement=rng.random() < 0.3,
            aps_involvement=rng.random() < 0.15,
            high_risk=rng.random() < 0.3,
        )
    # The demo case manager's caseload shows each kind of flag at least once.
    mine = next((c for m in by_manager.values() for c in m[:1] if _is_demo_manager(c)), None)
    if mine is not None:
        own = by_manager[mine.case_manager_id or 0]
        for case, flags in zip(
            own[1:4],
            (
                {"high_risk": True, "legal_involvement": True},
                {"cps_involvement": True},
                {"aps_involvement": True},
            ),
            strict=False,
        ):
            services.case_set_flags(
                actor=case.case_manager,  # type: ignore[arg-type]  # filtered above
                case=case,
                expected_version=None,
                legal_involvement=flags.get("legal_involvement", False),
                cps_involvement=flags.get("cps_involvement", False),
                aps_involvement=flags.get("aps_involvement", False),
                high_risk=flags.get("high_risk", False),
            )
    made += sum(sweep.run(today=today, organization_id=organization.pk).values())
    return made


def _is_demo_manager(case: Case) -> bool:
    return case.case_manager is not None and case.case_manager.email.startswith("casemanager@")

"""Tasks, appointments and alerts at scale, for ``casework generate`` (built in memory).

Per active case with a case manager: a couple of tasks (some done, some overdue), an
appointment or two around ``today``; a few flags; and the alerts the sweep would raise
for the cases without recent contact. Rows go to ``insert`` in lists, no query per row.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from casework.clients.models import Case, CaseStatus

from .models import (
    Alert,
    AlertKind,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Task,
    TaskStatus,
)

TITLES = (
    "Call the landlord",
    "Send the renewal form",
    "Follow up on the referral",
    "Book an interpreter",
    "Check the application status",
)
KINDS = (
    AppointmentKind.HOME_VISIT,
    AppointmentKind.CLIENT_MEETING,
    AppointmentKind.PHONE,
    AppointmentKind.VIDEO,
)
NO_CONTACT_DAYS = 30
FLAG_SHARES = {
    "high_risk": 0.05,
    "legal_involvement": 0.08,
    "cps_involvement": 0.04,
    "aps_involvement": 0.02,
}
CHUNK = 5000

Insert = Callable[..., None]


def generate(
    *,
    organization_id: int,
    cases: Sequence[Case],
    rng: random.Random,
    today: date,
    now: datetime,
    insert: Insert,
) -> dict[str, int]:
    tasks: list[Task] = []
    appointments: list[Appointment] = []
    alerts: list[Alert] = []
    flagged = 0
    for case in cases:
        manager = case.case_manager_id
        if case.status != CaseStatus.ACTIVE or manager is None:
            continue
        for _ in range(rng.choice((0, 1, 2, 2, 3))):
            due = today + timedelta(days=rng.randint(-20, 30))
            done = due < today and rng.random() < 0.7
            tasks.append(
                Task(
                    organization_id=organization_id,
                    case_id=case.pk,
                    title=rng.choice(TITLES),
                    due_on=due,
                    assignee_id=manager,
                    created_by_id=manager,
                    status=TaskStatus.DONE if done else TaskStatus.OPEN,
                    completed_at=now - timedelta(days=rng.randint(0, 5)) if done else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2))):
            start = now + timedelta(days=rng.randint(-14, 21), hours=rng.randint(-3, 3))
            past = start < now
            appointments.append(
                Appointment(
                    organization_id=organization_id,
                    case_id=case.pk,
                    organizer_id=manager,
                    kind=rng.choice(KINDS),
                    title="Meeting",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    status=(
                        rng.choice((AppointmentStatus.ATTENDED, AppointmentStatus.MISSED))
                        if past
                        else AppointmentStatus.SCHEDULED
                    ),
                    created_at=now,
                    updated_at=now,
                )
            )
        since = case.last_contact_on or case.opened_on
        if since < today - timedelta(days=NO_CONTACT_DAYS):
            alerts.append(
                Alert(
                    organization_id=organization_id,
                    recipient_id=manager,
                    case_id=case.pk,
                    kind=AlertKind.NO_CONTACT,
                    key=f"no_contact:case:{case.pk}:{since.isoformat()}",
                    message=f"No contact recorded on case {case.reference} since {since}.",
                    link=f"/cases/{case.pk}/",
                    created_at=now,
                )
            )
    insert(tasks)
    insert(appointments)
    insert(alerts)
    for flag, share in FLAG_SHARES.items():
        ids = [case.pk for case in cases if rng.random() < share]
        for first in range(0, len(ids), CHUNK):
            Case.objects.filter(pk__in=ids[first : first + CHUNK]).update(**{flag: True})
        flagged += len(ids)
    return {
        "tasks": len(tasks),
        "appointments": len(appointments),
        "alerts": len(alerts),
        "case_flags": flagged,
    }

"""Every change to tasks, appointments, calendar feeds and alerts goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core import audit
from casework.core.errors import PermissionDenied
from casework.core.models import User
from casework.core.services import check_version

from .queries import appointment_allows, task_allows

if TYPE_CHECKING:
    from casework.plans.models import Goal

from .models import (
    Alert,
    Appointment,
    AppointmentAttendee,
    AppointmentKind,
    AppointmentStatus,
    CalendarFeed,
    Task,
    TaskStatus,
)

# --- alerts ---------------------------------------------------------------------------------


def alert_dismiss(*, actor: User, alert: Alert) -> Alert:
    """The recipient says they have seen to it."""
    if alert.recipient_id != actor.pk:
        raise PermissionDenied(_("Only the person an alert is for can dismiss it."))
    if alert.dismissed_at is not None:
        return alert
    with transaction.atomic():
        alert.dismissed_at = timezone.now()
        alert.save(update_fields=["dismissed_at"])
        audit.record(
            action="alert.dismiss",
            actor=actor,
            organization=alert.organization_id,
            target=alert,
            client_id=alert.case.client_id if alert.case_id and alert.case else None,
            changes={"kind": alert.kind},
        )
    return alert


def _client_id(case: Case | None) -> int | None:
    return case.client_id if case is not None else None


def _require_case_work(actor: User, case: Case | None) -> None:
    """Work about a case is added by whoever may document it, and only while it is open."""
    if case is None:
        return
    access.require(
        access.case_allows(actor, case, Action.CHANGE),
        _("You may view this case but not add work to it."),
    )
    if not case.is_open:
        raise ValidationError({"case": _("This case is closed: it takes no new work.")})


# --- tasks ----------------------------------------------------------------------------------


def _check_task(
    *,
    actor: User,
    case: Case | None,
    title: str,
    assignee: User,
    due_on: date | None,
    remind_on: date | None,
    goal: Goal | None,
) -> None:
    errors: dict[str, str] = {}
    if goal is not None and (case is None or goal.case_id != case.pk):
        errors["goal"] = _("Choose a goal of this case's plan.")
    if not title.strip():
        errors["title"] = _("Say what has to be done.")
    if not access.can_be_assigned_work(assignee, case, access.organization_id(actor)):
        errors["assignee"] = _("Choose an active member of your agency who may see the case.")
    if due_on is not None and remind_on is not None and remind_on > due_on:
        errors["remind_on"] = _("The reminder must come on or before the due date.")
    if errors:
        raise ValidationError(errors)


def task_create(
    *,
    actor: User,
    title: str,
    assignee: User,
    case: Case | None = None,
    details: str = "",
    due_on: date | None = None,
    remind_on: date | None = None,
    goal: Goal | None = None,
) -> Task:
    """A task for ``assignee`` (oneself or a colleague), about a case (and a goal) or not."""
    access.require(access.organization_id(actor) > 0 and actor.is_active)
    _require_case_work(actor, case)
    _check_task(
        actor=actor,
        case=case,
        title=title,
        assignee=assignee,
        due_on=due_on,
        remind_on=remind_on,
        goal=goal,
    )
    with transaction.atomic():
        task = Task.objects.create(
            organization_id=access.organization_id(actor),
            case=case,
            goal=goal,
            title=title.strip(),
            details=details.strip(),
            due_on=due_on,
            remind_on=remind_on,
            assignee=assignee,
            created_by=actor,
        )
        audit.record(
            action="task.create",
            actor=actor,
            target=task,
            client_id=_client_id(case),
            changes={"case_id": case.pk if case else None, "assignee_id": assignee.pk},
        )
    return task


def _locked_task(actor: User, task: Task, expected_version: int | None) -> Task:
    locked = Task.objects.select_for_update(of=("self",)).select_related("case").get(pk=task.pk)
    access.require(task_allows(actor, locked, Action.CHANGE), _("You may not change this task."))
    check_version(locked, expected_version, _("task"))
    return locked


def task_update(
    *,
    actor: User,
    task: Task,
    expected_version: int | None,
    title: str,
    assignee: User,
    details: str = "",
    due_on: date | None = None,
    remind_on: date | None = None,
    goal: Goal | None = None,
) -> Task:
    """Change what a task asks, of whom, by when. A stale copy is refused (409)."""
    _check_task(
        actor=actor,
        case=task.case,
        title=title,
        assignee=assignee,
        due_on=due_on,
        remind_on=remind_on,
        goal=goal,
    )
    with transaction.atomic():
        locked = _locked_task(actor, task, expected_version)
        values: dict[str, Any] = {
            "title": title.strip(),
            "details": details.strip(),
            "due_on": due_on,
            "remind_on": remind_on,
            "assignee_id": assignee.pk,
            "goal_id": goal.pk if goal is not None else None,
        }
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if changed:
            for name in changed:
                setattr(locked, name, values[name])
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "version", "updated_at"])
            audit.record(
                action="task.update",
                actor=actor,
                target=locked,
                client_id=_client_id(locked.case),
                changes={"fields": sorted(changed)},
            )
    return locked


def _task_set_status(
    *, actor: User, task: Task, status: TaskStatus, expected_version: int | None, action: str
) -> Task:
    with transaction.atomic():
        locked = _locked_task(actor, task, expected_version)
        if locked.status == status:
            return locked
        if status != TaskStatus.OPEN and locked.status != TaskStatus.OPEN:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Reopen the task first: it is no longer open.")}
            )
        previous = locked.status
        locked.status = status
        locked.completed_at = timezone.now() if status == TaskStatus.DONE else None
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "completed_at", "version", "updated_at"])
        audit.record(
            action=action,
            actor=actor,
            target=locked,
            client_id=_client_id(locked.case),
            changes={"status": [previous, status]},
        )
    return locked


def task_complete(*, actor: User, task: Task, expected_version: int | None = None) -> Task:
    return _task_set_status(
        actor=actor,
        task=task,
        status=TaskStatus.DONE,
        expected_version=expected_version,
        action="task.complete",
    )


def task_reopen(*, actor: User, task: Task, expected_version: int | None = None) -> Task:
    return _task_set_status(
        actor=actor,
        task=task,
        status=TaskStatus.OPEN,
        expected_version=expected_version,
        action="task.reopen",
    )


def task_cancel(*, actor: User, task: Task, expected_version: int | None = None) -> Task:
    return _task_set_status(
        actor=actor,
        task=task,
        status=TaskStatus.CANCELLED,
        expected_version=expected_version,
        action="task.cancel",
    )


# --- appointments ---------------------------------------------------------------------------


def _check_appointment(
    *,
    actor: User,
    case: Case | None,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    attendees: list[User],
) -> None:
    errors: dict[str, str] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = _("Choose a kind from the list.")
    if not title.strip():
        errors["title"] = _("Give the appointment a title.")
    if ends_at < starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    org = access.organization_id(actor)
    if any(not access.can_be_assigned_work(u, case, org) for u in attendees):
        errors["attendees"] = _(
            "Attendees must be active members of your agency who may see the case."
        )
    if errors:
        raise ValidationError(errors)


def _set_attendees(appointment: Appointment, attendees: list[User]) -> bool:
    wanted = {u.pk for u in attendees if u.pk != appointment.organizer_id}
    current = set(appointment.attendee_rows.values_list("user_id", flat=True))
    if wanted == current:
        return False
    appointment.attendee_rows.filter(user_id__in=current - wanted).delete()
    AppointmentAttendee.objects.bulk_create(
        AppointmentAttendee(
            organization_id=appointment.organization_id, appointment=appointment, user_id=pk
        )
        for pk in sorted(wanted - current)
    )
    return True


def appointment_create(
    *,
    actor: User,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    case: Case | None = None,
    location: str = "",
    attendees: Iterable[User] = (),
) -> Appointment:
    """An appointment the actor organizes, with the client or others, about a case or not."""
    access.require(access.organization_id(actor) > 0 and actor.is_active)
    _require_case_work(actor, case)
    people = list(attendees)
    _check_appointment(
        actor=actor,
        case=case,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=people,
    )
    with transaction.atomic():
        appointment = Appointment.objects.create(
            organization_id=access.organization_id(actor),
            case=case,
            organizer=actor,
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            location=location.strip(),
        )
        _set_attendees(appointment, people)
        audit.record(
            action="appointment.create",
            actor=actor,
            target=appointment,
            client_id=_client_id(case),
            changes={
                "case_id": case.pk if case else None,
                "kind": kind,
                "attendee_ids": sorted(u.pk for u in people),
            },
        )
    return appointment


def _locked_appointment(
    actor: User, appointment: Appointment, expected_version: int | None
) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=appointment.pk)
    )
    access.require(
        appointment_allows(actor, locked, Action.CHANGE),
        _("Only the organizer or the case's team may change this appointment."),
    )
    check_version(locked, expected_version, _("appointment"))
    return locked


def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    expected_version: int | None,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    attendees: Iterable[User] = (),
) -> Appointment:
    people = list(attendees)
    _check_appointment(
        actor=actor,
        case=appointment.case,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=people,
    )
    with transaction.atomic():
        locked = _locked_appointment(actor, appointment, expected_version)
        values: dict[str, Any] = {
            "kind": kind,
            "title": title.strip(),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "location": location.strip(),
        }
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, values[name])
        if _set_attendees(locked, people):
            changed.append("attendees")
        if changed:
            locked.version += 1
            locked.updated_at = timezone.now()
            fields = [n for n in changed if n != "attendees"]
            locked.save(update_fields=[*fields, "version", "updated_at"])
            audit.record(
                action="appointment.update",
                actor=actor,
                target=locked,
                client_id=_client_id(locked.case),
                changes={"fields": sorted(changed)},
            )
    return locked


def appointment_set_status(
    *,
    actor: User,
    appointment: Appointment,
    status: str,
    expected_version: int | None = None,
) -> Appointment:
    """Record that it took place, was missed or was called off (or schedule it again)."""
    if status not in AppointmentStatus.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    with transaction.atomic():
        locked = _locked_appointment(actor, appointment, expected_version)
        if locked.status == status:
            return locked
        previous = locked.status
        locked.status = status
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "version", "updated_at"])
        audit.record(
            action="appointment.status",
            actor=actor,
            target=locked,
            client_id=_client_id(locked.case),
            changes={"status": [previous, status]},
        )
    return locked


# --- calendar feeds -------------------------------------------------------------------------


def calendar_feed_create(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new secret calendar address for the actor; any earlier one stops working.

    Returns the feed and its secret, which is not kept and cannot be shown again.
    """
    access.require(access.organization_id(actor) > 0 and actor.is_active)
    secret = CalendarFeed.new_secret()
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        feed = CalendarFeed.objects.create(
            organization_id=access.organization_id(actor),
            user=actor,
            token_hash=CalendarFeed.hash(secret),
        )
        audit.record(
            action="calendar_feed.create", actor=actor, target=feed, changes={"revoked": revoked}
        )
    return feed, secret


def calendar_feed_revoke(*, actor: User) -> int:
    """Stop the actor's calendar address; calendars using it get nothing more."""
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit.record(
                action="calendar_feed.revoke",
                actor=actor,
                object_type="monitoring.calendarfeed",
                changes={"revoked": revoked},
            )
    return revoked


# --- case flags -----------------------------------------------------------------------------

CASE_FLAGS = ("legal_involvement", "cps_involvement", "aps_involvement", "high_risk")


def case_set_flags(
    *,
    actor: User,
    case: Case,
    expected_version: int | None,
    legal_involvement: bool,
    cps_involvement: bool,
    aps_involvement: bool,
    high_risk: bool,
) -> Case:
    """Mark (or clear) legal, CPS or APS involvement and high risk on a case."""
    access.require(
        access.can_set_case_flags(actor, case), _("You may view this case but not change it.")
    )
    wanted = {
        "legal_involvement": legal_involvement,
        "cps_involvement": cps_involvement,
        "aps_involvement": aps_involvement,
        "high_risk": high_risk,
    }
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(locked, expected_version, _("case"))
        changed = {n: [getattr(locked, n), v] for n, v in wanted.items() if getattr(locked, n) != v}
        if changed:
            for name, (_old, new) in changed.items():
                setattr(locked, name, new)
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "version", "updated_at"])
            audit.record(
                action="case.flags",
                actor=actor,
                target=locked,
                client_id=locked.client_id,
                changes=changed,
            )
    for name in (*CASE_FLAGS, "version", "updated_at"):
        setattr(case, name, getattr(locked, name))
    return case

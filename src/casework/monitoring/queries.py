"""Reads of tasks, appointments and alerts, already filtered by the access policy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import NotFound
from casework.core.models import User

from .models import (
    Alert,
    Appointment,
    AppointmentAttendee,
    AppointmentStatus,
    CalendarFeed,
    Task,
    TaskStatus,
)

DUE_SOON_DAYS = 7


def tasks(user: User) -> QuerySet[Task]:
    return _tasks_base(user).select_related("case", "assignee", "goal")


def my_tasks(user: User, show: str = "open", today: date | None = None) -> QuerySet[Task]:
    """Tasks assigned to the user: ``open``, ``due`` (this week), ``overdue``, ``done``."""
    today = today or timezone.localdate()
    qs = tasks(user).filter(assignee=user)
    if show == "due":
        qs = qs.filter(
            status=TaskStatus.OPEN,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
    elif show == "overdue":
        qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=today)
    elif show == "done":
        return qs.filter(status=TaskStatus.DONE).order_by("-completed_at", "-pk")
    elif show == "cancelled":
        return qs.filter(status=TaskStatus.CANCELLED).order_by("-updated_at", "-pk")
    else:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("due_on", "pk")


def get_task(user: User, pk: int) -> Task:
    task = tasks(user).select_related("created_by").filter(pk=pk).first()
    if task is None:
        raise NotFound("No such task.")
    return task


def case_tasks(user: User, case: Case) -> QuerySet[Task]:
    return tasks(user).filter(case=case, status=TaskStatus.OPEN).order_by("due_on", "pk")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def appointments(user: User) -> QuerySet[Appointment]:
    return _appointments_base(user).select_related("case", "organizer")


def attending(user: User) -> QuerySet[Appointment]:
    """Appointments the user organizes or attends (not every one of their teams')."""
    return own_appointments(user).select_related("case", "organizer")


def my_upcoming(user: User, now: datetime | None = None) -> QuerySet[Appointment]:
    now = now or timezone.now()
    return (
        attending(user)
        .filter(ends_at__gte=now)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def my_day(user: User, day: date | None = None) -> QuerySet[Appointment]:
    day = day or timezone.localdate()
    return (
        attending(user)
        .filter(starts_at__gte=_start_of(day), starts_at__lt=_start_of(day + timedelta(days=1)))
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def get_appointment(user: User, pk: int) -> Appointment:
    appointment = appointments(user).filter(pk=pk).first()
    if appointment is None:
        raise NotFound("No such appointment.")
    return appointment


def case_appointments(user: User, case: Case, now: datetime | None = None) -> QuerySet[Appointment]:
    now = now or timezone.now()
    return (
        appointments(user)
        .filter(case=case, ends_at__gte=now)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def alerts(user: User, *, include_dismissed: bool = False) -> QuerySet[Alert]:
    qs = _alerts_base(user).select_related("case")
    if not include_dismissed:
        qs = qs.filter(dismissed_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def get_alert(user: User, pk: int) -> Alert:
    alert = _alerts_base(user).select_related("case").filter(pk=pk).first()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def active_calendar_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_by_secret(secret: str) -> CalendarFeed | None:
    """The active feed with this secret, if its owner may still use Casework."""
    if not secret or len(secret) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(
            token_hash=CalendarFeed.hash(secret),
            revoked_at__isnull=True,
            user__is_active=True,
            user__organization_id=F("organization_id"),
        )
        .first()
    )


def _tasks_base(user: User) -> QuerySet[Task]:
    if not access.is_staff_member(user):
        return Task.objects.none()
    q = Q(assignee=user) | Q(created_by=user)
    q |= Q(case__in=access.cases(user))
    return Task.objects.filter(q, organization_id=access.organization_id(user))


def task_allows(user: User, task: Task, action: Action = Action.VIEW) -> bool:
    if not access.is_staff_member(user) or task.organization_id != user.organization_id:
        return False
    if user.pk in (task.assignee_id, task.created_by_id):
        return True
    return task.case is not None and access.case_allows(user, task.case, action)


def _appointments_base(user: User) -> QuerySet[Appointment]:
    if not access.is_staff_member(user):
        return Appointment.objects.none()
    attending = AppointmentAttendee.objects.filter(appointment=OuterRef("pk"), user=user)
    q = Q(organizer=user) | Q(Exists(attending))
    q |= Q(case__in=access.cases(user))
    return Appointment.objects.filter(q, organization_id=access.organization_id(user))


def own_appointments(user: User) -> QuerySet[Appointment]:
    """Appointments the user organizes or attends: always theirs to see.

    A subset of ``appointments(user)`` without its "or on a visible case" branch, which
    keeps a person's own calendar to two index lookups at any number of appointments.
    """
    if not access.is_staff_member(user):
        return Appointment.objects.none()
    # A union of two index lookups, not an OR, which would make the planner scan them all.
    organized = Appointment.objects.filter(organizer=user).order_by().values("pk")
    attended = AppointmentAttendee.objects.filter(user=user).order_by().values("appointment_id")
    return Appointment.objects.filter(
        pk__in=organized.union(attended), organization_id=access.organization_id(user)
    )


def appointment_allows(user: User, appointment: Appointment, action: Action = Action.VIEW) -> bool:
    """Organizers change their appointments; attendees see them; the case team both."""
    if not access.is_staff_member(user) or appointment.organization_id != user.organization_id:
        return False
    if appointment.organizer_id == user.pk:
        return True
    if appointment.case is not None and access.case_allows(user, appointment.case, action):
        return True
    return action == Action.VIEW and appointment.attendee_rows.filter(user=user).exists()


def _alerts_base(user: User) -> QuerySet[Alert]:
    """One's own alerts only: they are addressed to a person."""
    if not access.is_staff_member(user):
        return Alert.objects.none()
    return Alert.objects.filter(recipient=user, organization_id=access.organization_id(user))

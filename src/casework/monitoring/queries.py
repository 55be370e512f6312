"""Reads of tasks, appointments and alerts, already filtered by the access policy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone

from casework import access
from casework.clients.models import Case
from casework.core.errors import NotFound
from casework.core.models import User

from .models import (
    Alert,
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    Task,
    TaskStatus,
)

DUE_SOON_DAYS = 7


def tasks(user: User) -> QuerySet[Task]:
    return access.tasks(user).select_related("case", "assignee", "goal")


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
    return access.appointments(user).select_related("case", "organizer")


def attending(user: User) -> QuerySet[Appointment]:
    """Appointments the user organizes or attends (not every one of their teams')."""
    return access.own_appointments(user).select_related("case", "organizer")


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
    qs = access.alerts(user).select_related("case")
    if not include_dismissed:
        qs = qs.filter(dismissed_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def get_alert(user: User, pk: int) -> Alert:
    alert = access.alerts(user).select_related("case").filter(pk=pk).first()
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

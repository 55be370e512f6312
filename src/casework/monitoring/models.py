"""Tasks, appointments, calendar feeds and alerts: what keeps a case from being forgotten."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case
from casework.core.models import Organization


class AlertKind(models.TextChoices):
    NO_CONTACT = "no_contact", _("No recent contact")
    REVIEW_DUE = "review_due", _("Plan review due")
    OBJECTIVE_OVERDUE = "objective_overdue", _("Objective past its target date")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    EMERGENCY_NOTE = "emergency_note", _("Emergency contact")
    PLAN_SUBMITTED = "plan_submitted", _("Plan waiting for approval")
    PLAN_RETURNED = "plan_returned", _("Plan returned for revision")
    TASK_REMINDER = "task_reminder", _("Task reminder")
    BREAK_GLASS = "break_glass", _("Emergency access to a record")
    REFERRAL_ANSWER = "referral_answer", _("Provider answered a referral")


class Alert(models.Model):
    """Something a member of staff should look at, raised by a service or the sweep.

    ``key`` says what the alert is about (e.g. ``no_contact:case:42:2026-11-30``): raising
    the same key for the same person twice gives one alert, so the sweep can run as
    often as it likes. The message names the case, never anything about the client.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    key = models.CharField(max_length=200)
    message = models.CharField(_("message"), max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="alert_key_unique"),
        ]
        indexes = [
            models.Index(fields=["recipient", "dismissed_at", "created_at"]),
            models.Index(fields=["organization", "case"]),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.dismissed_at is None


# --- tasks ----------------------------------------------------------------------------------


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """Something a member of staff has to do, by a date; about a case (and a goal) or not."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="tasks", null=True, blank=True
    )
    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.SET_NULL,
        related_name="tasks",
        null=True,
        blank=True,
        verbose_name=_("goal"),
    )
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    remind_on = models.DateField(_("remind me on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["organization", "assignee", "status", "due_on"]),
            models.Index(fields=["organization", "status", "due_on"]),
            models.Index(fields=["organization", "status", "remind_on"]),
            models.Index(fields=["case", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


# --- appointments ---------------------------------------------------------------------------


class AppointmentKind(models.TextChoices):
    CLIENT_MEETING = "client_meeting", _("Meeting with the client")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    PROVIDER_MEETING = "provider_meeting", _("Meeting with a provider")
    TEAM_MEETING = "team_meeting", _("Team meeting")
    CASE_CONFERENCE = "case_conference", _("Case conference")
    COURT = "court", _("Court hearing")
    OTHER = "other", _("Other")


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class Appointment(models.Model):
    """A meeting with the client or with others, about a case or not."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="appointments", null=True, blank=True
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organized_appointments",
        verbose_name=_("organizer"),
    )
    attendees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="AppointmentAttendee",
        related_name="appointments",
        blank=True,
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=AppointmentKind.choices, default=AppointmentKind.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.SCHEDULED,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "organizer", "starts_at"]),
            models.Index(fields=["case", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class AppointmentAttendee(models.Model):
    """A member of staff taking part in an appointment (besides its organizer)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="attendee_rows"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "user"], name="appointment_attendee"),
        ]
        indexes = [models.Index(fields=["user", "appointment"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.appointment_id}"


# --- calendar feeds -------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """A secret address serving one person's appointments and task due dates (iCalendar).

    Only a SHA-256 of the secret is kept: it is shown once, when created. Creating a
    new one revokes the old, so a lost phone is dealt with by making a new address.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

"""Tasks, appointments, calendar feeds and alerts: what keeps a case from being forgotten."""

from __future__ import annotations

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

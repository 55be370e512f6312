"""Referrals: from a plan goal to a service in the directory, until the loop is closed.

A referral names the service (and so its provider), the reason, and the information
it carries: only categories the client's consent covers (``consent.policy.decide``),
recorded as a ``consent.Disclosure`` when it is sent. Each change of status is a
``ReferralEvent`` with its date, who, how (staff, partner agency, secure link, phone)
and a note. A provider without a Casework account answers through a
``ReferralLink``: a secret, expiring link to that one referral.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case, Client
from casework.core.models import Organization


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITLISTED = "waitlisted", _("Waitlisted")
    APPOINTMENT = "appointment", _("First appointment scheduled")
    STARTED = "started", _("Service started")
    COMPLETED = "completed", _("Service completed")
    NOT_COMPLETED = "not_completed", _("Not completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


#: Which status may follow which. Closing is the case manager's, after an outcome or a decline.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ReferralStatus.DRAFT: (ReferralStatus.SENT, ReferralStatus.CANCELLED),
    ReferralStatus.SENT: (
        ReferralStatus.RECEIVED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WAITLISTED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.RECEIVED: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WAITLISTED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.WAITLISTED: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.APPOINTMENT,
        ReferralStatus.STARTED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.APPOINTMENT: (
        ReferralStatus.APPOINTMENT,
        ReferralStatus.STARTED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.CANCELLED,
    ),
    ReferralStatus.STARTED: (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED),
    ReferralStatus.COMPLETED: (ReferralStatus.CLOSED,),
    ReferralStatus.NOT_COMPLETED: (ReferralStatus.CLOSED,),
    ReferralStatus.DECLINED: (ReferralStatus.CLOSED,),
    ReferralStatus.CLOSED: (),
    ReferralStatus.CANCELLED: (),
}

#: Statuses the receiving side (partner agency or secure link) may set.
PROVIDER_STATUSES = (
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.WAITLISTED,
    ReferralStatus.APPOINTMENT,
    ReferralStatus.STARTED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NOT_COMPLETED,
)

#: The loop is open: the referral went out and nobody has closed it.
OPEN_STATUSES = tuple(
    s
    for s in ReferralStatus.values
    if s not in (ReferralStatus.DRAFT, ReferralStatus.CLOSED, ReferralStatus.CANCELLED)
)


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Within a week")
    URGENT = "urgent", _("Urgent")


class OutcomeKind(models.TextChoices):
    COMPLETED = "completed", _("Service completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class EventVia(models.TextChoices):
    STAFF = "staff", _("Recorded by our staff")
    PHONE = "phone", _("Phone call with the provider")
    PARTNER = "partner", _("Partner agency in Casework")
    LINK = "link", _("Provider's secure link")


class Referral(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    goal = models.ForeignKey(
        "plans.Goal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("plan goal"),
    )
    #: ``Goal.key``: the goal across plan versions (revising a plan copies goals as new rows).
    goal_key = models.UUIDField(null=True, blank=True)
    action_step = models.ForeignKey(
        "plans.ActionStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("action step"),
    )
    step_key = models.UUIDField(null=True, blank=True)
    service = models.ForeignKey(
        "resources.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    provider = models.ForeignKey(
        "resources.Provider", on_delete=models.PROTECT, related_name="referrals"
    )
    location = models.ForeignKey(
        "resources.ServiceAtLocation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("where"),
    )
    #: The partner agency that receives it inside Casework (the provider's partner organization).
    recipient_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason for the referral"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    # The four questions before any referral, as the case manager answered them:
    eligibility_note = models.TextField(_("why the client is eligible"), blank=True)
    in_house_note = models.TextField(_("why not in-house"), blank=True)
    self_help_note = models.TextField(
        _("what the client and family will do themselves"), blank=True
    )
    #: The match reasons at the time of the referral: [{"fits": bool, "text": str}].
    match_reasons = models.JSONField(default=list)
    categories = models.JSONField(_("information it carries"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    consent = models.ForeignKey(
        "consent.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disclosure = models.ForeignKey(
        "consent.Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answer_due_on = models.DateField(_("answer expected by"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    waitlisted_on = models.DateField(_("waitlisted on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    started_on = models.DateField(_("service started"), null=True, blank=True)
    ended_on = models.DateField(_("service ended"), null=True, blank=True)
    #: "completed" or "not_completed" once the service ended; kept after the referral is closed.
    outcome_kind = models.CharField(
        _("outcome"), max_length=20, choices=OutcomeKind.choices, blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: The open follow-up task this referral gave its case manager (replaced at each step).
    follow_up_task = models.ForeignKey(
        "monitoring.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "case", "created_at"]),
            models.Index(fields=["organization", "status", "answer_due_on"]),
            models.Index(fields=["organization", "provider", "status"]),
            models.Index(fields=["recipient_organization", "status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES.get(self.status, ())

    @property
    def link_email(self) -> str:
        """Where the provider's secure link goes by email: the service's own address, else
        the provider's; "" when neither is known or the provider uses Casework (a partner
        agency reads its referrals in "Referrals to us")."""
        if self.recipient_organization_id is not None:
            return ""
        return (self.service.email or self.provider.email).strip()


class ReferralEvent(models.Model):
    """One step of a referral's life: what, on which day, who, how, and a note."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    happened_on = models.DateField(_("date"))
    via = models.CharField(_("how"), max_length=10, choices=EventVia.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: For a secure-link answer: the name the provider's staff member gave.
    actor_name = models.CharField(_("name"), max_length=200, blank=True)
    #: What the person recording it wrote. A staff member's note is case documentation
    #: (``consent`` category "notes"); the receiving side's own words are theirs.
    note = models.TextField(_("note"), blank=True)
    #: The plan's action step this answer marked done, as it was worded: plan content,
    #: kept apart from the note so that the receiving side sees it only under a consent
    #: that covers the service plan.
    step_done = models.TextField(_("action step marked done"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["referral", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status}"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def token_hash(token: str) -> str:
    """What is stored of a secure link's secret, and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


class ReferralLink(models.Model):
    """A secret link to one referral for a provider without a Casework account.

    Only a hash of the secret is stored; the link works until ``expires_at``, until it
    is revoked, or until the referral is closed.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Link for referral {self.referral_id}"

    def token(self) -> str:
        """The link's secret, derived from the server's secret key and this row.

        Derived, not stored: only its hash is kept (``token_hash``), and the background
        worker that emails the link derives it again from the link's id, so the secret is
        never written to the task queue either. The lookup stays by hash: changing the
        secret key does not break links already sent.
        """
        made = (self.created_at - EPOCH) // timedelta(microseconds=1)
        digest = salted_hmac(
            "casework.referrals.ReferralLink.token",
            f"{self.pk}:{self.referral_id}:{made}",
            algorithm="sha256",
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return (
            self.revoked_at is None
            and self.expires_at > moment
            and self.referral.status not in (ReferralStatus.CLOSED, ReferralStatus.CANCELLED)
        )

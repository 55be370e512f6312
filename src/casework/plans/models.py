"""Service plans: goals tied to assessed needs, measurable objectives, action steps,
the supervisor's approval, the client's part in it, approved versions and reviews."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case
from casework.core.models import Organization


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


#: A plan still being written: only one per case at a time.
OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.RETURNED)
#: A plan whose content the case manager may change.
EDITABLE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class ClientAgreement(models.TextChoices):
    AGREES = "agrees", _("Agrees")
    PARTLY = "partly", _("Partly agrees")
    DISAGREES = "disagrees", _("Disagrees")


class Acknowledgement(models.TextChoices):
    SIGNED_PAPER = "signed_paper", _("Signed on paper")
    SIGNED_SCREEN = "signed_screen", _("Signed on screen")
    VERBAL = "verbal", _("Agreed verbally")


class ServicePlan(models.Model):
    """One version of a case's service plan. Only an approved version is active."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    number = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="revisions",
        null=True,
        blank=True,
        help_text=_("The approved version this one revises."),
    )
    strengths = models.TextField(
        _("strengths"), blank=True, help_text=_("What the client is good at and can build on.")
    )
    supports = models.TextField(
        _("supports"),
        blank=True,
        help_text=_("People, groups and services the client can count on."),
    )
    # The client's part in the plan.
    reviewed_with_client_on = models.DateField(
        _("reviewed with the client on"), null=True, blank=True
    )
    client_agreement = models.CharField(
        _("the client's agreement"), max_length=20, choices=ClientAgreement.choices, blank=True
    )
    client_comments = models.TextField(
        _("what the client said"), blank=True, help_text=_("In the client's own words.")
    )
    acknowledgement = models.CharField(
        _("signature or acknowledgement"),
        max_length=20,
        choices=Acknowledgement.choices,
        blank=True,
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    signature_name = models.CharField(
        _("signed on screen as"),
        max_length=200,
        blank=True,
        help_text=_("The name the client typed to sign on screen."),
    )
    # The fingerprint of the content the client agreed to (plans.snapshot.content_digest):
    # agreement belongs to a version, and a change after it asks for it again.
    agreed_content = models.CharField(max_length=64, blank=True, editable=False)
    # Workflow.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    return_comment = models.TextField(_("supervisor's comments"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_number_unique"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="approved"), name="plan_one_active"
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="plan_one_open",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.case} plan v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATUSES

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.APPROVED


class PlanEventKind(models.TextChoices):
    CREATED = "created", _("Started")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


class PlanEvent(models.Model):
    """A step of the plan's workflow, with the supervisor's comments when returned."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=20, choices=PlanEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.kind}"


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    CHANGED = "changed", _("Changed")
    DROPPED = "dropped", _("Dropped")


#: Progress that needs no more work.
FINISHED_PROGRESS = (Progress.ACHIEVED, Progress.DROPPED)


class PlanItem(models.Model):
    """What goals, objectives and steps share: a stable key across plan versions
    (so versions can be compared), an order and a version for concurrent edits."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


class Goal(PlanItem):
    """What the client wants to achieve, in their words, tied to an assessed need."""

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="goals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(
        "assessments.IdentifiedNeed",
        on_delete=models.SET_NULL,
        related_name="goals",
        null=True,
        blank=True,
        verbose_name=_("assessed need"),
    )
    domain = models.CharField(_("life domain"), max_length=60, blank=True)
    domain_label = models.CharField(_("life domain"), max_length=200, blank=True)
    client_words = models.TextField(
        _("the goal in the client's words"),
        help_text=_("Write it the way the client said it."),
    )
    summary = models.TextField(
        _("professional summary"),
        blank=True,
        help_text=_("The goal in professional terms, for the team."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    strengths_used = models.TextField(
        _("strengths and supports used"),
        blank=True,
        help_text=_("Which of the client's strengths and supports help with this goal."),
    )
    status = models.CharField(
        _("progress"), max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )

    class Meta:
        ordering = ["plan", "priority", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="goal_key_unique")]
        indexes = [models.Index(fields=["organization", "case"])]

    def __str__(self) -> str:
        return self.client_words[:60]


class Objective(PlanItem):
    """A measurable step toward a goal, with a target date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    description = models.TextField(_("objective"))
    measure = models.CharField(
        _("how we will know"),
        max_length=300,
        blank=True,
        help_text=_("What will be counted or seen when it is done."),
    )
    target_date = models.DateField(_("target date"))
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    status = models.CharField(
        _("progress"), max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )

    class Meta:
        ordering = ["goal", "position", "target_date", "id"]
        constraints = [models.UniqueConstraint(fields=["goal", "key"], name="objective_key_unique")]
        indexes = [
            models.Index(
                fields=["target_date"],
                condition=Q(achieved_on__isnull=True),
                name="objective_open_target",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]


class StepOwner(models.TextChoices):
    CLIENT = "client", _("The client")
    FAMILY = "family", _("A family member")
    CASE_MANAGER = "case_manager", _("The case manager")
    COLLEAGUE = "colleague", _("A colleague")
    PROVIDER = "provider", _("A provider")


class ActionStep(PlanItem):
    """Who does what, by when, toward a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    description = models.TextField(_("action step"))
    owner_kind = models.CharField(
        _("who does it"), max_length=20, choices=StepOwner.choices, default=StepOwner.CLIENT
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("colleague"),
    )
    owner_name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("The family member's name or the provider."),
    )
    due_date = models.DateField(_("by when"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["goal", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["goal", "key"], name="step_key_unique")]

    def __str__(self) -> str:
        return self.description[:60]


class PlanVersion(models.Model):
    """A frozen copy of an approved plan: what was agreed, as it was agreed."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    plan = models.OneToOneField(ServicePlan, on_delete=models.PROTECT, related_name="snapshot")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(default=dict)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} plan v{self.number} (approved)"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan as it is")
    REVISE = "revise", _("Revise the plan")


class PlanReview(models.Model):
    """A periodic review of an approved plan: each goal rated."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(ServicePlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ReviewOutcome.choices, default=ReviewOutcome.CONTINUE
    )
    next_review_on = models.DateField(_("next review"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["plan", "-reviewed_on", "-id"]
        indexes = [models.Index(fields=["organization", "case", "reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.plan} review on {self.reviewed_on}"


class Attainment(models.IntegerChoices):
    MUCH_LESS = -2, _("−2 much less than expected")
    LESS = -1, _("−1 less than expected")
    EXPECTED = 0, _("0 as expected")
    MORE = 1, _("+1 more than expected")
    MUCH_MORE = 2, _("+2 much more than expected")


class GoalRating(models.Model):
    """How one goal stood at a review."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ratings")
    attainment = models.SmallIntegerField(_("goal attainment"), choices=Attainment.choices)
    status = models.CharField(_("progress"), max_length=20, choices=Progress.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="goal_rating_unique"),
            models.CheckConstraint(
                condition=Q(attainment__gte=-2, attainment__lte=2), name="goal_attainment_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.attainment}"

"""Applications and incoming referrals: the intake side of a case in screening.

An application is received into a case in status ``screening`` from the first
contact; the ``Application`` row holds what intake learns and decides about it.
"""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case, Client
from casework.core.models import ExpertiseArea, Organization, Program


class ApplicationSource(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    AGENCY = "agency", _("Referral from another agency")
    WEB_FORM = "web_form", _("Self-referral web form")
    OTHER = "other", _("Other")


class LifeDomain(models.TextChoices):
    HOUSING = "housing", _("Housing")
    INCOME = "income", _("Income")
    FOOD = "food", _("Food")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    LEGAL = "legal", _("Legal")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    TRANSPORTATION = "transportation", _("Transportation")
    CHILDCARE = "childcare", _("Childcare")
    SAFETY = "safety", _("Safety")
    FAMILY_SUPPORT = "family_support", _("Family and social support")
    LANGUAGE = "language", _("Language and literacy")


# Which staff expertise helps with which presenting need (for case-manager suggestions).
DOMAIN_EXPERTISE: dict[str, tuple[str, ...]] = {
    LifeDomain.HOUSING: (ExpertiseArea.HOUSING,),
    LifeDomain.INCOME: (ExpertiseArea.BENEFITS,),
    LifeDomain.FOOD: (ExpertiseArea.BENEFITS,),
    LifeDomain.PHYSICAL_HEALTH: (ExpertiseArea.DISABILITY, ExpertiseArea.OLDER_ADULTS),
    LifeDomain.MENTAL_HEALTH: (ExpertiseArea.MENTAL_HEALTH,),
    LifeDomain.SUBSTANCE_USE: (ExpertiseArea.SUBSTANCE_USE,),
    LifeDomain.LEGAL: (ExpertiseArea.COURTS, ExpertiseArea.IMMIGRATION),
    LifeDomain.EDUCATION: (ExpertiseArea.CHILDREN,),
    LifeDomain.EMPLOYMENT: (ExpertiseArea.EMPLOYMENT,),
    LifeDomain.TRANSPORTATION: (),
    LifeDomain.CHILDCARE: (ExpertiseArea.CHILDREN,),
    LifeDomain.SAFETY: (ExpertiseArea.DOMESTIC_VIOLENCE,),
    LifeDomain.FAMILY_SUPPORT: (ExpertiseArea.CHILDREN, ExpertiseArea.RESPITE),
    LifeDomain.LANGUAGE: (ExpertiseArea.IMMIGRATION,),
}


class ApplicationStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


UNDECIDED = (ApplicationStatus.SCREENING, ApplicationStatus.WAITLISTED)


class Priority(models.IntegerChoices):
    URGENT = 1, _("1 – Urgent")
    HIGH = 2, _("2 – High")
    STANDARD = 3, _("3 – Standard")
    ROUTINE = 4, _("4 – Routine")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for this program")
    BETTER_SERVED = "better_served", _("Better served by another service")
    NO_CONTACT = "no_contact", _("Could not reach the applicant")
    WITHDREW = "withdrew", _("The applicant withdrew")
    NO_CAPACITY = "no_capacity", _("No capacity in the foreseeable future")
    OTHER = "other", _("Other (see notes)")


def _position() -> Any:
    """1 + how many waitlisted applications of the same program are ahead in line.

    A count per row rather than a window function, so that filtering the list (by
    priority, or to one application) does not renumber the line.
    """
    same = Q(priority=OuterRef("priority"))
    ahead = (
        Application.objects.filter(
            program_id=OuterRef("program_id"), status=ApplicationStatus.WAITLISTED
        )
        .filter(
            Q(priority__lt=OuterRef("priority"))
            | (same & Q(waitlisted_at__lt=OuterRef("waitlisted_at")))
            | (same & Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk")))
        )
        .order_by()
        .values("program_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0) + 1


class ApplicationQuerySet(models.QuerySet["Application"]):
    """Applications; ``with_positions()`` gives each fetched row its place in line.

    The place is counted for the rows fetched only (a page), in one more query, once
    they are fetched: as an annotation of the whole list, SQLite would count it for
    every waitlisted row before sorting and slicing (2.7 s at 100,000 clients).
    """

    _with_positions = False

    def with_positions(self) -> Self:
        clone = self.all()
        clone._with_positions = True
        return clone

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._with_positions = self._with_positions
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        rows = self._result_cache
        if not (fresh and self._with_positions and rows):
            return
        if not isinstance(rows[0], Application):
            return  # values() or values_list(): no place to put it
        ids = [row.pk for row in rows if row.status == ApplicationStatus.WAITLISTED]
        places = dict(
            Application.objects.filter(pk__in=ids)
            .annotate(place=_position())
            .values_list("pk", "place")
        )
        for row in rows:
            row.position = places.get(row.pk)  # type: ignore[attr-defined]


class Application(models.Model):
    """What intake knows and decided about one application (its case starts in screening)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="application")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="applications")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    source = models.CharField(_("how it came in"), max_length=20, choices=ApplicationSource)
    referring_agency = models.CharField(_("referring agency"), max_length=200, blank=True)
    referring_person = models.CharField(_("referring person"), max_length=200, blank=True)
    referring_contact = models.CharField(_("referrer's phone or email"), max_length=200, blank=True)
    received_on = models.DateField(_("received"), default=timezone.localdate)
    presenting_needs = models.JSONField(_("presenting needs"), default=list, blank=True)
    applicant_words = models.TextField(_("in the applicant's own words"), blank=True)
    screening_answers = models.JSONField(_("screening answers"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus,
        default=ApplicationStatus.SCREENING,
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.STANDARD
    )
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason, blank=True
    )
    referral_elsewhere = models.TextField(_("suggested referral elsewhere"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            # the line of one program: counting who is ahead reads a range of this
            models.Index(
                fields=["program", "status", "priority", "waitlisted_at"],
                name="application_program_line",
            ),
            models.Index(fields=["organization", "status", "received_on"]),
            models.Index(fields=["organization", "status", "priority", "waitlisted_at"]),
            models.Index(fields=["organization", "status", "decided_at"]),
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.get_status_display()})"

    @property
    def is_undecided(self) -> bool:
        return self.status in UNDECIDED

    def need_labels(self) -> list[str]:
        return [str(LifeDomain(n).label) for n in self.presenting_needs if n in LifeDomain.values]


class Decision(models.TextChoices):
    WAITLIST = "waitlist", _("Waitlisted")
    ACCEPT = "accept", _("Accepted")
    DECLINE = "decline", _("Declined")


class IntakeDecision(models.Model):
    """One decision of the intake team, kept as history (re-prioritising adds a row)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, null=True, blank=True
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=20, choices=DeclineReason, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    referral_elsewhere = models.TextField(_("suggested referral elsewhere"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["application", "decided_at"]),
            models.Index(fields=["organization", "decided_by", "decided_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} at {self.decided_at:%Y-%m-%d}"


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Proof of identity")
    INCOME = "income", _("Proof of income")
    RESIDENCE = "residence", _("Proof of residence")
    REFERRAL = "referral", _("Referral letter")
    CLINICAL = "clinical", _("Diagnosis or clinical report")
    RELEASE = "release", _("Release papers")
    OTHER = "other", _("Other")


def document_path(instance: ApplicationDocument, filename: str) -> str:
    """A random name: the uploader's file name (often a person's name) never reaches the disk."""
    return f"intake/{instance.organization_id}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    """A file attached to an application, downloaded only through an access-checked view."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type of document"), max_length=20, choices=DocumentKind)
    file = models.FileField(upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"

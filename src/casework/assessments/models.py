"""Assessment instruments (versioned data), assessments of a case, reports by other
professionals, and the needs an assessment identified."""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case, Client
from casework.core.models import Organization

from . import definitions


class InstrumentPurpose(models.TextChoices):
    INTAKE = "intake", _("Comprehensive intake")
    NEEDS = "needs", _("Needs across life domains")
    SCREENING = "screening", _("Screening")
    OTHER = "other", _("Other")


class Instrument(models.Model):
    """An assessment form. Shipped by Casework (no organization) or an agency's own."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for the instruments that come with Casework."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=InstrumentPurpose.choices,
        default=InstrumentPurpose.OTHER,
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="adaptations",
        null=True,
        blank=True,
        help_text=_("The Casework instrument this agency's version replaces."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="instrument_code_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(organization__isnull=True),
                name="shipped_instrument_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shipped(self) -> bool:
        return self.organization_id is None


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class InstrumentVersion(models.Model):
    """One version of an instrument's questions. Published versions never change."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    definition = models.JSONField(_("definition"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=models.Q(status="draft"),
                name="instrument_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    def questions(self) -> dict[str, dict[str, Any]]:
        return definitions.questions_by_id(self.definition)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
    SIGNED = "signed", _("Signed")


DONE_STATUSES = (AssessmentStatus.COMPLETED, AssessmentStatus.SIGNED)


class Assessment(models.Model):
    """One assessment of a case's client, answered under one instrument version."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_made"
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "case", "assessed_on"]),
            models.Index(fields=["organization", "client", "assessed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} on {self.assessed_on}"

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class ExternalKind(models.TextChoices):
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    VOCATIONAL = "vocational", _("Vocational evaluator")
    PHYSICIAN = "physician", _("Physician")
    OTHER = "other", _("Other professional")


def report_path(instance: ExternalAssessment, filename: str) -> str:
    """A path nobody can guess, with nothing of the original name but its extension."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"assessment-reports/{secrets.token_urlsafe(32)}{suffix}"


class ExternalAssessment(models.Model):
    """An assessment by another professional, with their report attached."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="external_assessments")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="external_assessments"
    )
    kind = models.CharField(_("kind of professional"), max_length=20, choices=ExternalKind.choices)
    professional_name = models.CharField(_("professional's name"), max_length=200)
    professional_organization = models.CharField(
        _("their organization"), max_length=200, blank=True
    )
    assessed_on = models.DateField(_("date of the assessment"))
    findings = models.TextField(_("findings"))
    client_summary = models.TextField(
        _("summary for the client"),
        blank=True,
        help_text=_("The findings in plain words, as you would explain them to the client."),
    )
    report = models.FileField(_("report"), upload_to=report_path, blank=True, max_length=200)
    report_name = models.CharField(max_length=200, blank=True)
    report_content_type = models.CharField(max_length=100, blank=True)
    report_size = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["organization", "case", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} assessment on {self.assessed_on}"


class IdentifiedNeed(models.Model):
    """A life domain a completed assessment scored low: a starting point for the plan."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identified_needs")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="identified_needs"
    )
    domain = models.CharField(_("domain"), max_length=60)
    domain_label = models.CharField(_("domain"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2)
    note = models.TextField(_("client's note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["score", "domain_label"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "domain"], name="identified_need_unique"),
        ]
        indexes = [models.Index(fields=["organization", "case", "created_at"])]

    def __str__(self) -> str:
        """E.g. "Employment: Vulnerable (2)": the level in words, the score without padding."""
        shown = f"{self.score.normalize():f}"
        level = self.level
        return (
            f"{self.domain_label}: {level} ({shown})" if level else f"{self.domain_label} ({shown})"
        )

    @property
    def level(self) -> str:
        """The need in the instrument's words (its scale label or band), e.g. "Vulnerable"."""
        definition = self.assessment.instrument_version.definition
        return definitions.score_level(definition, self.domain, float(self.score))

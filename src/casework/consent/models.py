"""Consent records and disclosures: what a client agreed may go to whom, and what went.

A consent names one receiving party. Parties are of four kinds, and each is stored
so that later issues (the resource directory, the professional network) can link
them without changing what is already recorded:

* a partner agency that uses Casework: a core ``Organization`` of kind "partner";
* a family member or other significant person: a ``clients.Relationship`` of the client;
* a provider in the agency's resource directory: a ``resources.Provider``;
* another organization or professional: a name and a role/organization text.

``party_key`` is the one value consents and requests are matched on; it is computed
by ``policy.Party.key`` and nowhere else.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Client, Relationship
from casework.core.models import Organization


class Purpose(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    CARE_COORDINATION = "care_coordination", _("Care coordination")
    COURT_REPORT = "court_report", _("Court report")
    BENEFITS_APPLICATION = "benefits_application", _("Benefits application")
    HOUSING_APPLICATION = "housing_application", _("Housing application")
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    IDENTITY_CONTACT = "identity_contact", _("Identity and contact details")
    ASSESSMENTS = "assessments", _("Assessments")
    PLAN = "plan", _("Service plan")
    NOTES = "notes", _("Case notes")
    SUBSTANCE_USE = "substance_use", _("Substance-use treatment")
    HIV_STI = "hiv_sti", _("HIV and sexually transmitted infections")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    CRIMINAL_JUSTICE = "criminal_justice", _("Criminal justice")


#: Never implied by a general category: each must be named in the consent itself.
SENSITIVE_CATEGORIES = frozenset(
    {
        Category.SUBSTANCE_USE,
        Category.HIV_STI,
        Category.MENTAL_HEALTH,
        Category.DOMESTIC_VIOLENCE,
        Category.CRIMINAL_JUSTICE,
    }
)


class PartyKind(models.TextChoices):
    PARTNER_AGENCY = "partner_agency", _("Partner agency using Casework")
    PERSON = "person", _("Family member or other significant person")
    PROVIDER = "provider", _("Provider in our resource directory")
    OTHER = "other", _("Other organization or professional")


class SignatureMethod(models.TextChoices):
    PAPER = "paper", _("Signed on paper (scan attached)")
    ON_SCREEN = "on_screen", _("Signed on screen")


def document_path(instance: Consent, filename: str) -> str:
    """A name nobody can guess, keeping nothing of the original but its extension."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"consent/{instance.organization_id}/{secrets.token_urlsafe(32)}{suffix}"


class PartyFields(models.Model):
    """Who receives the information: one of the four kinds (see the module docstring)."""

    party_kind = models.CharField(_("receiving party"), max_length=20, choices=PartyKind.choices)
    party_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner agency"),
    )
    party_relationship = models.ForeignKey(
        Relationship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    party_provider = models.ForeignKey(
        "resources.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    party_name = models.CharField(_("name"), max_length=200, blank=True)
    party_role = models.CharField(_("role or organization"), max_length=200, blank=True)
    party_key = models.CharField(max_length=300, editable=False)

    class Meta:
        abstract = True

    @property
    def party_label(self) -> str:
        if self.party_kind == PartyKind.PARTNER_AGENCY and self.party_organization is not None:
            return self.party_organization.name
        if self.party_kind == PartyKind.PERSON and self.party_relationship is not None:
            rel = self.party_relationship
            return f"{rel.name} ({rel.get_relationship_type_display()})"
        if self.party_kind == PartyKind.PROVIDER and self.party_provider is not None:
            return self.party_provider.name
        return f"{self.party_name}, {self.party_role}" if self.party_role else self.party_name


class Consent(PartyFields):
    """A client's written consent to share named kinds of information with one party."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    purposes = models.JSONField(_("purposes"), default=list)
    purpose_other = models.CharField(_("other purpose"), max_length=200, blank=True)
    categories = models.JSONField(_("information it covers"), default=list)
    effective_on = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"))
    signature_method = models.CharField(
        _("how it was given"), max_length=20, choices=SignatureMethod.choices
    )
    document = models.FileField(upload_to=document_path, max_length=200, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    document_size = models.PositiveIntegerField(null=True, blank=True)
    signed_name = models.CharField(_("name typed by the client"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"))
    witness_name = models.CharField(_("witnessed by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-effective_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "client", "party_key"]),
            models.Index(fields=["organization", "party_organization"]),
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk}"

    def status_on(self, day: date) -> str:
        """ "active", "revoked", "expired" or "pending" (not yet effective) on ``day``."""
        if self.revoked_on is not None and self.revoked_on <= day:
            return "revoked"
        if self.expires_on < day:
            return "expired"
        if self.effective_on > day:
            return "pending"
        return "active"

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def purpose_labels(self) -> list[str]:
        labels = [str(Purpose(p).label) for p in self.purposes if p != Purpose.OTHER]
        if Purpose.OTHER in self.purposes:
            labels.append(self.purpose_other or str(Purpose.OTHER.label))
        return labels

    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in Category.values if c in self.categories]


class Disclosure(PartyFields):
    """Information that went out under a consent: the record stays, whatever happens later.

    ``packet`` is the plain-words content as it was shared (only the categories in
    ``categories``), so the record shows exactly what was shared under which consent.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    categories = models.JSONField(_("information shared"), default=list)
    packet = models.JSONField(default=list, editable=False)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "client", "disclosed_at"]),
            models.Index(fields=["party_organization", "disclosed_at"]),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"

    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in Category.values if c in self.categories]

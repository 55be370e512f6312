"""Clients and their cases (episodes of service in one program)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.models import Organization, Program, Team

from .names import phonetic_key, words


class DataQuality(models.IntegerChoices):
    """HMIS data quality of a name, date of birth or SSN."""

    FULL = 1, _("Full, reported")
    PARTIAL = 2, _("Approximate or partial")
    DOES_NOT_KNOW = 8, _("Client doesn't know")
    PREFERS_NOT = 9, _("Client prefers not to answer")
    NOT_COLLECTED = 99, _("Data not collected")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    NOT_COLLECTED = "", _("Not recorded")


class Gender(models.IntegerChoices):
    """HMIS FY2024 gender codes (more than one may apply)."""

    WOMAN = 0, _("Woman (girl, if child)")
    MAN = 1, _("Man (boy, if child)")
    CULTURALLY_SPECIFIC = 2, _("Culturally specific identity (e.g. Two-Spirit)")
    TRANSGENDER = 5, _("Transgender")
    NON_BINARY = 4, _("Non-binary")
    QUESTIONING = 6, _("Questioning")
    DIFFERENT = 3, _("Different identity")
    DOES_NOT_KNOW = 8, _("Client doesn't know")
    PREFERS_NOT = 9, _("Client prefers not to answer")
    NOT_COLLECTED = 99, _("Data not collected")


class RaceEthnicity(models.IntegerChoices):
    """HMIS FY2024 race and ethnicity codes (more than one may apply)."""

    AMERICAN_INDIAN = 1, _("American Indian, Alaska Native, or Indigenous")
    ASIAN = 2, _("Asian or Asian American")
    BLACK = 3, _("Black, African American, or African")
    HISPANIC = 6, _("Hispanic/Latina/e/o")
    MIDDLE_EASTERN = 7, _("Middle Eastern or North African")
    PACIFIC_ISLANDER = 4, _("Native Hawaiian or Pacific Islander")
    WHITE = 5, _("White")
    DOES_NOT_KNOW = 8, _("Client doesn't know")
    PREFERS_NOT = 9, _("Client prefers not to answer")
    NOT_COLLECTED = 99, _("Data not collected")


# Codes that mean "no answer": they stand alone, never next to an answer.
NO_ANSWER_CODES = frozenset({8, 9, 99})


class VeteranStatus(models.IntegerChoices):
    NO = 0, _("No")
    YES = 1, _("Yes")
    DOES_NOT_KNOW = 8, _("Client doesn't know")
    PREFERS_NOT = 9, _("Client prefers not to answer")
    NOT_COLLECTED = 99, _("Data not collected")


class RestrictionReason(models.TextChoices):
    """Why a record is seen only by the teams serving the client (a category, never a story)."""

    DOMESTIC_VIOLENCE = "domestic_violence", _("Survivor of domestic violence or stalking")
    STAFF = "staff", _("A member of staff, or a relative of one")
    PUBLIC_PROFILE = "public_profile", _("Public figure or in the news")
    OTHER = "other", _("Other safety or privacy reason")


class Client(models.Model):
    """A person the agency serves."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    name_data_quality = models.PositiveSmallIntegerField(
        _("name data quality"), choices=DataQuality.choices, default=DataQuality.FULL
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    dob_data_quality = models.PositiveSmallIntegerField(
        _("date of birth data quality"),
        choices=DataQuality.choices,
        default=DataQuality.NOT_COLLECTED,
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    gender = models.JSONField(_("gender"), default=list, blank=True)
    gender_detail = models.CharField(_("gender (in their words)"), max_length=100, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    race_ethnicity = models.JSONField(_("race and ethnicity"), default=list, blank=True)
    race_ethnicity_detail = models.CharField(
        _("race and ethnicity (in their words)"), max_length=200, blank=True
    )
    veteran_status = models.PositiveSmallIntegerField(
        _("veteran status"), choices=VeteranStatus.choices, default=VeteranStatus.NOT_COLLECTED
    )
    preferred_language = models.CharField(_("preferred language"), max_length=12, default="en")
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    strengths = models.TextField(_("strengths"), blank=True)
    values_preferences = models.TextField(
        _("cultural and personal values and preferences"), blank=True
    )
    no_voicemail = models.BooleanField(_("do not leave voicemail"), default=False)
    no_contact_at_home = models.BooleanField(_("do not contact at home"), default=False)
    no_mail = models.BooleanField(_("do not send mail"), default=False)
    safe_contact_times = models.CharField(_("safe times to contact"), max_length=200, blank=True)
    safe_contact_note = models.TextField(_("safe-contact note"), blank=True)
    ssn_last_four = models.CharField(_("SSN, last four digits"), max_length=4, blank=True)
    ssn = models.CharField(_("SSN"), max_length=9, blank=True)
    ssn_data_quality = models.PositiveSmallIntegerField(
        _("SSN data quality"), choices=DataQuality.choices, default=DataQuality.NOT_COLLECTED
    )
    # Derived from the names (see ``refresh_derived``): the search and matching indexes.
    search_text = models.CharField(max_length=420, blank=True, editable=False)
    first_key = models.CharField(max_length=12, blank=True, editable=False)
    last_key = models.CharField(max_length=12, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        editable=False,
    )
    # Restricted: only the teams of the client's open cases see it (casework.access); set by
    # confidentiality.services.client_restrict.
    is_restricted = models.BooleanField(_("restricted record"), default=False, editable=False)
    restriction_reason = models.CharField(
        _("reason for the restriction"),
        max_length=30,
        choices=RestrictionReason.choices,
        blank=True,
        editable=False,
    )
    restricted_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name"]),
            models.Index(fields=["organization", "last_key", "first_key"]),
            models.Index(fields=["organization", "first_key", "date_of_birth"]),
            models.Index(fields=["organization", "date_of_birth"]),
            models.Index(fields=["organization", "ssn_last_four"]),
            models.Index(
                fields=["organization"],
                condition=models.Q(is_restricted=True),
                name="client_restricted_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text", "first_key", "last_key"}
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the search words and sound keys from the names (bulk inserts call this)."""
        self.search_text = " ".join(
            dict.fromkeys(
                words(
                    " ".join(
                        (self.first_name, self.middle_name, self.last_name, self.preferred_name)
                    )
                )
            )
        )[:420]
        self.first_key = phonetic_key(self.first_name)
        self.last_key = phonetic_key(self.last_name)

    @property
    def display_name(self) -> str:
        """The name to use with the person: their preferred name first."""
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}".strip()

    @property
    def legal_name(self) -> str:
        parts = (self.first_name, self.middle_name, self.last_name, self.suffix)
        return " ".join(p for p in parts if p)

    @property
    def ssn_masked(self) -> str:
        """Never the whole number: ***-**-1234."""
        return f"***-**-{self.ssn_last_four}" if self.ssn_last_four else ""

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    def gender_labels(self) -> list[str]:
        return [str(Gender(c).label) for c in self.gender if c in Gender.values]

    def race_ethnicity_labels(self) -> list[str]:
        return [
            str(RaceEthnicity(c).label) for c in self.race_ethnicity if c in RaceEthnicity.values
        ]

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


# --- contact history ------------------------------------------------------------------------


class HistoryRow(models.Model):
    """One phone number, email address or address the client had, and when."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(_("current"), default=True)
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-is_current", "-started_on", "-pk"]


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class ClientPhone(HistoryRow):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=40)
    digits = models.CharField(max_length=20, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=PhoneKind.choices, default="mobile")

    class Meta(HistoryRow.Meta):
        indexes = [models.Index(fields=["organization", "digits"])]

    def __str__(self) -> str:
        return self.number


class ClientEmail(HistoryRow):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("email address"))

    def __str__(self) -> str:
        return self.email


class ClientAddress(HistoryRow):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True)

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line1, self.line2, self.city, self.state) if p)


# --- identifiers ---------------------------------------------------------------------------------


class IdentifierKind(models.TextChoices):
    MEDICAID = "medicaid", _("Medicaid id")
    MEDICARE = "medicare", _("Medicare number")
    HMIS = "hmis", _("HMIS id")
    EXTERNAL = "external", _("Other system's id")


class ClientIdentifier(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=12, choices=IdentifierKind.choices)
    system = models.CharField(
        _("system"), max_length=100, blank=True, help_text=_("For another system's id: its name.")
    )
    value = models.CharField(_("identifier"), max_length=100)
    normalized = models.CharField(max_length=100, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "system", "pk"]
        indexes = [
            models.Index(fields=["organization", "kind", "normalized"]),
            # Search by an identifier of any kind (the "Find a client" identifier box).
            models.Index(fields=["organization", "normalized"], name="client_identifier_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    @property
    def label(self) -> str:
        return self.system if self.kind == IdentifierKind.EXTERNAL else str(self.get_kind_display())


# --- household and relationships ---------------------------------------------------------


class RelationshipType(models.TextChoices):
    SPOUSE_PARTNER = "spouse_partner", _("Spouse or partner")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    GUARDIAN = "guardian", _("Guardian")
    CAREGIVER = "caregiver", _("Caregiver")
    FRIEND = "friend", _("Friend")
    SIGNIFICANT_OTHER = "significant_other", _("Significant other")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Other")


class Relationship(models.Model):
    """Someone in the client's life: another client of the agency, or a collateral contact."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="relationships")
    related_client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="related_to"
    )
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_organization = models.CharField(_("organization"), max_length=200, blank=True)
    contact_role = models.CharField(_("role"), max_length=100, blank=True)
    relationship_type = models.CharField(
        _("relationship"), max_length=20, choices=RelationshipType.choices
    )
    household_member = models.BooleanField(_("lives in the household"), default=False)
    head_of_household = models.BooleanField(_("head of household"), default=False)
    emergency_contact = models.BooleanField(_("emergency contact"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-household_member", "relationship_type", "pk"]
        indexes = [models.Index(fields=["client", "relationship_type"])]

    def __str__(self) -> str:
        return f"{self.get_relationship_type_display()} of client {self.client_id}"

    @property
    def name(self) -> str:
        if self.related_client is not None:
            return self.related_client.display_name
        return self.contact_name


# --- merges ---------------------------------------------------------------------------------------


class ClientMerge(models.Model):
    """Two records of one person made one, with what moved so that it can be undone.

    ``moved`` lists, per kind of row, the ids that were moved to the survivor;
    ``filled`` the survivor's blank fields that took the other record's value;
    ``conflicts`` the other record's differing values that were not kept.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merges")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="merged_by")
    moved = models.JSONField(default=dict)
    filled = models.JSONField(default=list)
    conflicts = models.JSONField(default=dict)
    merged_at = models.DateTimeField(default=timezone.now)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-merged_at", "-pk"]
        indexes = [models.Index(fields=["organization", "merged"])]

    def __str__(self) -> str:
        return f"client {self.merged_id} into {self.survivor_id}"


class CaseStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (CaseStatus.SCREENING, CaseStatus.WAITLISTED, CaseStatus.ACTIVE, CaseStatus.ON_HOLD)
INTAKE_STATUSES = (CaseStatus.SCREENING, CaseStatus.WAITLISTED)


class Case(models.Model):
    """One episode of service of one client in one program."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_cases",
        null=True,
        blank=True,
    )
    reference = models.CharField(_("case number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SCREENING
    )
    opened_on = models.DateField(_("opened"), default=timezone.localdate)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    # Kept current by the services that change them (note signing, plan approval and
    # review) so that caseload lists and the monitoring sweep read one row per case.
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    next_review_on = models.DateField(_("next plan review"), null=True, blank=True, editable=False)
    legal_involvement = models.BooleanField(_("legal involvement"), default=False)
    cps_involvement = models.BooleanField(_("child protective services involved"), default=False)
    aps_involvement = models.BooleanField(_("adult protective services involved"), default=False)
    high_risk = models.BooleanField(_("high risk"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="case_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "team", "status"]),
            models.Index(fields=["organization", "case_manager", "status"]),
            models.Index(fields=["organization", "status", "opened_on"]),
            # The caseload's sorts: longest without contact, reviews soonest due.
            models.Index(fields=["organization", "last_contact_on", "id"]),
            models.Index(fields=["organization", "next_review_on", "id"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseAssignment(models.Model):
    """Who managed a case, when: the history behind ``Case.case_manager``."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["case", "started_at"])]

    def __str__(self) -> str:
        return f"{self.case} → {self.case_manager}"

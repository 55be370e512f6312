"""Organizations, programs, teams and staff: who works where, in which role."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_MANAGER = "case_manager", _("Case manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    INTAKE_COORDINATOR = "intake_coordinator", _("Intake coordinator")
    PROGRAM_MANAGER = "program_manager", _("Program manager")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    AUDITOR = "auditor", _("Auditor / privacy officer")
    PARTNER = "partner", _("Partner-agency staff")


class ExpertiseArea(models.TextChoices):
    CHILDREN = "children", _("Children's services")
    COURTS = "courts", _("Courts and legal system")
    OLDER_ADULTS = "older_adults", _("Older adults")
    RESPITE = "respite", _("Respite care")
    HOUSING = "housing", _("Housing and homelessness")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    DISABILITY = "disability", _("Disability services")
    BENEFITS = "benefits", _("Benefits and income")
    EMPLOYMENT = "employment", _("Employment")
    IMMIGRATION = "immigration", _("Immigration")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    REENTRY = "reentry", _("Re-entry")
    VETERANS = "veterans", _("Veterans")


class OrganizationKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    PARTNER = "partner", _("Partner agency")


class Organization(models.Model):
    """An agency: the tenant every row of case data belongs to."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganizationKind.choices, default=OrganizationKind.AGENCY
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Every member must set up an authenticator app before using Casework."),
    )
    store_full_ssn = models.BooleanField(
        _("keep full Social Security numbers"),
        default=False,
        help_text=_(
            "Off: only the last four digits are kept. Turn on only if a funder or "
            "program requires the full number."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A service program: who it serves (eligibility rules as data) and how many."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short code used on case numbers.")
    )
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Most active cases at once; blank for no limit."),
    )
    eligibility_rules = models.JSONField(_("eligibility rules"), default=list, blank=True)
    review_interval_days = models.PositiveIntegerField(_("plan review every (days)"), default=90)
    no_contact_alert_days = models.PositiveIntegerField(
        _("alert after days without contact"), default=30
    )
    is_active = models.BooleanField(_("active"), default=True)
    case_counter = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="program_code_unique"),
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of staff who share a caseload within a program."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    MEMBER = "member", _("Member")
    SUPERVISOR = "supervisor", _("Supervisor")


class TeamMembership(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(_("role in team"), max_length=20, choices=TeamRole.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class CaseworkUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractUser):
    """A person who signs in. Staff details live on ``StaffProfile``."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The newest authenticator time step accepted: a code works once, never twice.
    totp_last_step = models.BigIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[CaseworkUserManager] = CaseworkUserManager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def roles(self) -> frozenset[str]:
        """The user's roles; empty for anyone without a staff profile."""
        cached: frozenset[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            try:
                cached = frozenset(self.staff_profile.roles)
            except StaffProfile.DoesNotExist:
                cached = frozenset()
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class StaffProfile(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    roles = models.JSONField(_("roles"), default=list)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)
    expertise_areas = models.JSONField(_("expertise areas"), default=list, blank=True)
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, help_text=_("Language codes, e.g. en, es.")
    )
    credentials = models.CharField(_("credentials"), max_length=200, blank=True)
    caseload_capacity = models.PositiveIntegerField(_("caseload capacity"), default=30)
    version = models.PositiveIntegerField(default=1, editable=False)

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]

    def expertise_labels(self) -> list[str]:
        return [
            str(ExpertiseArea(e).label) for e in self.expertise_areas if e in ExpertiseArea.values
        ]


class SignInAttempt(models.Model):
    """One sign-in try, kept to throttle guessing. Holds no client data."""

    email = models.CharField(max_length=254)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "attempted_at"]),
            models.Index(fields=["ip_address", "attempted_at"]),
        ]

    def __str__(self) -> str:
        return f"{'success' if self.succeeded else 'failure'} at {self.attempted_at:%Y-%m-%d %H:%M}"


TOKEN_PREFIX_LENGTH = 8


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> str:
        return "cw_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "name": self.name, "prefix": self.prefix}


class AuditEvent(models.Model):
    """One thing that happened, append-only and hash-chained per organization.

    Foreign keys carry no database constraint and never cascade: an audit row
    must outlive whatever it describes, and the database refuses to change it.
    """

    chain = models.CharField(max_length=40, editable=False)
    sequence = models.PositiveBigIntegerField(editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["chain", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "sequence"], name="audit_chain_sequence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_at"]),
            models.Index(fields=["organization", "client_id", "occurred_at"]),
            models.Index(fields=["organization", "actor", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.action} by {self.actor_label or 'system'} at {self.occurred_at:%Y-%m-%d %H:%M}"
        )


class AuditChainHead(models.Model):
    """The newest link of one lane (hash chain) of an organization's audit log.

    A writer holds its row lock from appending an event until its transaction ends; other
    writers skip it and take another lane (see ``core/audit.py``).
    """

    chain = models.CharField(max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain} @ {self.sequence}"

"""Request and response shapes of the core API.

Inputs refuse fields they do not know (a typo must not be ignored silently).
In PATCH inputs a field left out stays as it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict, ValidationInfo, field_validator

from .models import StaffProfile, TeamMembership, User

# --- shared -----------------------------------------------------------------------------


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class PatchInput(Input):
    """A partial update: what is left out stays; what is sent replaces the saved value.

    Fields named in ``not_null`` may be left out but not sent as null.
    """

    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise ValueError(_("This field cannot be null; leave it out to keep it as it is."))
        return value


class ErrorDetail(Schema):
    code: str = Field(
        description=(
            "invalid, bad_request, not_authenticated, permission_denied, csrf_failed, "
            "not_found, method_not_allowed, conflict, too_large, throttled or server_error."
        )
    )
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="For `invalid`: each field name with its problems; `__all__` for the whole.",
    )
    current_version: int | None = Field(None, description="For `conflict`: the version now saved.")


class ErrorOut(Schema):
    error: ErrorDetail


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    **extra: Any,
) -> JsonResponse:
    """The one error shape of the API (``ErrorOut``), from any endpoint or none."""
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}, **extra}}
    return JsonResponse(body, status=status)


def with_errors(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """Response schemas for the OpenAPI document: the success ones plus the errors.

    Any request may be unauthenticated (401), refused (403: besides what the operation
    itself refuses, a signed-in session whose agency requires two-factor sign-in not yet
    set up, or a change sent without the CSRF token), malformed (422) or meet a server
    error (500). Name the others the operation can give: 404 for a record it looks up
    (in its path, its query or its body), 409 for a stale version. 400 and 413 (a body
    that cannot be read) are added to every operation that takes one by the API itself.
    """
    return {**ok, **dict.fromkeys(sorted({401, 403, 422, 500, *codes}), ErrorOut)}


def _display_name(user: User) -> str:
    return user.get_full_name() or user.email


def _profile(user: User) -> StaffProfile | None:
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


class OrganizationRef(Schema):
    id: int
    name: str
    slug: str


class StaffRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return _display_name(obj)


class ProgramRef(Schema):
    id: int
    name: str
    code: str


class TeamRef(Schema):
    id: int
    name: str


class TeamRoleOut(Schema):
    """One team a staff member belongs to, and their role in it."""

    team: TeamRef
    role: str


# --- the current user ---------------------------------------------------------------------


class Permissions(Schema):
    administer: bool = Field(description="Manage staff, teams and agency settings.")
    configure_programs: bool
    read_audit_log: bool


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    name: str
    organization: OrganizationRef | None
    roles: list[str]
    teams: list[TeamRoleOut]
    permissions: Permissions


# --- API tokens -------------------------------------------------------------------------------


class TokenIn(Input):
    name: str = Field(description="Where the token will be used, e.g. 'Reporting script'.")
    expires_at: AwareDatetime | None = Field(
        None, description="When the token stops working (at most a year ahead); with time zone."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters after `cw_`, to recognise the token.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    expires_at: datetime | None
    revoked_at: datetime | None
    is_usable: bool = Field(description="Neither revoked nor expired.")


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret. Shown only in this response; store it now.")


# --- programs -----------------------------------------------------------------------------------


class EligibilityRuleOut(Schema):
    criterion: str
    operator: str
    value: Any = None
    label: str


class ProgramOut(Schema):
    id: int
    name: str
    code: str
    description: str
    capacity: int | None
    eligibility_rules: list[EligibilityRuleOut]
    review_interval_days: int
    no_contact_alert_days: int
    is_active: bool
    version: int
    created_at: datetime


_RULES_HELP = (
    "A list of rules, each {criterion, operator, value, label}, "
    'e.g. {"criterion": "age", "operator": "between", "value": [18, 64], '
    '"label": "Adults 18 to 64"}.'
)


class ProgramIn(Input):
    name: str
    code: str = Field(description="Short code used on case numbers.")
    description: str = ""
    capacity: int | None = Field(None, description="Most active cases at once; null for no limit.")
    eligibility_rules: list[dict[str, Any]] = Field(default_factory=list, description=_RULES_HELP)
    review_interval_days: int = 90
    no_contact_alert_days: int = 30


class ProgramPatch(PatchInput):
    not_null = frozenset(
        {
            "name",
            "code",
            "description",
            "eligibility_rules",
            "review_interval_days",
            "no_contact_alert_days",
            "is_active",
        }
    )

    version: int = Field(description="The version you loaded; a newer saved one gives 409.")
    name: str | None = None
    code: str | None = None
    description: str | None = None
    capacity: int | None = None
    eligibility_rules: list[dict[str, Any]] | None = Field(None, description=_RULES_HELP)
    review_interval_days: int | None = None
    no_contact_alert_days: int | None = None
    is_active: bool | None = None


# --- teams and staff --------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    program: ProgramRef
    version: int


class TeamMemberOut(Schema):
    id: int
    name: str
    email: str
    role: str = Field(description="member or supervisor")
    job_title: str

    @staticmethod
    def resolve_id(obj: TeamMembership) -> int:
        return obj.user_id

    @staticmethod
    def resolve_name(obj: TeamMembership) -> str:
        return _display_name(obj.user)

    @staticmethod
    def resolve_email(obj: TeamMembership) -> str:
        return obj.user.email

    @staticmethod
    def resolve_job_title(obj: TeamMembership) -> str:
        profile = _profile(obj.user)
        return profile.job_title if profile else ""


class TeamDetailOut(TeamOut):
    members: list[TeamMemberOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[TeamMembership]:
        return list(obj.memberships.all())


class StaffOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    name: str
    is_active: bool
    has_two_factor: bool
    last_login: datetime | None
    roles: list[str]
    job_title: str
    phone: str
    languages: list[str]
    expertise_areas: list[str]
    credentials: str
    caseload_capacity: int | None
    teams: list[TeamRoleOut]
    version: int | None = Field(description="Version of the staff profile.")

    @staticmethod
    def resolve_name(obj: User) -> str:
        return _display_name(obj)

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return sorted(obj.roles)

    @staticmethod
    def resolve_teams(obj: User) -> list[TeamMembership]:
        return list(obj.team_memberships.all())

    @staticmethod
    def resolve_job_title(obj: User) -> str:
        profile = _profile(obj)
        return profile.job_title if profile else ""

    @staticmethod
    def resolve_phone(obj: User) -> str:
        profile = _profile(obj)
        return profile.phone if profile else ""

    @staticmethod
    def resolve_languages(obj: User) -> list[str]:
        profile = _profile(obj)
        return list(profile.languages) if profile else []

    @staticmethod
    def resolve_expertise_areas(obj: User) -> list[str]:
        profile = _profile(obj)
        return list(profile.expertise_areas) if profile else []

    @staticmethod
    def resolve_credentials(obj: User) -> str:
        profile = _profile(obj)
        return profile.credentials if profile else ""

    @staticmethod
    def resolve_caseload_capacity(obj: User) -> int | None:
        profile = _profile(obj)
        return profile.caseload_capacity if profile else None

    @staticmethod
    def resolve_version(obj: User) -> int | None:
        profile = _profile(obj)
        return profile.version if profile else None


# --- audit log ---------------------------------------------------------------------------------


class AuditEventFilters(Schema):
    action: str | None = Field(None, description="Exact action, e.g. client.view.")
    actor: int | None = Field(None, description="Id of the staff member who acted.")
    client: int | None = Field(None, description="Id of the client the event concerns.")
    date_from: date | None = Field(None, description="First day (YYYY-MM-DD), agency time zone.")
    date_to: date | None = Field(None, description="Last day (YYYY-MM-DD), agency time zone.")


class AuditActorOut(Schema):
    id: int | None
    label: str


class AuditEventOut(Schema):
    id: int
    sequence: int
    occurred_at: datetime
    action: str
    actor: AuditActorOut
    ip_address: str | None
    request_id: str
    object_type: str
    object_id: str
    client_id: int | None
    changes: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: Any) -> dict[str, Any]:
        return {"id": obj.actor_id, "label": obj.actor_label}

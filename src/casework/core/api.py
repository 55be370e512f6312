"""API of the agency itself: the current user, API tokens, programs, teams, staff, audit log.

Reads start from the access policy; writes go through ``casework.core.services``.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from . import permissions, services
from .api_auth import request_user, session_auth
from .errors import NotFound, PermissionDenied
from .models import ApiToken, AuditEvent, Program, Team, TeamMembership, User
from .pagination import PageNumberPagination
from .schemas import (
    AuditEventFilters,
    AuditEventOut,
    MeOut,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
    StaffOut,
    TeamDetailOut,
    TeamOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    with_errors,
)

router = Router()


# --- the current user ---------------------------------------------------------------------


@router.get("/me", response=with_errors({200: MeOut}), tags=["me"])
def me(request: HttpRequest) -> dict[str, Any]:
    """Who you are signed in as: organization, roles, teams and what you may manage."""
    user = request_user(request)
    memberships = TeamMembership.objects.none()
    if user.organization_id is not None:
        memberships = (
            TeamMembership.objects.filter(user=user, organization_id=user.organization_id)
            .select_related("team")
            .order_by("team__name")
        )
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.get_full_name() or user.email,
        "organization": user.organization,
        "roles": sorted(user.roles),
        "teams": list(memberships),
        "permissions": {
            "administer": permissions.can_administer(user),
            "configure_programs": permissions.can_configure_programs(user),
            "read_audit_log": permissions.can_read_audit_log(user),
        },
    }


# --- personal API tokens -----------------------------------------------------------------------


def _own_token(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("No such token."))
    return token


@router.get("/tokens", response=with_errors({200: list[TokenOut]}), tags=["tokens"])
@paginate(PageNumberPagination)
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """Your own API tokens, newest first. Secrets are never shown again."""
    return ApiToken.objects.filter(user=request_user(request)).order_by("-created_at", "-pk")


# A token cannot mint tokens: whoever steals one must not be able to outlast its revocation.
@router.post(
    "/tokens",
    auth=[session_auth],
    response=with_errors({201: TokenCreatedOut}, 403),
    tags=["tokens"],
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Create a personal token (signed-in browser session only). The secret is in this
    response and nowhere else."""
    token, secret = services.api_token_create(
        actor=request_user(request), name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**TokenOut.from_orm(token).model_dump(), "token": secret})


@router.delete("/tokens/{token_id}", response=with_errors({204: None}, 404), tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of your tokens; it stops working at once. Revoking twice is harmless."""
    user = request_user(request)
    services.api_token_revoke(actor=user, token=_own_token(user, token_id))
    return Status(204, None)


# --- programs --------------------------------------------------------------------------------


def _programs(user: User) -> QuerySet[Program]:
    """The programs of the user's agency; every staff member may read its configuration."""
    return permissions.programs(user)


def _get(queryset: QuerySet[Any], pk: int, message: str) -> Any:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(message)
    return obj


@router.get("/programs", response=with_errors({200: list[ProgramOut]}), tags=["programs"])
@paginate(PageNumberPagination)
def list_programs(request: HttpRequest) -> QuerySet[Program]:
    return _programs(request_user(request)).order_by("name", "pk")


@router.get(
    "/programs/{program_id}", response=with_errors({200: ProgramOut}, 404), tags=["programs"]
)
def get_program(request: HttpRequest, program_id: int) -> Program:
    program: Program = _get(_programs(request_user(request)), program_id, _("No such program."))
    return program


@router.post("/programs", response=with_errors({201: ProgramOut}, 403), tags=["programs"])
def create_program(request: HttpRequest, payload: ProgramIn) -> Status[Program]:
    """Agency admins and program managers only."""
    program = services.program_create(actor=request_user(request), **payload.model_dump())
    return Status(201, program)


@router.patch(
    "/programs/{program_id}",
    response=with_errors({200: ProgramOut}, 403, 404, 409),
    tags=["programs"],
)
def update_program(request: HttpRequest, program_id: int, payload: ProgramPatch) -> Program:
    """Change the fields you send. ``version`` must be the one you loaded, else 409."""
    user = request_user(request)
    program = _get(_programs(user), program_id, _("No such program."))
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version")
    return services.program_update(actor=user, program=program, expected_version=version, **fields)


# --- teams and staff -------------------------------------------------------------------------


def _teams(user: User) -> QuerySet[Team]:
    """The teams of the user's agency; who works where is known to all its staff."""
    return permissions.teams(user).select_related("program")


@router.get("/teams", response=with_errors({200: list[TeamOut]}), tags=["teams"])
@paginate(PageNumberPagination)
def list_teams(request: HttpRequest) -> QuerySet[Team]:
    return _teams(request_user(request)).order_by("name", "pk")


@router.get("/teams/{team_id}", response=with_errors({200: TeamDetailOut}, 404), tags=["teams"])
def get_team(request: HttpRequest, team_id: int) -> Team:
    members = TeamMembership.objects.select_related("user__staff_profile").order_by(
        "user__last_name", "user__first_name", "user_id"
    )
    teams = _teams(request_user(request)).prefetch_related(Prefetch("memberships", members))
    team: Team = _get(teams, team_id, _("No such team."))
    return team


def _staff(user: User) -> QuerySet[User]:
    permissions.require(
        permissions.can_administer(user), _("Only agency admins see the staff list.")
    )
    memberships = TeamMembership.objects.select_related("team").order_by("team__name")
    return (
        permissions.users(user)
        .select_related("staff_profile")
        .prefetch_related(Prefetch("team_memberships", memberships))
        .order_by("last_name", "first_name", "pk")
    )


@router.get("/staff", response=with_errors({200: list[StaffOut]}, 403), tags=["staff"])
@paginate(PageNumberPagination)
def list_staff(request: HttpRequest) -> QuerySet[User]:
    """Everyone who works at your agency (agency admins only)."""
    return _staff(request_user(request))


@router.get("/staff/{user_id}", response=with_errors({200: StaffOut}, 403, 404), tags=["staff"])
def get_staff(request: HttpRequest, user_id: int) -> User:
    """One staff member's profile (agency admins only)."""
    staff_member: User = _get(_staff(request_user(request)), user_id, _("No such staff member."))
    return staff_member


# --- audit log -------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@router.get("/audit-events", response=with_errors({200: list[AuditEventOut]}, 403), tags=["audit"])
@paginate(PageNumberPagination)
def list_audit_events(
    request: HttpRequest, filters: Query[AuditEventFilters]
) -> QuerySet[AuditEvent]:
    """Your agency's audit log, newest first (auditors only)."""
    user = request_user(request)
    if not permissions.can_read_audit_log(user):
        raise PermissionDenied(_("Only auditors read the audit log."))
    events = permissions.audit_events(user)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor is not None:
        events = events.filter(actor_id=filters.actor)
    if filters.client is not None:
        events = events.filter(client_id=filters.client)
    if filters.date_from is not None:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to is not None:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return events.order_by("-occurred_at", "-pk")

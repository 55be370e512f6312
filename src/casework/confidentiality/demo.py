"""Demo: one restricted client and one past break-glass grant, made through the services.

The demo case manager's team serves a survivor of domestic violence whose record the
agency admin restricted: intake and the other teams no longer find her. The program
manager once opened another team's client in an emergency (the grant has ended); the
privacy officer has the alert, and the client's access report shows the grant, its
reason and the read made under it.
"""

from __future__ import annotations

from django.utils import timezone

from casework.clients.models import OPEN_STATUSES, Case, CaseStatus, RestrictionReason
from casework.clients.services import client_record_viewed
from casework.core.models import Organization, Role, User

from . import services
from .models import BreakGlassGrant

BREAK_GLASS_REASON = (
    "The client's sister called: she was taken to the emergency room and the hospital "
    "asked for her medication list. Her team was out on home visits."
)


def _with_role(organization: Organization, role: str) -> User | None:
    return (
        User.objects.filter(
            organization=organization,
            is_active=True,
            staff_profile__roles__icontains=f'"{role}"',
        )
        .order_by("pk")
        .first()
    )


def seed(*, organization: Organization, seed: int = 1) -> int:
    """Restrict one client of the demo case manager's team and leave one ended grant;
    returns how many rows were made (restrictions and grants)."""
    admin = _with_role(organization, Role.AGENCY_ADMIN)
    programs = _with_role(organization, Role.PROGRAM_MANAGER) or admin
    if admin is None or programs is None:
        return 0
    made = 0
    mine = (
        Case.objects.filter(
            organization=organization,
            status=CaseStatus.ACTIVE,
            case_manager__email__startswith="casemanager@",
            client__is_restricted=False,
        )
        .select_related("client", "team")
        .order_by("pk")
    )
    # A client with no open case on another team: restricting hides her from all but hers.
    restricted = None
    for case in mine[: 20 + seed % 5]:
        others = Case.objects.filter(client=case.client, status__in=OPEN_STATUSES).exclude(
            team=case.team
        )
        if not others.exists():
            restricted = case
            break
    if restricted is not None:
        services.client_restrict(
            actor=admin, client=restricted.client, reason=RestrictionReason.DOMESTIC_VIOLENCE
        )
        made += 1
    team_id = restricted.team_id if restricted is not None else None
    others = Case.objects.filter(
        organization=organization, status=CaseStatus.ACTIVE, client__is_restricted=False
    )
    if team_id is not None:
        others = others.exclude(team_id=team_id)
    other = others.select_related("client").order_by("pk").first()
    if other is not None and programs is not None:
        grant = services.break_glass_open(
            actor=programs, client=other.client, reason=BREAK_GLASS_REASON
        )
        client_record_viewed(actor=programs, client=other.client, via="web")
        # The emergency is over: the grant has ended, its history stays.
        BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
        made += 1
    return made

"""Pages that compose the whole product: "My work" (the home page, a panel from each
app that has something for the person signed in) and the 404 page, which offers
break-glass access where the policy allows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.clients.models import INTAKE_STATUSES, OPEN_STATUSES, CaseStatus
from casework.confidentiality.views import record_break_glass_offer
from casework.core.models import Role, Team, TeamMembership, User
from casework.core.web import HOME_LIST_SIZE, AuthenticatedRequest, HomeSection, organization_of
from casework.monitoring import views as monitoring_views
from casework.notes import views as notes_views
from casework.plans import views as plans_views
from casework.referrals import views as referrals_views

# --- the kernel's and clients' own panels --------------------------------------------------


def _my_cases(user: User) -> HomeSection | None:
    if not user.has_role(Role.CASE_MANAGER):
        return None
    visible = access.cases(user)
    mine = visible.filter(case_manager=user, status=CaseStatus.ACTIVE)
    teams = access.team_ids(user)
    counting: dict[str, Any] = {
        "mine": Count("pk", filter=Q(case_manager=user, status=CaseStatus.ACTIVE))
    }
    if teams:
        counting["team"] = Count("pk", filter=Q(team_id__in=teams, status__in=OPEN_STATUSES))
    counts = visible.aggregate(**counting)
    recent = list(
        mine.select_related("client", "program").order_by("-opened_on", "-pk")[:HOME_LIST_SIZE]
    )
    return HomeSection(
        "core/home/my_cases.html",
        {"count": counts["mine"], "team_count": counts.get("team", 0), "cases": recent},
    )


def _intake_queue(user: User) -> HomeSection | None:
    if not user.has_role(Role.INTAKE_COORDINATOR):
        return None
    queue = access.cases(user).filter(status__in=INTAKE_STATUSES)
    counts = queue.aggregate(
        screening=Count("pk", filter=Q(status=CaseStatus.SCREENING)),
        waitlisted=Count("pk", filter=Q(status=CaseStatus.WAITLISTED)),
    )
    oldest = list(
        queue.select_related("client", "program", "team", "application").order_by(
            "opened_on", "pk"
        )[:HOME_LIST_SIZE]
    )
    return HomeSection("core/home/intake_queue.html", {**counts, "cases": oldest})


@dataclass
class CaseloadRow:
    user: User
    role: str
    caseload: int
    capacity: int | None

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.caseload > self.capacity


@dataclass
class TeamCaseload:
    team: Team
    members: list[CaseloadRow] = field(default_factory=list)
    unassigned: int = 0


def _team_caseloads(user: User) -> HomeSection | None:
    supervised = access.supervised_team_ids(user)
    if not supervised:
        return None
    memberships = (
        TeamMembership.objects.filter(organization_id=organization_of(user), team_id__in=supervised)
        .select_related("team", "user", "user__staff_profile")
        .order_by("team__name", "user__last_name", "user__first_name", "pk")
    )
    counts = (
        access.cases(user, Action.SUPERVISE)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("team_id", "case_manager_id")
        .annotate(n=Count("pk"))
    )
    caseload: dict[int, int] = defaultdict(int)
    unassigned: dict[int, int] = defaultdict(int)
    for team_id, manager_id, n in counts:
        if manager_id is None:
            unassigned[team_id] += n
        else:
            caseload[manager_id] += n
    teams: dict[int, TeamCaseload] = {}
    for membership in memberships:
        entry = teams.setdefault(
            membership.team_id,
            TeamCaseload(team=membership.team, unassigned=unassigned[membership.team_id]),
        )
        profile = getattr(membership.user, "staff_profile", None)
        entry.members.append(
            CaseloadRow(
                user=membership.user,
                role=membership.get_role_display(),
                caseload=caseload[membership.user_id],
                capacity=profile.caseload_capacity if profile is not None else None,
            )
        )
    return HomeSection("core/home/team_caseloads.html", {"teams": list(teams.values())})


def _agency(user: User) -> HomeSection | None:
    if not access.can_configure_programs(user):
        return None
    data: dict[str, Any] = {
        "programs": access.programs(user).filter(is_active=True).count(),
        "administer": access.can_administer(user),
    }
    if data["administer"]:
        data["teams"] = access.teams(user).filter(is_active=True).count()
        data["staff"] = access.users(user).filter(is_active=True).count()
    return HomeSection("core/home/agency.html", data)


def _audit(user: User) -> HomeSection | None:
    if not access.can_read_audit_log(user):
        return None
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = access.audit_events(user).filter(occurred_at__gte=start_of_day).count()
    return HomeSection("core/home/audit.html", {"today": today})


# Each builder returns its panel or None when it does not concern the user; a new app
# adds its own panels here, in the order they should appear.
HOME_SECTIONS: Sequence[Callable[[User], HomeSection | None]] = (
    monitoring_views.home_alerts,
    monitoring_views.home_appointments,
    monitoring_views.home_tasks,
    notes_views.home_drafts,
    plans_views.home_returned,
    plans_views.home_waiting,
    referrals_views.home_waiting,
    _my_cases,
    _intake_queue,
    _team_caseloads,
    _agency,
    _audit,
)


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    sections = [s for builder in HOME_SECTIONS if (s := builder(user)) is not None]
    return render(request, "core/home.html", {"sections": sections})


# --- Error pages ---------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    offer = record_break_glass_offer(request)
    if offer is not None:
        return offer
    return render(request, "errors/404.html", status=404)

"""The home page ("my work"), the audit log, error pages, and helpers shared by views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from casework.clients.models import INTAKE_STATUSES, OPEN_STATUSES, CaseStatus

from . import access
from .access import Action
from .forms import AuditFilterForm
from .models import Role, Team, TeamMembership, User


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: ``user`` is a signed-in ``User``."""

    user: User
    htmx: HtmxDetails


def organization_of(user: User) -> int:
    """The user's agency. Staff pages are for members of one; anyone else may not."""
    if user.organization_id is None:
        raise PermissionDenied
    return user.organization_id


def paginate(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    """One page of ``items`` (which must be ordered), from ``?page=``."""
    return Paginator(items, settings.CASEWORK_PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass
class Window:
    """A page of a list too large to count (the audit log): only 'is there more?'."""

    object_list: list[Any]
    number: int
    has_next: bool
    paginator: None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window(request: HttpRequest, items: QuerySet[Any]) -> Window:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    size = settings.CASEWORK_PAGE_SIZE
    start = (number - 1) * size
    rows = list(items[start : start + size + 1])
    return Window(object_list=rows[:size], number=number, has_next=len(rows) > size)


def is_partial(request: AuthenticatedRequest) -> bool:
    """An htmx request for part of a page (history restores need the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- Home: "my work" ----------------------------------------------------------------------

HOME_LIST_SIZE = 8


@dataclass(frozen=True)
class HomeSection:
    """One panel of the home page: a template and what it shows."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)


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


def _monitoring_alerts(user: User) -> HomeSection | None:
    from casework.monitoring.views import home_alerts  # imports this module

    return home_alerts(user)


def _monitoring_appointments(user: User) -> HomeSection | None:
    from casework.monitoring.views import home_appointments

    return home_appointments(user)


def _monitoring_tasks(user: User) -> HomeSection | None:
    from casework.monitoring.views import home_tasks

    return home_tasks(user)


def _note_drafts(user: User) -> HomeSection | None:
    from casework.notes.views import home_drafts  # imports this module

    return home_drafts(user)


def _plans_returned(user: User) -> HomeSection | None:
    from casework.plans.views import home_returned  # imports this module

    return home_returned(user)


def _plans_waiting(user: User) -> HomeSection | None:
    from casework.plans.views import home_waiting  # imports this module

    return home_waiting(user)


def _referrals_waiting(user: User) -> HomeSection | None:
    from casework.referrals.views import home_waiting  # imports this module

    return home_waiting(user)


# Each builder returns its panel or None when it does not concern the user. Later
# features (tasks, alerts, supervision sessions) add their own builder here.
HOME_SECTIONS: Sequence[Callable[[User], HomeSection | None]] = (
    _monitoring_alerts,
    _monitoring_appointments,
    _monitoring_tasks,
    _note_drafts,
    _plans_returned,
    _plans_waiting,
    _referrals_waiting,
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


# --- Audit log ----------------------------------------------------------------------------


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@vary_on_headers("HX-Request")
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.can_read_audit_log(user))
    form = AuditFilterForm(request.GET or None, viewer=user)
    events = access.audit_events(user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"] is not None:
            events = events.filter(actor_id=data["actor"].pk)
        if data["date_from"]:
            events = events.filter(occurred_at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            events = events.filter(occurred_at__lt=_start_of(data["date_to"] + timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    page = window(request, events.select_related("actor").order_by("-occurred_at", "-pk"))
    template = "core/_audit_results.html" if is_partial(request) else "core/audit_log.html"
    return render(request, template, {"form": form, "page": page})


# --- Error pages -----------------------------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Imported here: the confidentiality views build on this module.
    from casework.confidentiality.views import record_break_glass_offer

    offer = record_break_glass_offer(request)
    if offer is not None:
        return offer
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request: no context processors, no database."""
    try:
        body = loader.get_template("errors/500.html").render()
    except Exception:  # the page that reports errors must not fail itself
        body = _("Something went wrong on our side. Please try again in a moment.")
        return HttpResponse(body, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=500)

"""Reads of service plans, already filtered by the access policy.

A plan belongs to a case: whoever may see the case may see its plans
(``casework.access``); nothing here decides access on its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from casework import access
from casework.access import Action
from casework.clients.models import OPEN_STATUSES, Case
from casework.core.errors import NotFound, PermissionDenied
from casework.core.models import User

from .models import (
    FINISHED_PROGRESS,
    OPEN_PLAN_STATUSES,
    ActionStep,
    Goal,
    GoalRating,
    Objective,
    PlanEvent,
    PlanReview,
    PlanStatus,
    PlanVersion,
    ServicePlan,
)

PLAN_CASE_RELATED = ("case__client", "case__program", "case__team", "case__case_manager")


def plans(user: User, case: Case | None = None) -> QuerySet[ServicePlan]:
    qs = ServicePlan.objects.filter(case__in=access.cases(user, Action.VIEW))
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("submitted_by", "decided_by", "created_by")


def get_plan(user: User, pk: int, action: Action = Action.VIEW) -> ServicePlan:
    """The plan, if the user may see its case; 404 otherwise, 403 if seen only."""
    plan = plans(user).select_related(*PLAN_CASE_RELATED).filter(pk=pk).first()
    if plan is None:
        raise NotFound("No such plan.")
    if action != Action.VIEW and not access.case_allows(user, plan.case, action):
        raise PermissionDenied("You may view this plan but not do that.")
    return plan


def get_goal(user: User, pk: int, action: Action = Action.VIEW) -> Goal:
    goal = (
        Goal.objects.filter(case__in=access.cases(user, Action.VIEW), pk=pk)
        .select_related("plan", *("plan__" + r for r in PLAN_CASE_RELATED))
        .first()
    )
    if goal is None:
        raise NotFound("No such goal.")
    if action != Action.VIEW and not access.case_allows(user, goal.plan.case, action):
        raise PermissionDenied("You may view this plan but not do that.")
    return goal


def get_objective(user: User, pk: int, action: Action = Action.VIEW) -> Objective:
    objective = (
        Objective.objects.filter(goal__case__in=access.cases(user, Action.VIEW), pk=pk)
        .select_related("goal__plan", *("goal__plan__" + r for r in PLAN_CASE_RELATED))
        .first()
    )
    if objective is None:
        raise NotFound("No such objective.")
    if action != Action.VIEW and not access.case_allows(user, objective.goal.plan.case, action):
        raise PermissionDenied("You may view this plan but not do that.")
    return objective


def get_step(user: User, pk: int, action: Action = Action.VIEW) -> ActionStep:
    step = (
        ActionStep.objects.filter(goal__case__in=access.cases(user, Action.VIEW), pk=pk)
        .select_related("goal__plan", *("goal__plan__" + r for r in PLAN_CASE_RELATED))
        .first()
    )
    if step is None:
        raise NotFound("No such action step.")
    if action != Action.VIEW and not access.case_allows(user, step.goal.plan.case, action):
        raise PermissionDenied("You may view this plan but not do that.")
    return step


def goals_with_detail() -> Prefetch[Any]:
    """Goals with their objectives and steps, three queries whatever the number."""
    return Prefetch(
        "goals",
        queryset=Goal.objects.select_related("need").prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.all()),
            Prefetch("steps", queryset=ActionStep.objects.select_related("owner_user")),
        ),
    )


def plan_with_detail(plan: ServicePlan) -> ServicePlan:
    """Reload ``plan`` with everything its page shows, in a fixed number of queries."""
    loaded = (
        ServicePlan.objects.select_related(
            "submitted_by", "decided_by", "created_by", *PLAN_CASE_RELATED
        )
        .prefetch_related(
            goals_with_detail(),
            Prefetch("events", queryset=PlanEvent.objects.select_related("actor")),
        )
        .get(pk=plan.pk)
    )
    return loaded


def current_plans(case: Case) -> tuple[ServicePlan | None, ServicePlan | None]:
    """The case's active (approved) plan and the version being written, if any.

    ``case`` must already have been checked by the caller (it came from access.get_case).
    """
    active: ServicePlan | None = None
    open_plan: ServicePlan | None = None
    rows = ServicePlan.objects.filter(
        case=case, status__in=(PlanStatus.APPROVED, *OPEN_PLAN_STATUSES)
    ).select_related("submitted_by", "decided_by", "created_by")
    for plan in rows:
        if plan.status == PlanStatus.APPROVED:
            active = plan
        else:
            open_plan = plan
    return active, open_plan


def approval_queue(user: User) -> QuerySet[ServicePlan]:
    """Plans waiting for a decision on the teams the user supervises, oldest first."""
    teams = access.supervised_team_ids(user)
    if not teams:
        return ServicePlan.objects.none()
    return (
        ServicePlan.objects.filter(
            case__in=access.cases(user, Action.SUPERVISE), status=PlanStatus.SUBMITTED
        )
        # Implied by the access filter; said again so the planner starts from the teams'
        # cases rather than from every submitted plan of the agency.
        .filter(case__team_id__in=teams)
        .select_related("submitted_by", *PLAN_CASE_RELATED)
        .order_by("submitted_at", "pk")
    )


def returned_plans(user: User) -> QuerySet[ServicePlan]:
    """Plans returned for revision on the user's own cases, newest decision first."""
    return (
        ServicePlan.objects.filter(
            case__in=access.cases(user, Action.VIEW).filter(case_manager=user),
            status=PlanStatus.RETURNED,
        )
        .select_related("decided_by", *PLAN_CASE_RELATED)
        .order_by("-decided_at", "-pk")
    )


def versions(user: User, case: Case) -> QuerySet[PlanVersion]:
    return (
        PlanVersion.objects.filter(case__in=access.cases(user, Action.VIEW), case=case)
        .select_related("approved_by", "plan")
        .order_by("-number")
    )


def reviews(user: User, plan: ServicePlan) -> QuerySet[PlanReview]:
    return (
        PlanReview.objects.filter(case__in=access.cases(user, Action.VIEW), plan=plan)
        .select_related("reviewed_by")
        .prefetch_related(Prefetch("ratings", queryset=GoalRating.objects.select_related("goal")))
    )


def case_reviews(user: User, case: Case) -> QuerySet[PlanReview]:
    return (
        PlanReview.objects.filter(case__in=access.cases(user, Action.VIEW), case=case)
        .select_related("reviewed_by", "plan")
        .prefetch_related(Prefetch("ratings", queryset=GoalRating.objects.select_related("goal")))
    )


def overdue_objectives(*, today: date) -> QuerySet[Objective]:
    """Objectives of active plans of open cases past their target date, in every agency.

    For the monitoring sweep, which acts for no user: it must not be shown to anyone
    as it is. Achieved and dropped objectives are left out.
    """
    return (
        Objective.objects.filter(
            goal__plan__status=PlanStatus.APPROVED,
            goal__plan__case__status__in=OPEN_STATUSES,
            target_date__lt=today,
            achieved_on__isnull=True,
        )
        .exclude(status__in=FINISHED_PROGRESS)
        .select_related("goal__plan__case")
        .order_by("target_date", "pk")
    )


def plan_is_own(user: User, plan: ServicePlan) -> bool:
    """The user wrote, submitted or manages the plan: someone else must decide on it."""
    return user.pk in (plan.created_by_id, plan.submitted_by_id, plan.case.case_manager_id)


def plan_decision_allows(user: User, plan: ServicePlan) -> bool:
    """Approve or return a plan: a supervisor of the case's team, never on their own plan."""
    return access.case_allows(user, plan.case, Action.SUPERVISE) and not plan_is_own(user, plan)

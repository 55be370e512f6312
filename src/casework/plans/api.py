"""REST API of service plans: a case's plans, goals, objectives and steps, the approval
workflow, approved versions and reviews.

Every change carries the ``version`` of what it changes: a stale one gives 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.clients.services import case_viewed
from casework.core.api_auth import request_user
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, services
from .models import ActionStep, Goal, Objective, PlanReview, PlanVersion, ServicePlan
from .schemas import (
    GoalIn,
    GoalOut,
    GoalPatch,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ParticipationIn,
    PlanCreateIn,
    PlanDecisionIn,
    PlanOut,
    PlanPatch,
    PlanSummaryOut,
    PlanVersionIn,
    PlanVersionOut,
    ProgressIn,
    ReviewIn,
    ReviewOut,
    StepIn,
    StepOut,
    StepPatch,
)

router = Router(tags=["plans"])


def _detail(plan: ServicePlan) -> ServicePlan:
    return queries.plan_with_detail(plan)


def _goal_detail(goal: Goal) -> Goal:
    return (
        Goal.objects.prefetch_related("objectives", "steps__owner_user")
        .select_related("need")
        .get(pk=goal.pk)
    )


def _merged(current: Any, payload: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """Values for a full update: what was sent, or what is saved."""
    sent = payload.model_dump(exclude_unset=True)
    return {name: sent[name] if name in sent else getattr(current, name) for name in fields}


# --- plans ----------------------------------------------------------------------------------


@router.get("/cases/{case_id}/plans", response=with_errors({200: list[PlanSummaryOut]}, 404))
@paginate(PageNumberPagination)
def list_plans(request: HttpRequest, case_id: int) -> QuerySet[ServicePlan]:
    """Every version of the case's plan, newest first."""
    user = request_user(request)
    case = access.get_case(user, case_id)
    case_viewed(actor=user, case=case, via="api", part="plans")
    return queries.plans(user, case).order_by("-number")


@router.post("/cases/{case_id}/plans", response=with_errors({201: PlanOut}, 403, 404))
def create_plan(request: HttpRequest, case_id: int, payload: PlanCreateIn) -> Status[ServicePlan]:
    """The case's first plan, as a draft."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    plan = services.plan_create(actor=user, case=case, **payload.model_dump())
    return Status(201, _detail(plan))


@router.get("/plans/{plan_id}", response=with_errors({200: PlanOut}, 404))
def get_plan(request: HttpRequest, plan_id: int) -> ServicePlan:
    user = request_user(request)
    plan = queries.get_plan(user, plan_id)
    services.plan_viewed(actor=user, case=plan.case, via="api")
    return _detail(plan)


@router.patch("/plans/{plan_id}", response=with_errors({200: PlanOut}, 403, 404, 409))
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch) -> ServicePlan:
    """The client's strengths and supports."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    values = _merged(plan, payload, ("strengths", "supports"))
    return _detail(
        services.plan_update(actor=user, plan=plan, expected_version=payload.version, **values)
    )


@router.post("/plans/{plan_id}/participation", response=with_errors({200: PlanOut}, 403, 404, 409))
def record_participation(
    request: HttpRequest, plan_id: int, payload: ParticipationIn
) -> ServicePlan:
    """That the plan was reviewed with the client, what they said, and how they signed."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    data = payload.model_dump()
    version = data.pop("version")
    data["client_agreement"] = data["client_agreement"] or ""
    data["acknowledgement"] = data["acknowledgement"] or ""
    return _detail(
        services.plan_participation_record(actor=user, plan=plan, expected_version=version, **data)
    )


@router.post("/plans/{plan_id}/submit", response=with_errors({200: PlanOut}, 403, 404, 409))
def submit_plan(request: HttpRequest, plan_id: int, payload: PlanVersionIn) -> ServicePlan:
    """Send the plan to the team's supervisors for approval."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    return _detail(services.plan_submit(actor=user, plan=plan, expected_version=payload.version))


@router.post("/plans/{plan_id}/approve", response=with_errors({200: PlanOut}, 403, 404, 409))
def approve_plan(request: HttpRequest, plan_id: int, payload: PlanDecisionIn) -> ServicePlan:
    """Supervisors of the case's team; never the plan's own author or case manager."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.SUPERVISE)
    return _detail(
        services.plan_approve(
            actor=user, plan=plan, expected_version=payload.version, comment=payload.comment
        )
    )


@router.post("/plans/{plan_id}/return", response=with_errors({200: PlanOut}, 403, 404, 409))
def return_plan(request: HttpRequest, plan_id: int, payload: PlanDecisionIn) -> ServicePlan:
    """Back to the case manager with comments (required)."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.SUPERVISE)
    return _detail(
        services.plan_return(
            actor=user, plan=plan, expected_version=payload.version, comment=payload.comment
        )
    )


@router.post("/plans/{plan_id}/revise", response=with_errors({201: PlanOut}, 403, 404))
def revise_plan(request: HttpRequest, plan_id: int) -> Status[ServicePlan]:
    """A new draft copied from the approved plan (or the draft already started)."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    return Status(201, _detail(services.plan_revise(actor=user, plan=plan)))


@router.get("/plan-approvals", response=with_errors({200: list[PlanSummaryOut]}))
@paginate(PageNumberPagination)
def list_approvals(request: HttpRequest) -> QuerySet[ServicePlan]:
    """Plans waiting for a decision on the teams you supervise, oldest first."""
    return queries.approval_queue(request_user(request))


@router.get(
    "/cases/{case_id}/plan-versions", response=with_errors({200: list[PlanVersionOut]}, 404)
)
@paginate(PageNumberPagination)
def list_versions(request: HttpRequest, case_id: int) -> QuerySet[PlanVersion]:
    """Every approved version, as it was approved, newest first."""
    user = request_user(request)
    return queries.versions(user, access.get_case(user, case_id))


# --- goals, objectives, steps -----------------------------------------------------------------


@router.post("/plans/{plan_id}/goals", response=with_errors({201: GoalOut}, 403, 404))
def add_goal(request: HttpRequest, plan_id: int, payload: GoalIn) -> Status[Goal]:
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    goal = services.goal_add(actor=user, plan=plan, **payload.model_dump())
    return Status(201, _goal_detail(goal))


GOAL_FIELDS = ("client_words", "summary", "priority", "strengths_used", "need_id")


@router.patch("/plan-goals/{goal_id}", response=with_errors({200: GoalOut}, 403, 404, 409))
def update_goal(request: HttpRequest, goal_id: int, payload: GoalPatch) -> Goal:
    user = request_user(request)
    goal = queries.get_goal(user, goal_id, Action.CHANGE)
    values = _merged(goal, payload, GOAL_FIELDS)
    saved = services.goal_update(actor=user, goal=goal, expected_version=payload.version, **values)
    return _goal_detail(saved)


@router.delete("/plan-goals/{goal_id}", response=with_errors({204: None}, 403, 404, 409))
def remove_goal(request: HttpRequest, goal_id: int, version: int) -> Status[None]:
    """``?version=`` the goal's version, as for any change."""
    user = request_user(request)
    goal = queries.get_goal(user, goal_id, Action.CHANGE)
    services.goal_remove(actor=user, goal=goal, expected_version=version)
    return Status(204, None)


@router.post(
    "/plan-goals/{goal_id}/objectives", response=with_errors({201: ObjectiveOut}, 403, 404)
)
def add_objective(request: HttpRequest, goal_id: int, payload: ObjectiveIn) -> Status[Objective]:
    user = request_user(request)
    goal = queries.get_goal(user, goal_id, Action.CHANGE)
    return Status(201, services.objective_add(actor=user, goal=goal, **payload.model_dump()))


@router.patch(
    "/plan-objectives/{objective_id}", response=with_errors({200: ObjectiveOut}, 403, 404, 409)
)
def update_objective(request: HttpRequest, objective_id: int, payload: ObjectivePatch) -> Objective:
    user = request_user(request)
    objective = queries.get_objective(user, objective_id, Action.CHANGE)
    values = _merged(objective, payload, ("description", "measure", "target_date"))
    return services.objective_update(
        actor=user, objective=objective, expected_version=payload.version, **values
    )


@router.post(
    "/plan-objectives/{objective_id}/progress",
    response=with_errors({200: ObjectiveOut}, 403, 404, 409),
)
def objective_progress(request: HttpRequest, objective_id: int, payload: ProgressIn) -> Objective:
    """Progress on an objective; also on the approved plan."""
    user = request_user(request)
    objective = queries.get_objective(user, objective_id, Action.CHANGE)
    return services.objective_progress(
        actor=user,
        objective=objective,
        expected_version=payload.version,
        status=payload.status,
        achieved_on=payload.achieved_on,
    )


@router.delete("/plan-objectives/{objective_id}", response=with_errors({204: None}, 403, 404, 409))
def remove_objective(request: HttpRequest, objective_id: int, version: int) -> Status[None]:
    user = request_user(request)
    objective = queries.get_objective(user, objective_id, Action.CHANGE)
    services.objective_remove(actor=user, objective=objective, expected_version=version)
    return Status(204, None)


@router.post("/plan-goals/{goal_id}/steps", response=with_errors({201: StepOut}, 403, 404))
def add_step(request: HttpRequest, goal_id: int, payload: StepIn) -> Status[ActionStep]:
    user = request_user(request)
    goal = queries.get_goal(user, goal_id, Action.CHANGE)
    return Status(201, services.step_add(actor=user, goal=goal, **payload.model_dump()))


STEP_FIELDS = ("description", "owner_kind", "owner_user_id", "owner_name", "due_date")


@router.patch("/plan-steps/{step_id}", response=with_errors({200: StepOut}, 403, 404, 409))
def update_step(request: HttpRequest, step_id: int, payload: StepPatch) -> ActionStep:
    user = request_user(request)
    step = queries.get_step(user, step_id, Action.CHANGE)
    values = _merged(step, payload, STEP_FIELDS)
    return services.step_update(actor=user, step=step, expected_version=payload.version, **values)


@router.delete("/plan-steps/{step_id}", response=with_errors({204: None}, 403, 404, 409))
def remove_step(request: HttpRequest, step_id: int, version: int) -> Status[None]:
    user = request_user(request)
    step = queries.get_step(user, step_id, Action.CHANGE)
    services.step_remove(actor=user, step=step, expected_version=version)
    return Status(204, None)


# --- reviews ----------------------------------------------------------------------------------


@router.get("/plans/{plan_id}/reviews", response=with_errors({200: list[ReviewOut]}, 404))
@paginate(PageNumberPagination)
def list_reviews(request: HttpRequest, plan_id: int) -> QuerySet[PlanReview]:
    user = request_user(request)
    plan = queries.get_plan(user, plan_id)
    return queries.reviews(user, plan).order_by("-reviewed_on", "-pk")


@router.post("/plans/{plan_id}/reviews", response=with_errors({201: ReviewOut}, 403, 404))
def record_review(request: HttpRequest, plan_id: int, payload: ReviewIn) -> Status[PlanReview]:
    """Rate every goal of the active plan; sets the case's next review date."""
    user = request_user(request)
    plan = queries.get_plan(user, plan_id, Action.CHANGE)
    review = services.plan_review_record(
        actor=user,
        plan=plan,
        ratings=[services.Rating(**r.model_dump()) for r in payload.ratings],
        reviewed_on=payload.reviewed_on,
        summary=payload.summary,
        outcome=payload.outcome,
    )
    return Status(201, queries.reviews(user, plan).get(pk=review.pk))

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from casework.clients.models import Case
from casework.core.models import User
from casework.plans import services
from casework.plans.models import Goal, ServicePlan, StepOwner


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def draft_with_goal(
    user: User, case: Case, *, words: str = "I want my own place"
) -> tuple[ServicePlan, Goal]:
    """A draft plan with one goal, one objective and one step: ready to submit."""
    plan = services.plan_create(actor=user, case=case, strengths="Keeps appointments")
    goal = services.goal_add(actor=user, plan=plan, client_words=words, summary="Stable housing")
    services.objective_add(
        actor=user,
        goal=goal,
        description="Apply for two apartments",
        target_date=timezone.localdate() + timedelta(days=30),
    )
    services.step_add(
        actor=user, goal=goal, description="Gather pay stubs", owner_kind=StepOwner.CLIENT
    )
    return plan, goal


def approved_plan(case_manager: User, supervisor: User, case: Case) -> ServicePlan:
    plan, _goal = draft_with_goal(case_manager, case)
    plan = services.plan_submit(actor=case_manager, plan=plan, expected_version=plan.version)
    return services.plan_approve(actor=supervisor, plan=plan, expected_version=plan.version)

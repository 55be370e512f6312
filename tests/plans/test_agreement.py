"""The client's agreement belongs to a version of the plan: a change after it asks for it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from casework.core.models import User
from casework.plans import services
from casework.plans.models import Acknowledgement, ClientAgreement, Progress, ServicePlan
from casework.plans.queries import plan_with_detail
from casework.plans.snapshot import agreement_state
from tests.personas import Personas

from .conftest import draft_with_goal, in_days

SignIn = Callable[[User], Any]


def _signed(p: Personas, plan: ServicePlan) -> ServicePlan:
    return services.plan_participation_record(
        actor=p.case_manager,
        plan=plan,
        expected_version=plan.version,
        reviewed_with_client_on=timezone.localdate(),
        client_agreement=ClientAgreement.AGREES,
        client_comments="",
        acknowledgement=Acknowledgement.SIGNED_PAPER,
        acknowledged_on=timezone.localdate(),
    )


def _returned_after_signing(p: Personas) -> ServicePlan:
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = _signed(p, plan)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    return services.plan_return(
        actor=p.supervisor, plan=plan, expected_version=plan.version, comment="Add a goal"
    )


def test_agreement_is_to_the_plan_as_it_was(personas: Personas) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    assert agreement_state(plan) == "none"
    plan = _signed(p, plan)
    assert agreement_state(plan_with_detail(plan)) == "current"
    services.goal_add(actor=p.case_manager, plan=plan, client_words="I want a job")
    assert agreement_state(plan_with_detail(plan)) == "outdated"
    # Going through it again with the client makes it theirs again.
    plan = _signed(p, ServicePlan.objects.get(pk=plan.pk))
    assert agreement_state(plan_with_detail(plan)) == "current"


def test_progress_is_not_a_change_of_the_plan(personas: Personas) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    plan = _signed(p, plan)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    plan = services.plan_approve(actor=p.supervisor, plan=plan, expected_version=plan.version)
    objective = goal.objectives.get()
    services.objective_progress(
        actor=p.case_manager,
        objective=objective,
        expected_version=objective.version,
        status=Progress.IN_PROGRESS,
    )
    assert agreement_state(plan_with_detail(plan)) == "current"


def test_a_changed_plan_does_not_say_the_client_signed_it(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    plan = _returned_after_signing(p)
    printed = client_as(p.case_manager).get(reverse("case-plan-print", args=[plan.pk]))
    assert "You signed this plan on" in printed.content.decode()
    services.goal_add(actor=p.case_manager, plan=plan, client_words="I want to finish school")
    html = client_as(p.case_manager).get(reverse("case-plan-print", args=[plan.pk])).content
    printed_now = html.decode()
    assert "You signed this plan on" not in printed_now
    assert "you agreed to an earlier version of this plan" in printed_now
    assert "Your signature" in printed_now
    panel = client_as(p.case_manager).get(reverse("case-plan", args=[p.case.pk])).content.decode()
    assert "The plan has changed since the client agreed to it" in panel


def test_the_supervisor_is_told_before_deciding(personas: Personas, client_as: SignIn) -> None:
    p = personas
    plan = _returned_after_signing(p)
    goal = services.goal_add(
        actor=p.case_manager, plan=plan, client_words="I want to finish school"
    )
    services.objective_add(
        actor=p.case_manager,
        goal=goal,
        description="Enrol for the spring term",
        target_date=in_days(60),
    )
    plan.refresh_from_db()
    services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    page = client_as(p.supervisor).get(reverse("case-plan", args=[p.case.pk])).content.decode()
    assert "The client agreed to an earlier version of this plan, not to this one." in page
    other, _goal = draft_with_goal(p.colleague, p.colleague_case, words="I want a car")
    assert agreement_state(other) == "none"

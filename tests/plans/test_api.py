"""The plans API: writing a plan, the workflow, versions and reviews, and its errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casework.core.models import User
from casework.plans import services
from tests.api.conftest import ApiClient, api_as, assert_error, constant_queries, token_for
from tests.factories import CaseFactory
from tests.personas import Personas

from .conftest import approved_plan, draft_with_goal, in_days

__all__ = ["api_as", "token_for"]

pytestmark = pytest.mark.django_db

As = Callable[[User], ApiClient]


def test_a_plan_from_draft_to_approval(personas: Personas, api_as: As) -> None:
    p = personas
    cm = api_as(p.case_manager)
    created = cm.post(f"/cases/{p.case.pk}/plans", {"strengths": "Determined"})
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft"
    assert plan["number"] == 1
    goal = cm.post(
        f"/plans/{plan['id']}/goals", {"client_words": "Keep my apartment", "priority": 1}
    )
    assert goal.status_code == 201, goal.content
    goal_id = goal.json()["id"]
    bad = cm.post(f"/plan-goals/{goal_id}/objectives", {"description": "", "target_date": None})
    assert_error(bad, 422, "invalid")
    objective = cm.post(
        f"/plan-goals/{goal_id}/objectives",
        {"description": "Pay rent on time for 3 months", "target_date": str(in_days(90))},
    )
    assert objective.status_code == 201, objective.content
    step = cm.post(
        f"/plan-goals/{goal_id}/steps",
        {"description": "Set up automatic payment", "owner_kind": "client"},
    )
    assert step.status_code == 201, step.content
    submitted = cm.post(f"/plans/{plan['id']}/submit", {"version": plan["version"]})
    assert submitted.status_code == 200, submitted.content
    plan = submitted.json()
    assert plan["status"] == "submitted"
    assert plan["goals"][0]["objectives"][0]["description"] == "Pay rent on time for 3 months"

    own = cm.post(f"/plans/{plan['id']}/approve", {"version": plan["version"]})
    assert_error(own, 403, "permission_denied")
    sup = api_as(p.supervisor)
    queue = sup.get("/plan-approvals").json()
    assert [item["id"] for item in queue["items"]] == [plan["id"]]
    no_comment = sup.post(f"/plans/{plan['id']}/return", {"version": plan["version"]})
    error = assert_error(no_comment, 422, "invalid")
    assert "comment" in error["fields"]
    approved = sup.post(f"/plans/{plan['id']}/approve", {"version": plan["version"]})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    versions = cm.get(f"/cases/{p.case.pk}/plan-versions").json()
    assert versions["items"][0]["snapshot"]["goals"][0]["client_words"] == "Keep my apartment"


def test_a_stale_change_gets_409_with_the_current_version(personas: Personas, api_as: As) -> None:
    p = personas
    _plan, goal = draft_with_goal(p.case_manager, p.case)
    cm = api_as(p.case_manager)
    first = cm.patch(f"/plan-goals/{goal.pk}", {"version": goal.version, "summary": "Housing"})
    assert first.status_code == 200, first.content
    assert first.json()["client_words"] == "I want my own place"
    stale = cm.patch(f"/plan-goals/{goal.pk}", {"version": goal.version, "summary": "Other"})
    error = assert_error(stale, 409, "conflict")
    assert error["current_version"] == goal.version + 1


def test_the_clients_participation_and_a_review(personas: Personas, api_as: As) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    cm = api_as(p.case_manager)
    recorded = cm.post(
        f"/plans/{plan.pk}/participation",
        {
            "version": plan.version,
            "reviewed_with_client_on": str(in_days(0)),
            "client_agreement": "agrees",
            "acknowledgement": "signed_paper",
            "acknowledged_on": str(in_days(0)),
        },
    )
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["acknowledgement"] == "signed_paper"
    goal = plan.goals.get()
    review = cm.post(
        f"/plans/{plan.pk}/reviews",
        {"ratings": [{"goal_id": goal.pk, "attainment": 2, "status": "achieved"}]},
    )
    assert review.status_code == 201, review.content
    assert review.json()["ratings"][0]["attainment"] == 2
    out_of_range = cm.post(
        f"/plans/{plan.pk}/reviews",
        {"ratings": [{"goal_id": goal.pk, "attainment": 3, "status": "achieved"}]},
    )
    assert_error(out_of_range, 422, "invalid")
    assert cm.get(f"/plans/{plan.pk}/reviews").json()["count"] == 1


def test_removing_a_step_needs_its_version(personas: Personas, api_as: As) -> None:
    p = personas
    _plan, goal = draft_with_goal(p.case_manager, p.case)
    step = goal.steps.get()
    cm = api_as(p.case_manager)
    assert_error(cm.delete(f"/plan-steps/{step.pk}?version=99"), 409, "conflict")
    assert cm.delete(f"/plan-steps/{step.pk}?version={step.version}").status_code == 204


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider"])
def test_plans_of_cases_one_may_not_see_are_not_found(
    personas: Personas, api_as: As, who: str
) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    api = api_as(getattr(p, who))
    assert_error(api.get(f"/plans/{plan.pk}"), 404, "not_found")
    assert_error(api.get(f"/cases/{p.case.pk}/plans"), 404, "not_found")
    assert_error(
        api.patch(f"/plan-goals/{goal.pk}", {"version": 1, "summary": "x"}), 404, "not_found"
    )
    assert api.get("/plan-approvals").json()["items"] == []


def test_a_case_manager_may_not_approve_and_gets_403(personas: Personas, api_as: As) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    assert_error(
        api_as(p.case_manager).post(f"/plans/{plan.pk}/approve", {"version": plan.version}),
        403,
        "permission_denied",
    )


def test_the_plan_and_queue_cost_a_fixed_number_of_queries(personas: Personas, api_as: As) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    sup = api_as(p.supervisor)

    def grow_queue() -> None:
        case = CaseFactory(team=p.team, case_manager=p.case_manager)
        draft, _goal = draft_with_goal(p.case_manager, case)
        services.plan_submit(actor=p.case_manager, plan=draft, expected_version=draft.version)

    constant_queries(lambda: sup.get("/plan-approvals"), grow_queue, 10)

    other_case = CaseFactory(team=p.team, case_manager=p.case_manager)
    draft, _goal = draft_with_goal(p.case_manager, other_case)
    cm = api_as(p.case_manager)

    def grow_goals() -> None:
        for n in range(3):
            goal = services.goal_add(actor=p.case_manager, plan=draft, client_words=f"Goal {n}")
            services.objective_add(
                actor=p.case_manager, goal=goal, description="Do it", target_date=in_days(9)
            )
            services.step_add(
                actor=p.case_manager, goal=goal, description="Start", owner_kind="client"
            )

    constant_queries(lambda: cm.get(f"/plans/{draft.pk}"), grow_goals, 15)

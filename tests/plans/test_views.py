"""Plan pages: writing in place with htmx, the workflow buttons, the queue, versions,
reviews, the printable plan, and what each page costs in queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from casework.core.models import User
from casework.plans import services
from casework.plans.models import Goal, PlanStatus, ServicePlan
from tests.factories import CaseFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import approved_plan, draft_with_goal, in_days

pytestmark = pytest.mark.django_db

As = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


def test_the_case_page_summarises_the_plan(personas: Personas, client_as: As) -> None:
    p = personas
    page = client_as(p.case_manager).get(f"/cases/{p.case.pk}/")
    assert "Start the plan" in page.content.decode()
    approved_plan(p.case_manager, p.supervisor, p.case)
    page = client_as(p.case_manager).get(f"/cases/{p.case.pk}/")
    assert "Version 1 is in force" in page.content.decode()


def test_a_case_manager_starts_a_plan_and_adds_a_goal_in_place(
    personas: Personas, client_as: As
) -> None:
    p = personas
    web = client_as(p.case_manager)
    started = web.post(f"/cases/{p.case.pk}/plan/start/")
    assert started.status_code == 302
    plan = ServicePlan.objects.get(case=p.case)
    form = web.get(f"/plans/{plan.pk}/goals/new/", headers=HTMX)
    assert form.status_code == 200
    assert form["HX-Retarget"] == f"#new-goal-{plan.pk}"
    bad = web.post(
        f"/plans/{plan.pk}/goals/new/", {"client_words": "", "priority": 2}, headers=HTMX
    )
    assert bad.status_code == 400
    assert "The goal in the client&#x27;s words" in bad.content.decode()
    added = web.post(
        f"/plans/{plan.pk}/goals/new/",
        {"client_words": "Get my kids back home", "priority": 1, "summary": "Reunification"},
        headers=HTMX,
    )
    assert added.status_code == 200
    assert added["HX-Retarget"] == f"#plan-{plan.pk}"
    assert "Get my kids back home" in added.content.decode()
    goal = Goal.objects.get(plan=plan)
    objective = web.post(
        f"/plan-goals/{goal.pk}/objectives/new/",
        {"description": "Complete parenting class", "target_date": in_days(40).isoformat()},
    )
    assert objective.status_code == 302
    step = web.post(
        f"/plan-goals/{goal.pk}/steps/new/",
        {"description": "Find a class", "owner_kind": "provider", "owner_name": "Family Center"},
    )
    assert step.status_code == 302
    page = web.get(f"/cases/{p.case.pk}/plan/").content.decode()
    assert "Complete parenting class" in page
    assert "Family Center" in page


def test_a_stale_goal_edit_is_refused_with_an_explanation(
    personas: Personas, client_as: As
) -> None:
    p = personas
    _plan, goal = draft_with_goal(p.case_manager, p.case)
    seen = goal.version
    services.goal_update(
        actor=p.supervisor,
        goal=goal,
        expected_version=seen,
        client_words="Somewhere safe to live",
        summary="",
        priority=1,
        strengths_used="",
    )
    response = client_as(p.case_manager).post(
        f"/plan-goals/{goal.pk}/edit/",
        {"expected_version": seen, "client_words": "My words", "priority": 2},
        headers=HTMX,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this goal while you were editing it" in body
    goal.refresh_from_db()
    assert goal.client_words == "Somewhere safe to live"


def test_submit_return_and_approve_through_the_pages(personas: Personas, client_as: As) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    cm = client_as(p.case_manager)
    assert (
        cm.post(f"/plans/{plan.pk}/submit/", {"expected_version": plan.version}).status_code == 302
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    # The case manager sees no decision buttons and may not decide.
    assert "Approve the plan" not in cm.get(f"/cases/{p.case.pk}/plan/").content.decode()
    assert cm.post(f"/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 403

    sup = client_as(p.supervisor)
    queue = sup.get("/plans/approvals/").content.decode()
    assert p.case.reference in queue
    no_comment = sup.post(
        f"/plans/{plan.pk}/decide/", {"expected_version": plan.version, "decision": "return"}
    )
    assert no_comment.status_code == 400
    assert "Say what should change" in no_comment.content.decode()
    returned = sup.post(
        f"/plans/{plan.pk}/decide/",
        {"expected_version": plan.version, "decision": "return", "comment": "Add a date"},
    )
    assert returned.status_code == 302
    page = client_as(p.case_manager).get(f"/cases/{p.case.pk}/plan/").content.decode()
    assert "Returned for revision" in page and "Add a date" in page
    plan.refresh_from_db()
    client_as(p.case_manager).post(f"/plans/{plan.pk}/submit/", {"expected_version": plan.version})
    plan.refresh_from_db()
    approved = client_as(p.supervisor).post(
        f"/plans/{plan.pk}/decide/", {"expected_version": plan.version, "decision": "approve"}
    )
    assert approved.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_a_supervisor_cannot_approve_their_own_plan(personas: Personas, client_as: As) -> None:
    p = personas
    own_case = CaseFactory(team=p.team, case_manager=p.supervisor)
    plan, _goal = draft_with_goal(p.supervisor, own_case)
    plan = services.plan_submit(actor=p.supervisor, plan=plan, expected_version=plan.version)
    web = client_as(p.supervisor)
    page = web.get(f"/cases/{own_case.pk}/plan/").content.decode()
    assert "Approve the plan" not in page
    assert "another supervisor of the team decides" in page
    refused = web.post(
        f"/plans/{plan.pk}/decide/", {"expected_version": plan.version, "decision": "approve"}
    )
    assert refused.status_code == 403
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider", "partner", "admin"])
def test_people_without_access_to_the_case_get_not_found(
    personas: Personas, client_as: As, who: str
) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    web = client_as(getattr(p, who))
    for url in (
        f"/cases/{p.case.pk}/plan/",
        f"/plans/{plan.pk}/print/",
        f"/plans/{plan.pk}/panel/",
        f"/plan-goals/{goal.pk}/edit/",
        f"/cases/{p.case.pk}/plan/versions/",
    ):
        assert web.get(url).status_code == 404, url
    assert web.post(f"/plans/{plan.pk}/submit/", {"expected_version": 1}).status_code == 404


def test_only_supervisors_have_an_approval_queue(personas: Personas, client_as: As) -> None:
    assert client_as(personas.case_manager).get("/plans/approvals/").status_code == 403
    assert client_as(personas.supervisor).get("/plans/approvals/").status_code == 200


def test_the_printable_plan_speaks_to_the_client(personas: Personas, client_as: As) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    body = client_as(p.case_manager).get(f"/plans/{plan.pk}/print/").content.decode()
    assert "Your plan" in body
    assert "“I want my own place”" in body
    assert "objective" not in body.lower().split("<article", 1)[1]
    assert "<strong>You:</strong> Gather pay stubs" in body


def test_the_versions_page_shows_what_changed(personas: Personas, client_as: As) -> None:
    p = personas
    first = approved_plan(p.case_manager, p.supervisor, p.case)
    draft = services.plan_revise(actor=p.case_manager, plan=first)
    services.goal_add(actor=p.case_manager, plan=draft, client_words="Learn to drive")
    new_goal = draft.goals.get(client_words="Learn to drive")
    services.objective_add(
        actor=p.case_manager,
        goal=new_goal,
        description="Pass the theory test",
        target_date=in_days(60),
    )
    draft = services.plan_submit(actor=p.case_manager, plan=draft, expected_version=draft.version)
    services.plan_approve(actor=p.supervisor, plan=draft, expected_version=draft.version)
    body = client_as(p.case_manager).get(f"/cases/{p.case.pk}/plan/versions/").content.decode()
    assert "What changed from version 1 to version 2" in body
    assert "Goal added" in body and "Learn to drive" in body
    assert "Objective added" in body


def test_a_review_is_recorded_from_its_page(personas: Personas, client_as: As) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    goal = plan.goals.get()
    web = client_as(p.case_manager)
    assert web.get(f"/plans/{plan.pk}/review/").status_code == 200
    missing = web.post(f"/plans/{plan.pk}/review/", {"reviewed_on": in_days(0).isoformat()})
    assert missing.status_code == 400
    done = web.post(
        f"/plans/{plan.pk}/review/",
        {
            "reviewed_on": in_days(0).isoformat(),
            "outcome": "continue",
            f"attainment_{goal.pk}": "1",
            f"status_{goal.pk}": "in_progress",
            f"comment_{goal.pk}": "Two viewings",
        },
    )
    assert done.status_code == 302
    page = web.get(f"/cases/{p.case.pk}/plan/").content.decode()
    assert "Two viewings" in page


def _add_goals(user: User, plan: ServicePlan, n: int) -> None:
    for i in range(n):
        goal = services.goal_add(actor=user, plan=plan, client_words=f"Goal {i}")
        services.objective_add(
            actor=user, goal=goal, description=f"Objective {i}", target_date=in_days(10)
        )
        services.step_add(actor=user, goal=goal, description=f"Step {i}", owner_kind="client")


def test_the_plan_page_runs_a_fixed_number_of_queries(personas: Personas, client_as: As) -> None:
    p = personas
    # The page at its fullest: a plan in force, reviewed, and a revision being written.
    active = approved_plan(p.case_manager, p.supervisor, p.case)
    goal = active.goals.get()
    services.plan_review_record(
        actor=p.case_manager, plan=active, ratings=[services.Rating(goal.pk, 0, "in_progress")]
    )
    draft = services.plan_revise(actor=p.case_manager, plan=active)
    web = client_as(p.case_manager)
    url = f"/cases/{p.case.pk}/plan/"

    def load() -> Any:
        response = web.get(url)
        assert response.status_code == 200
        return response

    load()
    assert_query_budget(load, 40)
    assert_constant_queries(load, lambda: _add_goals(p.case_manager, draft, 4))


def test_the_approval_queue_runs_a_fixed_number_of_queries(
    personas: Personas, client_as: As
) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    web = client_as(p.supervisor)

    def load() -> Any:
        response = web.get("/plans/approvals/")
        assert response.status_code == 200
        return response

    def grow() -> None:
        for _ in range(3):
            case = CaseFactory(team=p.team, case_manager=p.case_manager)
            draft, _goal = draft_with_goal(p.case_manager, case)
            services.plan_submit(actor=p.case_manager, plan=draft, expected_version=draft.version)

    assert_query_budget(load, 15)
    assert_constant_queries(load, grow)


def test_the_home_page_shows_returned_plans_and_plans_waiting(
    personas: Personas, client_as: As
) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    supervisor_home = client_as(p.supervisor).get("/").content.decode()
    assert "Plans waiting for your approval" in supervisor_home
    assert p.case.reference in supervisor_home
    assert "Plan approvals" in supervisor_home
    services.plan_return(
        actor=p.supervisor, plan=plan, expected_version=plan.version, comment="Needs dates"
    )
    home = client_as(p.case_manager).get("/").content.decode()
    assert "Plans returned for revision" in home
    assert "Needs dates" in home
    assert "Plan approvals" not in home


def test_the_clients_part_and_progress_are_recorded_in_place(
    personas: Personas, client_as: As
) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    web = client_as(p.case_manager)
    today = in_days(0).isoformat()
    missing = web.post(
        f"/plans/{plan.pk}/participation/",
        {
            "expected_version": plan.version,
            "reviewed_with_client_on": today,
            "client_agreement": "disagrees",
            "acknowledgement": "",
        },
        headers=HTMX,
    )
    assert missing.status_code == 400
    assert "in the client&#x27;s words" in missing.content.decode()
    saved = web.post(
        f"/plans/{plan.pk}/participation/",
        {
            "expected_version": plan.version,
            "reviewed_with_client_on": today,
            "client_agreement": "partly",
            "client_comments": "Not the east side, please.",
            "acknowledgement": "signed_screen",
            "acknowledged_on": today,
            "signature_name": "Sarah J.",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert "Not the east side, please." in saved.content.decode()
    objective = plan.goals.get().objectives.get()
    progress = web.post(
        f"/plan-objectives/{objective.pk}/progress/",
        {"expected_version": objective.version, "status": "achieved"},
        headers=HTMX,
    )
    assert progress.status_code == 200
    objective.refresh_from_db()
    assert objective.achieved_on == in_days(0)

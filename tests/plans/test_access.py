"""Who may decide on a plan, and who has an approval queue."""

from __future__ import annotations

import pytest

from casework import access
from casework.plans import queries, services
from casework.plans import queries as plans_queries
from tests.factories import CaseFactory, TeamMembershipFactory, UserFactory
from tests.personas import Personas

from .conftest import draft_with_goal

pytestmark = pytest.mark.django_db


def test_only_a_supervisor_of_the_team_who_did_not_write_it_decides(personas: Personas) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    plan = queries.get_plan(p.supervisor, plan.pk)
    assert plans_queries.plan_decision_allows(p.supervisor, plan)
    for user in (p.case_manager, p.colleague, p.auditor, p.admin, p.intake, p.outsider):
        assert not plans_queries.plan_decision_allows(user, plan), user.email


def test_a_supervisor_who_manages_the_case_does_not_decide_on_its_plan(
    personas: Personas,
) -> None:
    p = personas
    case = CaseFactory(team=p.team, case_manager=p.supervisor)
    plan, _goal = draft_with_goal(p.supervisor, case)
    assert plans_queries.plan_is_own(p.supervisor, plan)
    assert not plans_queries.plan_decision_allows(p.supervisor, plan)


def test_a_plan_written_by_a_team_member_for_someone_elses_case_is_theirs_too(
    personas: Personas,
) -> None:
    p = personas
    other_supervisor = UserFactory(organization=p.agency, roles=["supervisor"])
    TeamMembershipFactory(team=p.team, user=other_supervisor, role="supervisor")
    plan, _goal = draft_with_goal(other_supervisor, p.case)
    assert not plans_queries.plan_decision_allows(other_supervisor, plan)
    assert plans_queries.plan_decision_allows(p.supervisor, plan)


def test_the_approval_queue_is_for_supervisors(personas: Personas) -> None:
    p = personas
    assert access.can_approve_plans(p.supervisor)
    for user in (p.case_manager, p.colleague, p.auditor, p.admin, p.partner, p.outsider):
        assert not access.can_approve_plans(user)
        assert list(queries.approval_queue(user)) == []

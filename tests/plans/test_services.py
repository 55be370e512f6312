"""Plan services: writing, the approval workflow, versions, reviews and concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.clients.models import Case
from casework.core.errors import ConflictError, PermissionDenied
from casework.core.models import AuditEvent
from casework.monitoring.models import Alert, AlertKind
from casework.plans import queries, services
from casework.plans.models import (
    Acknowledgement,
    ClientAgreement,
    Objective,
    PlanStatus,
    PlanVersion,
    Progress,
    ReviewOutcome,
    ServicePlan,
    StepOwner,
)
from casework.plans.services import Rating
from casework.plans.snapshot import plan_diff
from tests.factories import CaseFactory, TeamMembershipFactory, UserFactory
from tests.personas import Personas

from .conftest import approved_plan, draft_with_goal, in_days

pytestmark = pytest.mark.django_db


def test_a_case_manager_writes_a_draft_plan_with_goals_objectives_and_steps(
    personas: Personas,
) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    assert plan.status == PlanStatus.DRAFT
    assert plan.number == 1
    assert goal.objectives.count() == 1
    assert goal.steps.get().owner_kind == StepOwner.CLIENT
    event = AuditEvent.objects.filter(action="goal.add").get()
    assert "I want" not in str(event.changes)


def test_a_goal_needs_the_clients_words(personas: Personas) -> None:
    plan = services.plan_create(actor=personas.case_manager, case=personas.case)
    with pytest.raises(ValidationError) as exc:
        services.goal_add(actor=personas.case_manager, plan=plan, client_words="  ")
    assert "client_words" in exc.value.message_dict


def test_an_objective_needs_a_target_date(personas: Personas) -> None:
    _plan, goal = draft_with_goal(personas.case_manager, personas.case)
    with pytest.raises(ValidationError) as exc:
        services.objective_add(
            actor=personas.case_manager, goal=goal, description="Something", target_date=None
        )
    assert "target_date" in exc.value.message_dict


def test_a_step_for_a_provider_or_family_member_names_them(personas: Personas) -> None:
    _plan, goal = draft_with_goal(personas.case_manager, personas.case)
    with pytest.raises(ValidationError) as exc:
        services.step_add(
            actor=personas.case_manager, goal=goal, description="Call", owner_kind="provider"
        )
    assert "owner_name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.step_add(
            actor=personas.case_manager,
            goal=goal,
            description="Call",
            owner_kind="colleague",
            owner_user_id=personas.outsider.pk,
        )
    assert "owner_user" in exc.value.message_dict
    step = services.step_add(
        actor=personas.case_manager,
        goal=goal,
        description="Call",
        owner_kind="colleague",
        owner_user_id=personas.colleague.pk,
    )
    assert step.owner_user_id == personas.colleague.pk


def test_a_goal_can_start_from_an_assessed_need_of_the_same_case_only(
    personas: Personas,
) -> None:
    plan = services.plan_create(actor=personas.case_manager, case=personas.case)
    with pytest.raises(ValidationError) as exc:
        services.goal_add(
            actor=personas.case_manager, plan=plan, client_words="Words", need_id=999999
        )
    assert "need" in exc.value.message_dict


def test_a_case_has_one_plan_being_written_at_a_time(personas: Personas) -> None:
    services.plan_create(actor=personas.case_manager, case=personas.case)
    with pytest.raises(ValidationError):
        services.plan_create(actor=personas.case_manager, case=personas.case)


def test_submitting_needs_a_goal_with_an_objective(personas: Personas) -> None:
    p = personas
    plan = services.plan_create(actor=p.case_manager, case=p.case)
    with pytest.raises(ValidationError):
        services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    services.goal_add(actor=p.case_manager, plan=plan, client_words="Work again")
    with pytest.raises(ValidationError) as exc:
        services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    assert "measurable objective" in str(exc.value)


def test_submitting_alerts_the_teams_supervisors(personas: Personas) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    assert plan.status == PlanStatus.SUBMITTED
    alert = Alert.objects.get(kind=AlertKind.PLAN_SUBMITTED)
    assert alert.recipient == p.supervisor
    assert p.case.reference in alert.message
    assert list(queries.approval_queue(p.supervisor)) == [plan]
    assert list(queries.approval_queue(p.colleague)) == []


def test_a_submitted_plan_cannot_be_edited(personas: Personas) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    goal.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.goal_update(
            actor=p.case_manager,
            goal=goal,
            expected_version=goal.version,
            client_words="Changed",
            summary="",
            priority=1,
            strengths_used="",
        )
    assert "waiting for approval" in str(exc.value)


def test_return_then_revise_then_resubmit_then_approve(personas: Personas) -> None:
    p = personas
    plan, goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    with pytest.raises(ValidationError) as exc:
        services.plan_return(
            actor=p.supervisor, plan=plan, expected_version=plan.version, comment=""
        )
    assert "comment" in exc.value.message_dict
    plan = services.plan_return(
        actor=p.supervisor, plan=plan, expected_version=plan.version, comment="Add a date"
    )
    assert plan.status == PlanStatus.RETURNED
    assert plan.return_comment == "Add a date"
    returned = Alert.objects.get(kind=AlertKind.PLAN_RETURNED)
    assert returned.recipient == p.case_manager
    assert list(queries.returned_plans(p.case_manager)) == [plan]
    # deciding settles the supervisors' "waiting for your approval" alert
    assert Alert.objects.get(kind=AlertKind.PLAN_SUBMITTED).dismissed_at is not None

    services.objective_add(
        actor=p.case_manager,
        goal=goal,
        description="Visit the housing office",
        target_date=in_days(7),
    )
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    returned.refresh_from_db()
    assert returned.dismissed_at is not None  # resubmitted: the revision is done
    plan = services.plan_approve(actor=p.supervisor, plan=plan, expected_version=plan.version)
    assert plan.status == PlanStatus.APPROVED
    assert not Alert.objects.filter(kind=AlertKind.PLAN_SUBMITTED, dismissed_at=None).exists()
    assert plan.approved_on == timezone.localdate()
    p.case.refresh_from_db()
    assert p.case.next_review_on == timezone.localdate() + timedelta(
        days=p.program.review_interval_days
    )
    snapshot = PlanVersion.objects.get(plan=plan).snapshot
    assert len(snapshot["goals"][0]["objectives"]) == 2
    kinds = list(plan.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "submitted", "approved"]


def test_nobody_approves_or_returns_their_own_plan(personas: Personas) -> None:
    p = personas
    # The supervisor manages a case of their own team and writes its plan.
    own_case = CaseFactory(team=p.team, case_manager=p.supervisor)
    plan, _goal = draft_with_goal(p.supervisor, own_case)
    plan = services.plan_submit(actor=p.supervisor, plan=plan, expected_version=plan.version)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=p.supervisor, plan=plan, expected_version=plan.version)
    with pytest.raises(PermissionDenied):
        services.plan_return(
            actor=p.supervisor, plan=plan, expected_version=plan.version, comment="Fine"
        )
    # A second supervisor of the team may.
    other = UserFactory(organization=p.agency, roles=["supervisor"])
    TeamMembershipFactory(team=p.team, user=other, role="supervisor")
    plan = services.plan_approve(actor=other, plan=plan, expected_version=plan.version)
    assert plan.status == PlanStatus.APPROVED


def test_case_managers_and_other_teams_supervisors_cannot_decide(personas: Personas) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    other_sup = UserFactory(organization=p.agency, roles=["supervisor"])
    TeamMembershipFactory(team=p.other_team, user=other_sup, role="supervisor")
    for user in (p.case_manager, other_sup):
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=user, plan=plan, expected_version=plan.version)


def test_revising_an_approved_plan_keeps_it_active_until_the_revision_is_approved(
    personas: Personas,
) -> None:
    p = personas
    first = approved_plan(p.case_manager, p.supervisor, p.case)
    draft = services.plan_revise(actor=p.case_manager, plan=first)
    assert draft.number == 2
    assert draft.based_on == first
    assert services.plan_revise(actor=p.case_manager, plan=first) == draft
    active, open_plan = queries.current_plans(p.case)
    assert (active, open_plan) == (first, draft)
    goal = draft.goals.get()
    assert goal.key == first.goals.get().key
    services.goal_update(
        actor=p.case_manager,
        goal=goal,
        expected_version=goal.version,
        client_words="I want my own place near my sister",
        summary="Stable housing",
        priority=1,
        strengths_used="",
    )
    services.goal_add(actor=p.case_manager, plan=draft, client_words="Find work")
    services.step_remove(
        actor=p.case_manager, step=goal.steps.get(), expected_version=goal.steps.get().version
    )
    new_goal = draft.goals.get(client_words="Find work")
    services.objective_add(
        actor=p.case_manager, goal=new_goal, description="Two applications", target_date=in_days(9)
    )
    draft = services.plan_submit(actor=p.case_manager, plan=draft, expected_version=draft.version)
    draft = services.plan_approve(actor=p.supervisor, plan=draft, expected_version=draft.version)
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED
    assert ServicePlan.objects.filter(case=p.case, status=PlanStatus.APPROVED).get() == draft
    v1, v2 = PlanVersion.objects.filter(case=p.case).order_by("number")
    diff = plan_diff(v1.snapshot, v2.snapshot)
    changes = {g.text: g for g in diff.goals}
    assert changes["Find work"].change == "added"
    changed = changes["I want my own place near my sister"]
    assert changed.change == "changed"
    assert [f.label for f in changed.fields] == ["In the client's words", "Priority"]
    assert [(i.kind, i.change) for i in changed.items] == [("step", "removed")]


def test_two_people_editing_the_same_goal_the_second_save_is_refused(
    personas: Personas,
) -> None:
    p = personas
    TeamMembershipFactory(team=p.team, user=p.colleague, role="member")
    _plan, goal = draft_with_goal(p.case_manager, p.case)
    seen = goal.version
    values = {"summary": "", "priority": 2, "strengths_used": ""}
    services.goal_update(
        actor=p.case_manager, goal=goal, expected_version=seen, client_words="Mine", **values
    )
    with pytest.raises(ConflictError) as exc:
        services.goal_update(
            actor=p.colleague, goal=goal, expected_version=seen, client_words="Theirs", **values
        )
    assert "Someone else saved this goal" in exc.value.message
    goal.refresh_from_db()
    assert goal.client_words == "Mine"


def test_two_people_editing_the_plan_itself_the_second_save_is_refused(
    personas: Personas,
) -> None:
    p = personas
    plan = services.plan_create(actor=p.case_manager, case=p.case)
    seen = plan.version
    services.plan_update(
        actor=p.case_manager, plan=plan, expected_version=seen, strengths="A", supports="B"
    )
    with pytest.raises(ConflictError):
        services.plan_update(
            actor=p.supervisor, plan=plan, expected_version=seen, strengths="C", supports="D"
        )


def test_the_clients_participation_is_recorded_in_their_words(personas: Personas) -> None:
    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    with pytest.raises(ValidationError) as exc:
        services.plan_participation_record(
            actor=p.case_manager,
            plan=plan,
            expected_version=plan.version,
            reviewed_with_client_on=timezone.localdate(),
            client_agreement=ClientAgreement.PARTLY,
            client_comments="",
            acknowledgement=Acknowledgement.SIGNED_SCREEN,
            acknowledged_on=timezone.localdate(),
        )
    assert set(exc.value.message_dict) == {"client_comments", "signature_name"}
    plan = services.plan_participation_record(
        actor=p.case_manager,
        plan=plan,
        expected_version=plan.version,
        reviewed_with_client_on=timezone.localdate(),
        client_agreement=ClientAgreement.PARTLY,
        client_comments="I don't want to move out of town",
        acknowledgement=Acknowledgement.VERBAL,
        acknowledged_on=timezone.localdate(),
    )
    assert plan.client_agreement == ClientAgreement.PARTLY
    event = AuditEvent.objects.filter(action="plan.participation").get()
    assert "move" not in str(event.changes)


def test_a_review_rates_each_goal_and_sets_the_next_review(personas: Personas) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    goal = plan.goals.get()
    with pytest.raises(ValidationError) as exc:
        services.plan_review_record(actor=p.case_manager, plan=plan, ratings=[])
    assert f"goal_{goal.pk}" in exc.value.message_dict
    reviewed_on = timezone.localdate() - timedelta(days=1)
    review = services.plan_review_record(
        actor=p.case_manager,
        plan=plan,
        reviewed_on=reviewed_on,
        ratings=[Rating(goal.pk, 1, Progress.IN_PROGRESS, "Two viewings done")],
    )
    assert review.ratings.get().attainment == 1
    goal.refresh_from_db()
    assert goal.status == Progress.IN_PROGRESS
    p.case.refresh_from_db()
    assert p.case.next_review_on == reviewed_on + timedelta(days=p.program.review_interval_days)


def test_a_review_can_lead_to_a_revision(personas: Personas) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    goal = plan.goals.get()
    services.plan_review_record(
        actor=p.case_manager,
        plan=plan,
        ratings=[Rating(goal.pk, -1, Progress.CHANGED, "Wants a shared flat now")],
        outcome=ReviewOutcome.REVISE,
    )
    assert ServicePlan.objects.get(case=p.case, status=PlanStatus.DRAFT).number == 2


def test_overdue_objectives_are_those_of_active_plans_of_open_cases(personas: Personas) -> None:
    p = personas
    plan = approved_plan(p.case_manager, p.supervisor, p.case)
    objective = Objective.objects.get(goal__plan=plan)
    later = objective.target_date + timedelta(days=1)
    assert list(queries.overdue_objectives(today=later)) == [objective]
    assert list(queries.overdue_objectives(today=objective.target_date)) == []
    services.objective_progress(
        actor=p.case_manager,
        objective=objective,
        expected_version=objective.version,
        status=Progress.ACHIEVED,
    )
    assert list(queries.overdue_objectives(today=later)) == []
    # A draft's objectives are not monitored.
    other_case: Case = CaseFactory(team=p.team, case_manager=p.case_manager)
    draft_with_goal(p.case_manager, other_case)
    assert list(queries.overdue_objectives(today=later)) == []

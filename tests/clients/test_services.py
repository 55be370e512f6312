"""Client and case services: permission, validation, audit, history, concurrency."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.clients import services
from casework.clients.models import Case, CaseAssignment, CaseStatus, Client
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_intake_registers_a_client_and_opens_a_case(personas: Personas) -> None:
    p = personas
    client = services.client_create(
        actor=p.intake, first_name=" Rosa ", last_name="Diaz", date_of_birth=date(1988, 5, 2)
    )
    assert client.first_name == "Rosa"
    case = services.case_open(actor=p.intake, client=client, program=p.program, team=p.team)
    assert case.status == CaseStatus.SCREENING
    assert case.reference == "HS-00001"
    second = services.case_open(actor=p.intake, client=client, program=p.program, team=p.team)
    assert second.reference == "HS-00002"
    assert AuditEvent.objects.filter(action="case.open", client_id=client.pk).count() == 2


def test_a_case_manager_cannot_open_cases(personas: Personas) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=p.case_manager, client=p.case.client, program=p.program, team=p.team
        )


def test_case_open_names_every_bad_field(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        services.case_open(
            actor=p.intake,
            client=p.outsider_case.client,
            program=p.program,
            team=p.team,
            case_manager=p.colleague,
            status="closed",
        )
    errors = caught.value.message_dict
    assert set(errors) == {"client", "status", "case_manager"}
    assert not Case.objects.filter(client=p.outsider_case.client, program=p.program).exists()


def test_a_future_birth_date_is_refused(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.client_create(
            actor=personas.intake,
            first_name="A",
            last_name="B",
            date_of_birth=timezone.localdate() + timedelta(days=1),
        )
    assert "date_of_birth" in caught.value.message_dict
    assert not Client.objects.filter(first_name="A", last_name="B").exists()


def test_a_blank_name_is_refused_on_its_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.client_create(actor=personas.intake, first_name="  ", last_name="B")
    assert "first_name" in caught.value.message_dict


def test_the_supervisor_reassigns_and_history_is_kept(personas: Personas) -> None:
    p = personas
    from tests.factories import TeamMembershipFactory, UserFactory

    newcomer = UserFactory(organization=p.agency)
    TeamMembershipFactory(team=p.team, user=newcomer)
    case = services.case_assign(
        actor=p.supervisor, case=p.case, case_manager=newcomer, expected_version=1, reason="Leave"
    )
    assert case.case_manager == newcomer
    assert case.version == 2
    history = list(CaseAssignment.objects.filter(case=case).order_by("started_at"))
    assert [a.case_manager for a in history] == [p.case_manager, newcomer]
    assert history[0].ended_at is not None and history[1].ended_at is None
    with pytest.raises(ConflictError):
        services.case_assign(
            actor=p.supervisor, case=p.case, case_manager=p.case_manager, expected_version=1
        )


def test_a_case_manager_cannot_reassign_their_case(personas: Personas) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.case_assign(
            actor=p.case_manager, case=p.case, case_manager=p.supervisor, expected_version=None
        )


def test_only_team_members_can_be_assigned(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        services.case_assign(
            actor=p.supervisor, case=p.case, case_manager=p.colleague, expected_version=None
        )
    assert "case_manager" in caught.value.message_dict


def test_client_update_is_versioned_and_audits_field_names_only(personas: Personas) -> None:
    p = personas
    client = p.case.client
    updated = services.client_update(
        actor=p.case_manager,
        client=client,
        expected_version=1,
        first_name=client.first_name,
        last_name="Newname",
        preferred_name="Sunny",
        date_of_birth=client.date_of_birth,
        preferred_language="en",
    )
    assert updated.version == 2
    event = AuditEvent.objects.get(action="client.update")
    assert event.changes == {"fields": ["last_name", "preferred_name"]}
    assert "Newname" not in str(event.changes)
    with pytest.raises(ConflictError):
        services.client_update(
            actor=p.case_manager,
            client=client,
            expected_version=1,
            first_name="Other",
            last_name="Edit",
            preferred_name="",
            date_of_birth=None,
            preferred_language="en",
        )
    client.refresh_from_db()
    assert client.last_name == "Newname"


def test_a_colleague_on_another_team_cannot_edit_the_client(personas: Personas) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.client_update(
            actor=p.colleague,
            client=p.case.client,
            expected_version=None,
            first_name="X",
            last_name="Y",
            preferred_name="",
            date_of_birth=None,
            preferred_language="en",
        )


def test_the_supervisor_closes_a_case_and_the_assignment_ends(personas: Personas) -> None:
    p = personas
    closed = services.case_close(
        actor=p.supervisor, case=p.case, reason="Goals met", expected_version=1
    )
    assert closed.status == CaseStatus.CLOSED
    assert closed.closed_on == timezone.localdate()
    assert not CaseAssignment.objects.filter(case=closed, ended_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="case.close")
    assert event.changes["reason"] == "Goals met"
    with pytest.raises(ValidationError) as caught:
        services.case_close(actor=p.supervisor, case=closed, reason="again")
    assert "__all__" in caught.value.message_dict


def test_closing_needs_a_reason_and_a_sensible_date(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        services.case_close(
            actor=p.supervisor,
            case=p.case,
            reason=" ",
            closed_on=p.case.opened_on - timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"reason", "closed_on"}
    p.case.refresh_from_db()
    assert p.case.is_open


def test_a_case_manager_cannot_close_their_own_case(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.case_close(actor=personas.case_manager, case=personas.case, reason="Done")


def test_a_backdated_case_starts_its_assignment_on_the_opening_day(personas: Personas) -> None:
    p = personas
    opened = timezone.localdate() - timedelta(days=40)
    case = services.case_open(
        actor=p.supervisor,
        client=p.case.client,
        program=p.program,
        team=p.team,
        case_manager=p.case_manager,
        status=CaseStatus.ACTIVE,
        opened_on=opened,
    )
    assignment = case.assignments.get()
    assert timezone.localtime(assignment.started_at).date() == opened


def test_the_supervisor_puts_a_case_on_hold_and_back(personas: Personas) -> None:
    p = personas
    held = services.case_set_status(actor=p.supervisor, case=p.case, status=CaseStatus.ON_HOLD)
    assert held.status == CaseStatus.ON_HOLD
    assert AuditEvent.objects.filter(action="case.status", object_id=str(p.case.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.case_set_status(actor=p.case_manager, case=held, status=CaseStatus.ACTIVE)
    with pytest.raises(ValidationError) as caught:
        services.case_set_status(actor=p.supervisor, case=held, status=CaseStatus.CLOSED)
    assert "status" in caught.value.message_dict

"""Tasks, appointments, calendar feeds and case flags change only through their services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.clients.models import CaseStatus
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent
from casework.monitoring import services
from casework.monitoring.models import (
    AppointmentStatus,
    CalendarFeed,
    TaskStatus,
)
from tests.factories import UserFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def _task(p: Personas, **kwargs: object) -> services.Task:
    values: dict[str, object] = {
        "actor": p.case_manager,
        "case": p.case,
        "title": "Call the landlord",
        "assignee": p.case_manager,
        "due_on": timezone.localdate() + timedelta(days=3),
    }
    values.update(kwargs)
    return services.task_create(**values)  # type: ignore[arg-type]


def test_a_case_manager_creates_a_task_on_their_case_and_it_is_audited(
    personas: Personas,
) -> None:
    p = personas
    task = _task(p, details="Ask about the boiler")
    assert task.status == TaskStatus.OPEN
    assert task.organization_id == p.agency.pk
    event = AuditEvent.objects.get(action="task.create", object_id=str(task.pk))
    assert event.client_id == p.case.client_id
    assert "Call the landlord" not in str(event.changes)
    assert "boiler" not in str(event.changes)


def test_a_task_can_be_given_to_a_teammate_who_sees_the_case(personas: Personas) -> None:
    p = personas
    task = _task(p, assignee=p.supervisor)
    assert task.assignee == p.supervisor


def test_a_task_cannot_be_given_to_someone_who_cannot_see_the_case(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        _task(p, assignee=p.colleague)
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _task(p, assignee=p.outsider)


def test_a_task_without_a_case_may_go_to_anyone_in_the_agency(personas: Personas) -> None:
    p = personas
    task = _task(p, case=None, assignee=p.colleague)
    assert task.case is None


def test_a_task_needs_a_title_and_a_reminder_before_the_due_date(personas: Personas) -> None:
    p = personas
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        _task(p, title="  ", due_on=today, remind_on=today + timedelta(days=1))
    assert set(exc.value.message_dict) == {"title", "remind_on"}


def test_a_closed_case_takes_no_new_tasks(personas: Personas) -> None:
    p = personas
    p.case.status = CaseStatus.CLOSED
    p.case.save()
    with pytest.raises(ValidationError) as exc:
        _task(p)
    assert "case" in exc.value.message_dict


def test_people_who_may_not_document_the_case_cannot_add_tasks_to_it(
    personas: Personas,
) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        _task(p, actor=p.colleague, assignee=p.colleague)


def test_updating_a_task_from_a_stale_copy_is_refused(personas: Personas) -> None:
    p = personas
    task = _task(p)
    services.task_update(
        actor=p.case_manager,
        task=task,
        expected_version=1,
        title="Call the landlord again",
        assignee=p.case_manager,
    )
    with pytest.raises(ConflictError) as exc:
        services.task_update(
            actor=p.supervisor,
            task=task,
            expected_version=1,
            title="Something else",
            assignee=p.case_manager,
        )
    assert "Someone else saved this task" in exc.value.message
    task.refresh_from_db()
    assert task.title == "Call the landlord again"
    assert task.version == 2
    event = AuditEvent.objects.get(action="task.update")
    assert event.changes == {"fields": ["due_on", "title"]}


def test_a_task_is_completed_reopened_and_cancelled(personas: Personas) -> None:
    p = personas
    task = _task(p)
    done = services.task_complete(actor=p.case_manager, task=task, expected_version=1)
    assert done.status == TaskStatus.DONE
    assert done.completed_at is not None
    with pytest.raises(ValidationError):
        services.task_cancel(actor=p.case_manager, task=task)
    reopened = services.task_reopen(actor=p.case_manager, task=task)
    assert reopened.status == TaskStatus.OPEN
    assert reopened.completed_at is None
    cancelled = services.task_cancel(actor=p.case_manager, task=task)
    assert cancelled.status == TaskStatus.CANCELLED
    actions = list(
        AuditEvent.objects.filter(action__startswith="task.").values_list("action", flat=True)
    )
    assert actions.count("task.complete") == 1
    assert "task.reopen" in actions
    assert "task.cancel" in actions


def test_the_assignee_of_a_task_without_a_case_may_complete_it_others_may_not(
    personas: Personas,
) -> None:
    p = personas
    task = _task(p, case=None, assignee=p.colleague)
    services.task_complete(actor=p.colleague, task=task)
    with pytest.raises(PermissionDenied):
        services.task_reopen(actor=p.supervisor, task=task)


def _appointment(p: Personas, **kwargs: object) -> services.Appointment:
    start = timezone.now() + timedelta(days=1)
    values: dict[str, object] = {
        "actor": p.case_manager,
        "case": p.case,
        "kind": "home_visit",
        "title": "Home visit",
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "location": "12 Elm Street",
    }
    values.update(kwargs)
    return services.appointment_create(**values)  # type: ignore[arg-type]


def test_an_appointment_with_staff_attending_is_created_and_audited(personas: Personas) -> None:
    p = personas
    appointment = _appointment(p, attendees=[p.supervisor, p.case_manager])
    assert list(appointment.attendees.all()) == [p.supervisor]
    event = AuditEvent.objects.get(action="appointment.create")
    assert event.changes["attendee_ids"] == sorted([p.supervisor.pk, p.case_manager.pk])
    assert "Elm" not in str(event.changes)


def test_an_appointment_must_end_after_it_starts(personas: Personas) -> None:
    p = personas
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        _appointment(p, starts_at=start, ends_at=start - timedelta(minutes=1), kind="nonsense")
    assert set(exc.value.message_dict) == {"ends_at", "kind"}


def test_attendees_must_be_able_to_see_the_case(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        _appointment(p, attendees=[p.colleague])
    assert "attendees" in exc.value.message_dict


def test_an_appointment_update_changes_attendees_and_refuses_stale_copies(
    personas: Personas,
) -> None:
    p = personas
    appointment = _appointment(p, attendees=[p.supervisor])
    other = UserFactory(organization=p.agency, roles=["case_manager"])
    p.team.memberships.create(organization=p.agency, user=other)
    updated = services.appointment_update(
        actor=p.case_manager,
        appointment=appointment,
        expected_version=1,
        kind="phone",
        title="Phone call instead",
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        attendees=[other],
    )
    assert updated.version == 2
    assert list(updated.attendees.all()) == [other]
    with pytest.raises(ConflictError):
        services.appointment_update(
            actor=p.case_manager,
            appointment=appointment,
            expected_version=1,
            kind="phone",
            title="x",
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
        )


def test_an_appointment_is_marked_attended_or_missed(personas: Personas) -> None:
    p = personas
    appointment = _appointment(p)
    services.appointment_set_status(
        actor=p.case_manager, appointment=appointment, status=AppointmentStatus.MISSED
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.MISSED
    with pytest.raises(ValidationError):
        services.appointment_set_status(
            actor=p.case_manager, appointment=appointment, status="vanished"
        )


def test_an_attendee_who_is_not_on_the_case_team_cannot_change_an_appointment(
    personas: Personas,
) -> None:
    p = personas
    appointment = _appointment(p, case=None, attendees=[p.colleague])
    with pytest.raises(PermissionDenied):
        services.appointment_set_status(
            actor=p.colleague, appointment=appointment, status=AppointmentStatus.CANCELLED
        )


def test_a_new_calendar_feed_replaces_the_old_one_and_keeps_only_a_hash(
    personas: Personas,
) -> None:
    p = personas
    first, secret = services.calendar_feed_create(actor=p.case_manager)
    assert first.token_hash == CalendarFeed.hash(secret)
    assert secret not in first.token_hash
    second, _secret = services.calendar_feed_create(actor=p.case_manager)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_active
    assert services.calendar_feed_revoke(actor=p.case_manager) == 1
    assert services.calendar_feed_revoke(actor=p.case_manager) == 0
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()


def test_case_flags_are_set_by_the_team_and_audited(personas: Personas) -> None:
    p = personas
    case = services.case_set_flags(
        actor=p.case_manager,
        case=p.case,
        expected_version=p.case.version,
        legal_involvement=True,
        cps_involvement=False,
        aps_involvement=False,
        high_risk=True,
    )
    assert case.legal_involvement and case.high_risk
    event = AuditEvent.objects.get(action="case.flags")
    assert event.changes == {"legal_involvement": [False, True], "high_risk": [False, True]}
    assert event.client_id == p.case.client_id
    with pytest.raises(ConflictError):
        services.case_set_flags(
            actor=p.supervisor,
            case=p.case,
            expected_version=1,
            legal_involvement=False,
            cps_involvement=False,
            aps_involvement=False,
            high_risk=False,
        )


def test_case_flags_cannot_be_set_by_people_outside_the_case(personas: Personas) -> None:
    p = personas
    for who in (p.colleague, p.auditor, p.intake):
        with pytest.raises(PermissionDenied):
            services.case_set_flags(
                actor=who,
                case=p.case,
                expected_version=None,
                legal_involvement=True,
                cps_involvement=True,
                aps_involvement=True,
                high_risk=True,
            )

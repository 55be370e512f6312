"""Who may see and change tasks, appointments, alerts and flags, and who may not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from casework import access
from casework.access import Action
from casework.core.models import User
from casework.monitoring import queries
from casework.monitoring import queries as monitoring_queries
from tests.factories import AlertFactory, AppointmentFactory, TaskFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider", "admin", "partner", "intake"])
def test_people_without_the_case_get_404_for_its_tasks_appointments_and_flags(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    task = TaskFactory(case=p.case)
    appointment = AppointmentFactory(case=p.case)
    user = getattr(p, who)
    assert not queries.tasks(user).exists()
    assert not queries.appointments(user).exists()
    web = client_as(user)
    for url in (
        reverse("task-edit", args=[task.pk]),
        reverse("appointment-edit", args=[appointment.pk]),
        reverse("case-task-new", args=[p.case.pk]),
        reverse("case-appointment-new", args=[p.case.pk]),
    ):
        assert web.get(url).status_code == 404, url
    for url in (
        reverse("task-status", args=[task.pk, "complete"]),
        reverse("appointment-status", args=[appointment.pk]),
        reverse("case-flags", args=[p.case.pk]),
    ):
        assert web.post(url, {"status": "cancelled", "high_risk": "on"}).status_code == 404, url


def test_the_case_team_sees_and_changes_the_case_s_tasks_and_appointments(
    personas: Personas,
) -> None:
    p = personas
    task = TaskFactory(case=p.case)
    appointment = AppointmentFactory(case=p.case)
    assert monitoring_queries.task_allows(p.supervisor, task, Action.CHANGE)
    assert monitoring_queries.appointment_allows(p.supervisor, appointment, Action.CHANGE)
    assert list(queries.tasks(p.supervisor)) == [task]


def test_an_attendee_outside_the_case_team_may_see_but_not_change_an_appointment(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    appointment = AppointmentFactory(case=None, organization=p.agency, organizer=p.case_manager)
    appointment.attendee_rows.create(organization=p.agency, user=p.colleague)
    web = client_as(p.colleague)
    assert web.get(reverse("appointment-edit", args=[appointment.pk])).status_code == 200
    edit = web.post(reverse("appointment-edit", args=[appointment.pk]), {"title": "Mine now"})
    assert edit.status_code == 403
    status = web.post(
        reverse("appointment-status", args=[appointment.pk]),
        {"status": "cancelled", "expected_version": 1},
    )
    assert status.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"


def test_a_task_without_a_case_belongs_to_its_assignee_and_creator_only(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    task = TaskFactory(
        case=None, organization=p.agency, assignee=p.colleague, created_by=p.case_manager
    )
    assert client_as(p.colleague).get(reverse("task-edit", args=[task.pk])).status_code == 200
    assert client_as(p.case_manager).get(reverse("task-edit", args=[task.pk])).status_code == 200
    assert client_as(p.supervisor).get(reverse("task-edit", args=[task.pk])).status_code == 404


def test_alerts_are_for_their_recipient_alone(personas: Personas) -> None:
    p = personas
    alert = AlertFactory(case=p.case)
    assert list(queries.alerts(p.case_manager)) == [alert]
    for other in (p.supervisor, p.auditor, p.admin, p.outsider):
        assert not queries.alerts(other).exists()


def test_the_flags_form_is_offered_only_to_those_who_may_set_flags(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    url = reverse("case-detail", args=[p.case.pk])
    flags = reverse("case-flags", args=[p.case.pk])
    assert flags in client_as(p.supervisor).get(url).content.decode()
    assert access.can_set_case_flags(p.case_manager, p.case)
    assert not access.can_set_case_flags(p.colleague, p.case)
    assert not access.can_set_case_flags(p.auditor, p.case)


def test_staff_of_another_agency_cannot_be_given_work(personas: Personas) -> None:
    p = personas
    assert not access.can_be_assigned_work(p.outsider, None, p.agency.pk)
    assert access.can_be_assigned_work(p.colleague, None, p.agency.pk)
    assert not access.can_be_assigned_work(p.colleague, p.case, p.agency.pk)

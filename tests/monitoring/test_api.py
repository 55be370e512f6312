"""The tasks, appointments, alerts, calendar-feed and case-flags API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.core.models import User
from casework.monitoring.models import Alert, CalendarFeed, TaskStatus
from tests.api.conftest import ApiClient, assert_error, constant_queries
from tests.factories import AlertFactory, AppointmentFactory, CaseFactory, TaskFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db

Api = Callable[[User], ApiClient]


def test_a_case_manager_creates_lists_updates_and_completes_a_task(
    personas: Personas, api_as: Api
) -> None:
    p = personas
    api = api_as(p.case_manager)
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    created = api.post("/tasks", {"title": "Call the landlord", "case": p.case.pk, "due_on": due})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["assignee"]["id"] == p.case_manager.pk
    assert body["case"] == {"id": p.case.pk, "reference": p.case.reference}
    assert body["status"] == "open"
    listed = api.get("/tasks").json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]
    assert api.get("/tasks", show="due").json()["count"] == 1
    assert api.get("/tasks", show="overdue").json()["count"] == 0
    patched = api.patch(
        f"/tasks/{body['id']}",
        {"title": "Call the landlord today", "assignee": p.supervisor.pk, "version": 1},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["version"] == 2
    stale = api.patch(
        f"/tasks/{body['id']}", {"title": "x", "assignee": p.case_manager.pk, "version": 1}
    )
    assert assert_error(stale, 409, "conflict")
    done = api.post(f"/tasks/{body['id']}/complete", {"version": 2})
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert_error(api.post(f"/tasks/{body['id']}/explode", {}), 422, "invalid")


def test_task_problems_name_the_field(personas: Personas, api_as: Api) -> None:
    p = personas
    api = api_as(p.case_manager)
    error = assert_error(
        api.post("/tasks", {"title": " ", "case": p.case.pk, "assignee": p.colleague.pk}),
        422,
        "invalid",
    )
    assert set(error["fields"]) == {"title", "assignee"}
    error = assert_error(api.post("/tasks", {"title": "x", "assignee": 99999}), 422, "invalid")
    assert set(error["fields"]) == {"assignee"}


def test_tasks_on_cases_one_may_not_see_are_404_and_on_cases_one_may_only_see_403(
    personas: Personas, api_as: Api
) -> None:
    p = personas
    task = TaskFactory(case=p.case)
    colleague = api_as(p.colleague)
    assert_error(colleague.get(f"/tasks/{task.pk}"), 404, "not_found")
    assert_error(colleague.post("/tasks", {"title": "x", "case": p.case.pk}), 404, "not_found")
    auditor = api_as(p.auditor)
    assert auditor.get("/tasks", case=p.case.pk).status_code == 404


def test_a_case_s_open_tasks_are_listed_for_its_team(personas: Personas, api_as: Api) -> None:
    p = personas
    TaskFactory(case=p.case, assignee=p.supervisor)
    TaskFactory(case=p.case, status=TaskStatus.DONE)
    body = api_as(p.case_manager).get("/tasks", case=p.case.pk).json()
    assert body["count"] == 1


def test_appointments_are_created_listed_updated_and_marked(
    personas: Personas, api_as: Api
) -> None:
    p = personas
    api = api_as(p.case_manager)
    start = timezone.now() + timedelta(days=1)
    created = api.post(
        "/appointments",
        {
            "kind": "home_visit",
            "title": "Home visit",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "case": p.case.pk,
            "attendees": [p.supervisor.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [a["id"] for a in body["attendees"]] == [p.supervisor.pk]
    assert api.get("/appointments").json()["count"] == 1
    assert api_as(p.supervisor).get("/appointments").json()["count"] == 1
    bad = api.patch(
        f"/appointments/{body['id']}",
        {
            "kind": "phone",
            "title": "Call",
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
            "version": 1,
        },
    )
    assert set(assert_error(bad, 422, "invalid")["fields"]) == {"ends_at"}
    marked = api.post(f"/appointments/{body['id']}/status", {"status": "attended"})
    assert marked.json()["status"] == "attended"
    assert_error(api_as(p.colleague).get(f"/appointments/{body['id']}"), 404, "not_found")


def test_alerts_are_listed_for_their_recipient_and_dismissed(
    personas: Personas, api_as: Api
) -> None:
    p = personas
    mine = AlertFactory(case=p.case)
    theirs = AlertFactory(case=p.colleague_case)
    api = api_as(p.case_manager)
    assert [a["id"] for a in api.get("/alerts").json()["items"]] == [mine.pk]
    dismissed = api.post(f"/alerts/{mine.pk}/dismiss")
    assert dismissed.status_code == 200
    assert dismissed.json()["dismissed_at"]
    assert api.get("/alerts").json()["count"] == 0
    assert api.get("/alerts", include_dismissed=True).json()["count"] == 1
    assert_error(api.post(f"/alerts/{theirs.pk}/dismiss"), 404, "not_found")
    assert Alert.objects.get(pk=theirs.pk).dismissed_at is None


def test_a_calendar_feed_is_created_once_shown_and_revoked(personas: Personas, api_as: Api) -> None:
    p = personas
    api = api_as(p.case_manager)
    created = api.post("/calendar-feed")
    assert created.status_code == 201
    url = created.json()["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    assert api.delete("/calendar-feed").status_code == 204
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()


def test_case_flags_are_set_through_the_api(personas: Personas, api_as: Api) -> None:
    p = personas
    flags = {
        "legal_involvement": True,
        "cps_involvement": True,
        "aps_involvement": False,
        "high_risk": False,
    }
    response = api_as(p.case_manager).client.put(
        f"/api/v1/cases/{p.case.pk}/flags",
        {**flags, "version": p.case.version},
        content_type="application/json",
        headers=api_as(p.case_manager)._headers(),
    )
    assert response.status_code == 200, response.content
    assert response.json()["cps_involvement"] is True
    other = api_as(p.colleague)
    denied = other.client.put(
        f"/api/v1/cases/{p.case.pk}/flags",
        flags,
        content_type="application/json",
        headers=other._headers(),
    )
    assert_error(denied, 404, "not_found")


def test_the_task_and_alert_lists_run_a_fixed_number_of_queries(
    personas: Personas, api_as: Api
) -> None:
    p = personas
    api = api_as(p.case_manager)

    def grow() -> None:
        for _ in range(5):
            case = CaseFactory(team=p.team, case_manager=p.case_manager)
            TaskFactory(case=case)
            AlertFactory(case=case)
            AppointmentFactory(case=case).attendee_rows.create(
                organization=p.agency, user=p.supervisor
            )

    grow()
    constant_queries(lambda: api.get("/tasks"), grow, 8)
    constant_queries(lambda: api.get("/alerts"), grow, 8)
    constant_queries(lambda: api.get("/appointments"), grow, 9)

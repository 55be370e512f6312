"""Pages: my work, the caseload, tasks, appointments, alerts, the calendar feed settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.clients.models import Case
from casework.core.models import TeamRole, User
from casework.monitoring.models import Alert, Appointment, CalendarFeed, Task, TaskStatus
from tests.factories import (
    AlertFactory,
    AppointmentFactory,
    CaseFactory,
    TaskFactory,
    TeamMembershipFactory,
)
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
HTMX = {"HX-Request": "true"}


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


# --- my work -------------------------------------------------------------------------------


def test_my_work_shows_today_s_appointments_tasks_due_and_overdue_and_alerts(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    today = timezone.localdate()
    now = timezone.localtime()
    start = now.replace(hour=23, minute=0) if now.hour < 23 else now
    AppointmentFactory(case=p.case, title="Visit about the lease", starts_at=start)
    AppointmentFactory(case=p.case, title="Next week's visit", starts_at=now + timedelta(days=7))
    TaskFactory(case=p.case, title="Send the benefits form", due_on=today - timedelta(days=2))
    TaskFactory(case=p.case, title="Book the movers", due_on=today + timedelta(days=3))
    TaskFactory(case=p.case, title="Far away", due_on=today + timedelta(days=30))
    AlertFactory(case=p.case, message="No contact recorded on case X since then.")
    html = _html(client_as(p.case_manager).get(reverse("home")))
    assert "Today's appointments" in html
    assert "Visit about the lease" in html
    assert "Next week&#x27;s visit" not in html
    assert "Send the benefits form" in html
    assert "overdue since" in html
    assert "Book the movers" in html
    assert "Far away" not in html
    assert "No contact recorded on case X since then." in html


def test_my_work_shows_only_my_own_alerts_tasks_and_appointments(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    AlertFactory(case=p.colleague_case, message="Colleague alert")
    TaskFactory(case=p.colleague_case, title="Colleague task", due_on=timezone.localdate())
    html = _html(client_as(p.case_manager).get(reverse("home")))
    assert "Colleague alert" not in html
    assert "Colleague task" not in html
    assert "No alerts. Nothing needs your attention." in html


def test_an_alert_is_dismissed_from_my_work_with_htmx(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    alert = AlertFactory(case=p.case)
    web = client_as(p.case_manager)
    response = web.post(reverse("alert-dismiss", args=[alert.pk]), headers=HTMX)
    assert response.status_code == 200
    assert response.content == b""
    alert.refresh_from_db()
    assert alert.dismissed_at is not None
    assert alert.message not in _html(web.get(reverse("home")))


def test_dismissing_without_javascript_returns_to_where_one_was(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    alert = AlertFactory(case=p.case)
    response = client_as(p.case_manager).post(
        reverse("alert-dismiss", args=[alert.pk]), {"next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_nobody_dismisses_someone_else_s_alert(personas: Personas, client_as: SignIn) -> None:
    p = personas
    alert = AlertFactory(case=p.case)
    response = client_as(p.supervisor).post(reverse("alert-dismiss", args=[alert.pk]))
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).dismissed_at is None


@pytest.mark.parametrize("who", ["case_manager", "supervisor"])
def test_my_work_runs_the_same_queries_however_much_work_there_is(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    user = getattr(p, who)
    web = client_as(user)
    today = timezone.localdate()

    def grow() -> None:
        for _ in range(3):
            case = CaseFactory(team=p.team, case_manager=p.case_manager)
            TaskFactory(case=case, assignee=user, due_on=today - timedelta(days=1))
            TaskFactory(case=case, assignee=user, due_on=today + timedelta(days=1))
            AlertFactory(case=case, recipient=user)
            AppointmentFactory(case=case, organizer=user, starts_at=timezone.now())

    grow()
    web.get(reverse("home"))
    assert_constant_queries(lambda: web.get(reverse("home")), grow)
    # the existing panels, plus alerts (2), today's appointments (1), tasks (2)
    assert_query_budget(lambda: web.get(reverse("home")), 14)


# --- caseload ------------------------------------------------------------------------------


def test_the_caseload_shows_last_contact_next_review_and_flags(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    today = timezone.localdate()
    Case.objects.filter(pk=p.case.pk).update(
        last_contact_on=today - timedelta(days=3),
        next_review_on=today + timedelta(days=20),
        high_risk=True,
        cps_involvement=True,
    )
    html = _html(client_as(p.case_manager).get(reverse("case-list")))
    assert "Last contact" in html and "Next review" in html
    assert "High risk" in html
    assert ">CPS<" in html
    assert "Open referrals" not in html


def _references(response: Any) -> list[str]:
    html = _html(response)
    return [ref for ref in sorted(Case.objects.values_list("reference", flat=True)) if ref in html]


def test_the_caseload_sorts_by_last_contact_and_next_review(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    today = timezone.localdate()
    a = CaseFactory(team=p.team, last_contact_on=today - timedelta(days=50), next_review_on=today)
    b = CaseFactory(
        team=p.team, last_contact_on=today - timedelta(days=5), next_review_on=today - timedelta(1)
    )
    web = client_as(p.case_manager)
    url = reverse("case-list")

    def order(sort: str) -> list[str]:
        html = _html(web.get(url, {"sort": sort, "team": p.team.pk}))
        return sorted([a.reference, b.reference], key=html.index)

    assert order("last_contact") == [a.reference, b.reference]
    assert order("-last_contact") == [b.reference, a.reference]
    assert order("next_review") == [b.reference, a.reference]
    assert order("-next_review") == [a.reference, b.reference]


def test_the_caseload_filters_by_flags_no_contact_and_review_due(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    today = timezone.localdate()
    Case.objects.filter(team=p.team).update(last_contact_on=today)
    risky = CaseFactory(team=p.team, high_risk=True, last_contact_on=today)
    legal = CaseFactory(team=p.team, legal_involvement=True, last_contact_on=today)
    silent = CaseFactory(team=p.team, last_contact_on=today - timedelta(days=31))
    never = CaseFactory(team=p.team, opened_on=today - timedelta(days=45))
    due = CaseFactory(team=p.team, next_review_on=today + timedelta(days=6), last_contact_on=today)
    web = client_as(p.case_manager)
    url = reverse("case-list")

    def refs(**params: Any) -> set[str]:
        html = _html(web.get(url, {"team": p.team.pk, **params}))
        every = (p.case, risky, legal, silent, never, due)
        return {c.reference for c in every if c.reference in html}

    assert refs(flags=["high_risk"]) == {risky.reference}
    assert refs(flags=["high_risk", "legal_involvement"]) == {risky.reference, legal.reference}
    assert refs(no_contact="on") == {silent.reference, never.reference}
    assert refs(review_due="on") == {due.reference}


def test_the_caseload_runs_the_same_queries_however_many_cases_there_are(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("case-list")
    params = {"sort": "last_contact", "flags": ["high_risk"], "no_contact": "on"}
    web.get(url)

    def grow() -> None:
        for _ in range(4):
            colleague = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
            CaseFactory.create_batch(3, team=p.team, case_manager=colleague, high_risk=True)

    grow()
    assert_constant_queries(lambda: web.get(url, params), grow)
    assert_query_budget(lambda: web.get(url, params), 8)
    assert_query_budget(lambda: web.get(url, params, headers=HTMX), 7)


# --- the case page -------------------------------------------------------------------------


def test_the_case_page_lists_open_tasks_and_next_appointments_with_ways_to_add(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    TaskFactory(case=p.case, title="Call the landlord")
    TaskFactory(case=p.case, title="Finished one", status=TaskStatus.DONE)
    AppointmentFactory(case=p.case, title="Home visit soon")
    html = _html(client_as(p.case_manager).get(reverse("case-detail", args=[p.case.pk])))
    assert "Call the landlord" in html
    assert "Finished one" not in html
    assert "Home visit soon" in html
    assert reverse("case-task-new", args=[p.case.pk]) in html
    assert reverse("case-appointment-new", args=[p.case.pk]) in html
    assert reverse("case-flags", args=[p.case.pk]) in html


def test_flags_are_saved_from_the_case_page(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.case_manager).post(
        reverse("case-flags", args=[p.case.pk]),
        {"legal_involvement": "on", "aps_involvement": "on", "expected_version": p.case.version},
    )
    assert response.status_code == 302
    p.case.refresh_from_db()
    assert p.case.legal_involvement and p.case.aps_involvement and not p.case.high_risk


def test_a_stale_flags_form_is_refused_with_an_explanation(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    web.post(reverse("case-flags", args=[p.case.pk]), {"high_risk": "on", "expected_version": 1})
    response = web.post(
        reverse("case-flags", args=[p.case.pk]), {"expected_version": 1}, follow=True
    )
    assert "Someone else saved this case" in _html(response)
    p.case.refresh_from_db()
    assert p.case.high_risk


def test_the_case_page_runs_the_same_queries_however_many_tasks_there_are(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("case-detail", args=[p.case.pk])
    web.get(url)

    def grow() -> None:
        for _ in range(3):
            TaskFactory(case=p.case)
            AppointmentFactory(case=p.case)

    assert_constant_queries(lambda: web.get(url), grow)


# --- tasks and appointments pages ----------------------------------------------------------


def test_a_task_is_added_from_the_case_page_and_completed_from_my_tasks(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    form = _html(web.get(reverse("case-task-new", args=[p.case.pk])))
    assert 'name="goal"' in form
    due = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = web.post(
        reverse("case-task-new", args=[p.case.pk]),
        {"title": "Call the landlord", "assignee": p.case_manager.pk, "due_on": due},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.case == p.case
    listing = _html(web.get(reverse("task-list"), {"show": "due"}))
    assert "Call the landlord" in listing
    web.post(
        reverse("task-status", args=[task.pk, "complete"]),
        {"expected_version": 1, "next": reverse("task-list")},
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert "Call the landlord" in _html(web.get(reverse("task-list"), {"show": "done"}))
    assert "Call the landlord" not in _html(web.get(reverse("task-list")))


def test_a_task_form_with_problems_names_them(personas: Personas, client_as: SignIn) -> None:
    p = personas
    today = timezone.localdate()
    response = client_as(p.case_manager).post(
        reverse("case-task-new", args=[p.case.pk]),
        {
            "title": "x",
            "assignee": p.colleague.pk,
            "due_on": today.isoformat(),
            "remind_on": (today + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose an active member of your agency who may see the case." in html
    assert "The reminder must come on or before the due date." in html
    assert not Task.objects.exists()


def test_a_stale_task_edit_is_refused_with_an_explanation(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    task = TaskFactory(case=p.case, version=2)
    response = client_as(p.case_manager).post(
        reverse("task-edit", args=[task.pk]),
        {"title": "Mine", "assignee": p.case_manager.pk, "expected_version": 1},
    )
    assert response.status_code == 409
    assert "Someone else saved this task" in response.content.decode()


def test_an_appointment_is_added_from_the_case_page_and_shown_as_upcoming(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    start = timezone.localtime() + timedelta(days=2)
    response = web.post(
        reverse("case-appointment-new", args=[p.case.pk]),
        {
            "kind": "home_visit",
            "title": "Check the repairs",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "attendees": [p.supervisor.pk],
        },
    )
    assert response.status_code == 302, response.content
    appointment = Appointment.objects.get()
    assert list(appointment.attendees.all()) == [p.supervisor]
    assert "Check the repairs" in _html(client_as(p.supervisor).get(reverse("appointment-list")))
    web = client_as(p.case_manager)
    web.post(
        reverse("appointment-status", args=[appointment.pk]),
        {"status": "cancelled", "expected_version": 1},
    )
    assert "Check the repairs" not in _html(web.get(reverse("appointment-list")))


def test_the_alerts_page_lists_open_alerts_and_on_request_dismissed_ones(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    AlertFactory(case=p.case, message="Open one")
    AlertFactory(case=p.case, message="Old one", dismissed_at=timezone.now())
    web = client_as(p.case_manager)
    html = _html(web.get(reverse("alert-list")))
    assert "Open one" in html and "Old one" not in html
    assert "Old one" in _html(web.get(reverse("alert-list"), {"show": "all"}))


def test_the_list_pages_run_a_fixed_number_of_queries(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)

    def grow() -> None:
        for _ in range(3):
            case = CaseFactory(team=p.team, case_manager=p.case_manager)
            TaskFactory(case=case)
            AlertFactory(case=case)
            AppointmentFactory(case=case)

    grow()
    for name in ("task-list", "appointment-list", "alert-list"):
        web.get(reverse(name))
        assert_constant_queries(lambda name=name: web.get(reverse(name)), grow)  # type: ignore[misc]
        assert_query_budget(lambda name=name: web.get(reverse(name)), 7)  # type: ignore[misc]


# --- calendar feed settings ---------------------------------------------------------------


def test_the_calendar_address_is_shown_once_and_can_be_stopped(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    assert reverse("account-calendar") in _html(web.get(reverse("account")))
    assert "You have no calendar address." in _html(web.get(reverse("account-calendar")))
    html = _html(web.post(reverse("account-calendar"), {"action": "create"}))
    assert "http://testserver/calendar/" in html
    feed = CalendarFeed.objects.get()
    later = _html(web.get(reverse("account-calendar")))
    assert "http://testserver/calendar/" not in later
    assert "You have an address" in later
    web.post(reverse("account-calendar"), {"action": "revoke"})
    feed.refresh_from_db()
    assert feed.revoked_at is not None

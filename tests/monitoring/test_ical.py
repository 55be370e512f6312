"""The calendar feed: valid iCalendar, the case number and kind only, gone when revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.monitoring import ical, services
from casework.monitoring.models import AppointmentStatus, TaskStatus
from tests.factories import AppointmentFactory, TaskFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def _feed(p: Personas) -> str:
    _feed, secret = services.calendar_feed_create(actor=p.case_manager)
    return reverse("calendar-feed", kwargs={"secret": secret})


def _lines(response: Any) -> list[str]:
    return list(ical.unfold(response.content.decode()))


@pytest.fixture
def named(personas: Personas) -> Personas:
    client = personas.case.client
    client.first_name, client.last_name, client.preferred_name = "Zebulon", "Quartermaine", ""
    client.save()
    return personas


def test_the_feed_is_valid_icalendar_with_appointments_and_task_due_dates(
    named: Personas,
) -> None:
    p = named
    visit = AppointmentFactory(case=p.case)
    meeting = AppointmentFactory(
        case=None, organization=p.agency, organizer=p.supervisor, kind="team_meeting"
    )
    meeting.attendee_rows.create(organization=p.agency, user=p.case_manager)
    task = TaskFactory(case=p.case, due_on=timezone.localdate() + timedelta(days=2))
    response = Client().get(_feed(p))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content.decode()
    assert raw.startswith("BEGIN:VCALENDAR\r\n")
    assert raw.endswith("END:VCALENDAR\r\n")
    assert "\n" not in raw.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    lines = _lines(response)
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3
    assert f"SUMMARY:Home visit · {p.case.reference}" in lines
    assert "SUMMARY:Team meeting" in lines
    assert f"SUMMARY:Task due · {p.case.reference}" in lines
    assert f"DTSTART;VALUE=DATE:{task.due_on:%Y%m%d}" in lines
    assert any(line == f"UID:appointment-{visit.pk}@testserver" for line in lines)
    assert any(line.startswith("DTSTART:") and line.endswith("Z") for line in lines)
    assert all(line.startswith("DTSTAMP:") for line in lines if "DTSTAMP" in line)


def test_the_feed_never_names_the_client_or_shows_titles_places_or_details(
    named: Personas,
) -> None:
    p = named
    AppointmentFactory(
        case=p.case, title="Visit Zebulon Quartermaine", location="Quartermaine home"
    )
    TaskFactory(case=p.case, title="Call Zebulon", details="Quartermaine's landlord")
    body = Client().get(_feed(p)).content.decode()
    unfolded = "".join(ical.unfold(body))
    for secret in ("Zebulon", "Quartermaine", "Elm Street", "landlord", "Visit"):
        assert secret not in unfolded


def test_cancelled_appointments_and_finished_tasks_are_left_out(personas: Personas) -> None:
    p = personas
    AppointmentFactory(case=p.case, status=AppointmentStatus.CANCELLED)
    TaskFactory(case=p.case, status=TaskStatus.DONE)
    lines = _lines(Client().get(_feed(p)))
    assert "BEGIN:VEVENT" not in lines


def test_colleagues_appointments_are_not_in_my_feed(personas: Personas) -> None:
    p = personas
    AppointmentFactory(case=p.case, organizer=p.supervisor)
    TaskFactory(case=p.case, assignee=p.supervisor)
    assert "BEGIN:VEVENT" not in _lines(Client().get(_feed(p)))


def test_a_revoked_or_replaced_address_answers_404(personas: Personas) -> None:
    p = personas
    url = _feed(p)
    services.calendar_feed_revoke(actor=p.case_manager)
    assert Client().get(url).status_code == 404
    url = _feed(p)
    _feed(p)
    assert Client().get(url).status_code == 404
    assert Client().get("/calendar/not-a-secret.ics").status_code == 404


def test_a_deactivated_person_s_feed_stops(personas: Personas) -> None:
    p = personas
    url = _feed(p)
    p.case_manager.is_active = False
    p.case_manager.save()
    assert Client().get(url).status_code == 404


def test_text_is_escaped_and_long_lines_are_folded_without_splitting_characters() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join([parts[0], *(part[1:] for part in parts[1:])]) == line

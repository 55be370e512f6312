"""The audit log page: auditors only, their own agency only, ids and never case content."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.clients.services import client_record_viewed
from casework.core import audit
from casework.core.models import AuditEvent, User
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
URL = "/audit/"


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>.*?</tr>", body.group(1), re.S) if body else []


def log(client_as: SignIn, user: User, **params: Any) -> str:
    response = client_as(user).get(reverse("audit-log"), params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_audit_log_has_its_url_name() -> None:
    assert reverse("audit-log") == URL


@pytest.mark.parametrize(
    "who", ["case_manager", "supervisor", "intake", "admin", "partner", "outsider"]
)
def test_only_auditors_may_read_the_audit_log(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    assert client_as(getattr(personas, who)).get(reverse("audit-log")).status_code == 403


def test_an_auditor_sees_who_did_what_when_and_from_where_newest_first(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client_record_viewed(actor=p.case_manager, client=p.case.client, via="web")
    audit.record(
        action="case.assign", actor=p.supervisor, target=p.case, client_id=p.case.client_id
    )
    html = log(client_as, p.auditor)
    found = rows(html)
    assert len(found) == 2
    newest, oldest = found
    assert "case.assign" in newest and "Sam Supervisor" in newest
    assert f"#{p.case.pk}" in newest
    assert "client.view" in oldest and "cm@riverside.test" in oldest
    assert f"<td>{p.case.client_id}</td>" in oldest
    # ids only: never the client's name or the case's content
    assert p.case.client.last_name not in html
    assert p.case.client.first_name not in html


def test_the_log_shows_the_address_the_request_came_from(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client_as(p.case_manager).get(
        reverse("client-detail", args=[p.case.client_id]), REMOTE_ADDR="203.0.113.7"
    )
    assert "203.0.113.7" in log(client_as, p.auditor)


def test_another_agencys_events_never_appear(personas: Personas, client_as: SignIn) -> None:
    p = personas
    audit.record(action="client.view", actor=p.outsider, target=p.outsider_case.client)
    html = log(client_as, p.auditor)
    assert p.outsider.email not in html
    assert "No events match these filters." in html


def test_the_log_filters_by_action_prefix_and_actor(personas: Personas, client_as: SignIn) -> None:
    p = personas
    audit.record(action="client.view", actor=p.case_manager, target=p.case.client)
    audit.record(action="client.update", actor=p.colleague, target=p.colleague_case.client)
    audit.record(action="team.member_add", actor=p.admin, target=p.team)

    clients_only = rows(log(client_as, p.auditor, action="client."))
    assert len(clients_only) == 2
    assert all("client." in row for row in clients_only)

    exact = rows(log(client_as, p.auditor, action="client.update"))
    assert len(exact) == 1

    by_admin = rows(log(client_as, p.auditor, actor=p.admin.pk))
    assert len(by_admin) == 1
    assert "team.member_add" in by_admin[0]


def test_the_log_filters_by_date_range(personas: Personas, client_as: SignIn) -> None:
    p = personas
    # The log is append-only (PostgreSQL refuses updates): insert an event written long ago,
    # on a chain of its own so the agency's chain stays intact.
    AuditEvent.objects.create(
        chain="test:earlier",
        sequence=1,
        occurred_at=timezone.now() - timedelta(days=10),
        organization=p.agency,
        actor=p.case_manager,
        actor_label=p.case_manager.email,
        action="client.view",
        previous_hash="0" * 64,
        hash="0" * 64,
    )
    audit.record(action="client.update", actor=p.case_manager, target=p.case.client)
    today = timezone.localdate()

    recent = rows(log(client_as, p.auditor, date_from=today.isoformat()))
    assert len(recent) == 1 and "client.update" in recent[0]

    earlier = (today - timedelta(days=11)).isoformat(), (today - timedelta(days=9)).isoformat()
    back_then = rows(log(client_as, p.auditor, date_from=earlier[0], date_to=earlier[1]))
    assert len(back_then) == 1 and "client.view" in back_then[0]


def test_a_backwards_date_range_is_explained(personas: Personas, client_as: SignIn) -> None:
    p = personas
    audit.record(action="client.view", actor=p.case_manager, target=p.case.client)
    today = timezone.localdate()
    html = log(
        client_as,
        p.auditor,
        date_from=today.isoformat(),
        date_to=(today - timedelta(days=3)).isoformat(),
    )
    assert "The end date is before the start date." in html
    assert rows(html) == []


def test_an_actor_from_another_agency_is_not_a_valid_filter(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    audit.record(action="client.view", actor=p.outsider, target=p.outsider_case.client)
    html = log(client_as, p.auditor, actor=p.outsider.pk)
    assert "Select a valid choice" in html
    assert p.outsider.email not in html


def test_the_log_pages_without_counting_the_whole_table(
    personas: Personas, client_as: SignIn, settings: Any
) -> None:
    p = personas
    settings.CASEWORK_PAGE_SIZE = 3
    for _ in range(7):
        audit.record(action="client.view", actor=p.case_manager, target=p.case.client)
    first = log(client_as, p.auditor)
    assert len(rows(first)) == 3
    assert "Page 1<" in first and "page=2" in first and "Previous page" not in first
    last = log(client_as, p.auditor, page=3)
    assert len(rows(last)) == 1
    assert "Next page" not in last and "page=2" in last


def test_htmx_gets_only_the_results(personas: Personas, client_as: SignIn) -> None:
    p = personas
    audit.record(action="client.view", actor=p.case_manager, target=p.case.client)
    response = client_as(p.auditor).get(
        reverse("audit-log"), {"action": "client."}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="audit-results"')
    assert "<html" not in html
    assert len(rows(html)) == 1


def test_the_log_runs_the_same_queries_however_many_events(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.auditor)
    url = reverse("audit-log")
    web.get(url)

    def grow() -> None:
        for user in (p.case_manager, p.supervisor, p.colleague, p.intake):
            for _ in range(10):
                audit.record(action="client.view", actor=user, target=p.case.client)

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 7)
    assert_query_budget(lambda: web.get(url, {"actor": p.case_manager.pk}), 8)

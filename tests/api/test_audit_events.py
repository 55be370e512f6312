"""The audit log through the API: auditors only, their own agency only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.clients.services import client_record_viewed
from casework.core import audit
from casework.core.models import AuditEvent
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(personas: Personas) -> None:
    client = personas.case.client
    client_record_viewed(actor=personas.case_manager, client=client, via="web")
    client_record_viewed(actor=personas.supervisor, client=client, via="web")
    audit.record(action="program.update", actor=personas.admin, target=personas.program)
    client_record_viewed(actor=personas.outsider, client=personas.outsider_case.client, via="web")


def actions(body: dict[str, list[dict[str, object]]]) -> list[object]:
    return [e["action"] for e in body["items"]]


def test_auditors_read_their_agencys_log_newest_first(
    personas: Personas, api_as: Callable[..., ApiClient], events: None
) -> None:
    body = api_as(personas.auditor).get("/audit-events").json()
    # The token the auditor's client was given is an event of its own.
    assert actions(body) == ["api_token.create", "program.update", "client.view", "client.view"]
    view = body["items"][-1]
    assert view["actor"] == {"id": personas.case_manager.pk, "label": "cm@riverside.test"}
    assert view["client_id"] == personas.case.client_id
    assert view["changes"] == {"via": "web"}
    assert personas.outsider.pk not in [e["actor"]["id"] for e in body["items"]]


def test_the_log_filters_by_action_actor_client_and_day(
    personas: Personas, api_as: Callable[..., ApiClient], events: None
) -> None:
    api = api_as(personas.auditor)
    assert len(api.get("/audit-events", action="client.view").json()["items"]) == 2
    by_supervisor = api.get("/audit-events", actor=personas.supervisor.pk).json()
    assert actions(by_supervisor) == ["client.view"]
    about_client = api.get("/audit-events", client=personas.case.client_id).json()
    assert actions(about_client) == ["client.view", "client.view"]

    today = timezone.localdate()
    day = timedelta(days=1)
    count = len(AuditEvent.objects.filter(organization=personas.agency))
    assert api.get("/audit-events", date_from=today, date_to=today).json()["count"] == count
    assert api.get("/audit-events", date_to=today - day).json()["count"] == 0
    assert api.get("/audit-events", date_from=today + day).json()["count"] == 0


def test_a_bad_date_names_the_filter(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    error = assert_error(
        api_as(personas.auditor).get("/audit-events", date_from="last week"), 422, "invalid"
    )
    assert list(error["fields"]) == ["date_from"]


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "admin", "intake", "outsider"])
def test_only_auditors_read_the_log(
    personas: Personas, api_as: Callable[..., ApiClient], who: str, events: None
) -> None:
    assert_error(api_as(getattr(personas, who)).get("/audit-events"), 403, "permission_denied")

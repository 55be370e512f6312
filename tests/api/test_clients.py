"""Client records through the API: who may read and change them, and that reads are logged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casework.api import api as casework_api
from casework.core.models import AuditEvent
from tests.factories import CaseFactory
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def views_of(client_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="client.view", client_id=client_id))


def test_reading_a_client_writes_a_view_event(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    response = api_as(personas.case_manager).get(f"/clients/{client.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == client.first_name
    assert body["version"] == 1
    [event] = views_of(client.pk)
    assert event.actor == personas.case_manager
    assert event.changes == {"via": "api"}
    assert event.organization == personas.agency
    assert event.request_id == response["X-Request-Id"]


def test_the_record_lists_only_cases_the_reader_may_see(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    hidden = CaseFactory(team=personas.other_team, client=client)
    body = api_as(personas.case_manager).get(f"/clients/{client.pk}").json()
    assert [c["id"] for c in body["cases"]] == [personas.case.pk]
    assert hidden.pk not in [c["id"] for c in body["cases"]]


@pytest.mark.parametrize("who", ["outsider", "colleague", "auditor", "admin", "partner"])
def test_people_without_access_get_404_and_nothing_is_logged(
    personas: Personas, api_as: Callable[..., ApiClient], who: str
) -> None:
    client_id = personas.case.client_id
    api = api_as(getattr(personas, who))
    guessed = api.get(f"/clients/{client_id}")
    assert_error(guessed, 404, "not_found")
    assert guessed.json() == api.get("/clients/999999").json()
    assert views_of(client_id) == []


def test_a_patch_changes_only_what_is_sent(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    client.preferred_name = "Sunny"
    client.save()
    response = api_as(personas.case_manager).patch(
        f"/clients/{client.pk}", {"version": 1, "preferred_language": "ES"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["preferred_language"], body["version"]) == ("es", 2)
    client.refresh_from_db()
    assert client.preferred_name == "Sunny"
    assert client.date_of_birth is not None
    event = AuditEvent.objects.get(action="client.update", client_id=client.pk)
    assert event.changes == {"fields": ["preferred_language"]}


def test_a_patch_may_clear_the_date_of_birth_but_not_the_name(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    api = api_as(personas.case_manager)
    error = assert_error(
        api.patch(f"/clients/{client.pk}", {"version": 1, "last_name": None}), 422, "invalid"
    )
    assert list(error["fields"]) == ["last_name"]
    cleared = api.patch(f"/clients/{client.pk}", {"version": 1, "date_of_birth": None})
    assert cleared.status_code == 200
    assert cleared.json()["date_of_birth"] is None


def test_a_failed_patch_changes_nothing(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    before = (client.first_name, client.last_name, client.date_of_birth)
    response = api_as(personas.case_manager).patch(
        f"/clients/{client.pk}",
        {"version": 1, "first_name": "Changed", "date_of_birth": "2999-01-01"},
    )
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == ["date_of_birth"]
    client.refresh_from_db()
    assert (client.first_name, client.last_name, client.date_of_birth) == before
    assert client.version == 1


def test_two_edits_from_the_same_version_conflict(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    # Names the generated client cannot already have: an edit that changes nothing
    # keeps the version, and the second edit would then rightly succeed.
    mine, theirs = f"{client.first_name}a", f"{client.first_name}b"
    first = api_as(personas.case_manager)
    second = api_as(personas.supervisor)
    assert (
        first.patch(f"/clients/{client.pk}", {"version": 1, "first_name": mine}).status_code == 200
    )
    error = assert_error(
        second.patch(f"/clients/{client.pk}", {"version": 1, "first_name": theirs}),
        409,
        "conflict",
    )
    assert error["current_version"] == 2
    client.refresh_from_db()
    assert client.first_name == mine


def test_another_agency_cannot_change_the_client(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    client = personas.case.client
    response = api_as(personas.outsider).patch(
        f"/clients/{client.pk}", {"version": 1, "first_name": "Hacked"}
    )
    assert_error(response, 404, "not_found")
    client.refresh_from_db()
    assert client.first_name != "Hacked"


def test_no_endpoint_takes_client_names_in_the_url(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    schema = casework_api.get_openapi_schema(path_prefix="/api/v1/")
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert not names & {"name", "first_name", "last_name", "q", "query", "search"}, path
    # Clients are listed only through POST /clients/search, with the query in the body.
    assert_error(api_as(personas.case_manager).get("/clients"), 405, "method_not_allowed")

"""Every error has one JSON shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import Client

from casework.api import api as casework_api
from casework.core import services
from casework.core.models import AuditEvent, Program
from tests.factories import ProgramFactory
from tests.personas import Personas

from .conftest import API, ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_a_bad_payload_names_each_field(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.admin)
    response = api.post("/programs", {"code": "x", "capacity": "many", "colour": "red"})
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == {
        "name": ["This field is required."],
        "capacity": ["Input should be a valid integer, unable to parse string as an integer"],
        "colour": ["This field is not accepted here."],
    }
    assert "name" in error["message"]
    assert not Program.objects.filter(code="x").exists()


def test_nested_problems_are_named_by_their_path(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.admin)
    response = api.post("/programs", {"name": "N", "code": "n", "eligibility_rules": ["x"]})
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == ["eligibility_rules.0"]


def test_query_parameters_are_named_too(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    error = assert_error(api_as(personas.case_manager).get("/cases", status="open"), 422, "invalid")
    assert list(error["fields"]) == ["status"]


def test_service_validation_errors_name_the_field_and_change_nothing(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.admin)
    program = personas.program
    response = api.patch(
        f"/programs/{program.pk}",
        {
            "version": program.version,
            "name": "Renamed",
            "eligibility_rules": [{"criterion": "shoe_size", "operator": "equals", "value": 9}],
        },
    )
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == ["eligibility_rules"]
    assert "shoe_size" in error["fields"]["eligibility_rules"][0]
    program.refresh_from_db()
    assert program.name == "Housing Stability"
    assert program.version == 1
    assert not AuditEvent.objects.filter(action="program.update").exists()


def test_a_uniqueness_error_names_the_field(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    response = api_as(personas.admin).post(
        "/programs", {"name": "Another name", "code": personas.program.code}
    )
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == ["code"]
    assert Program.objects.filter(code=personas.program.code).count() == 1


@pytest.mark.parametrize(
    "raised",
    [
        ValidationError("The program is full."),
        ValidationError({NON_FIELD_ERRORS: ["The program is full."]}),
    ],
)
def test_errors_about_the_whole_request_go_under_all(
    personas: Personas,
    api_as: Callable[..., ApiClient],
    monkeypatch: pytest.MonkeyPatch,
    raised: ValidationError,
) -> None:
    def refuse(**kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(services, "program_create", refuse)
    error = assert_error(
        api_as(personas.admin).post("/programs", {"name": "N", "code": "n"}), 422, "invalid"
    )
    assert error["fields"] == {"__all__": ["The program is full."]}
    assert error["message"] == "The program is full."


def test_a_body_that_is_not_json_is_a_bad_request(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.admin)
    response = api.client.post(
        f"{API}/programs",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    error = assert_error(response, 400, "bad_request")
    assert error["fields"] == {}


def _send(api: ApiClient, method: str, path: str, body: bytes, content_type: str) -> Any:
    return api.client.generic(
        method,
        f"{API}{path}",
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {api.token}"},
    )


def _documented(method: str, path: str) -> set[str]:
    document = casework_api.get_openapi_schema(path_prefix=f"{API}/")
    return {str(code) for code in document["paths"][f"{API}{path}"][method]["responses"]}


@pytest.mark.parametrize(
    "body",
    [b"\x00", b"{", b"\xff\xfe{}", b'{"name": NaN, "code": "n"}', b'{"name": Infinity}'],
)
@pytest.mark.parametrize(
    ("method", "path"), [("post", "/programs"), ("patch", "/programs/{program_id}")]
)
def test_a_body_that_cannot_be_parsed_is_a_documented_bad_request(
    personas: Personas, api_as: Callable[..., ApiClient], body: bytes, method: str, path: str
) -> None:
    api = api_as(personas.admin)
    response = _send(
        api, method, path.format(program_id=personas.program.pk), body, "application/json"
    )
    error = assert_error(response, 400, "bad_request")
    assert error["fields"] == {}
    assert "JSON" in error["message"]
    assert "400" in _documented(method, path)
    assert not Program.objects.filter(code="n").exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\x00", "multipart/form-data"),  # no boundary
        ("&".join(f"f{i}=1" for i in range(1500)).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_a_form_that_cannot_be_parsed_is_a_bad_request(
    personas: Personas, api_as: Callable[..., ApiClient], body: bytes, content_type: str
) -> None:
    # These reached the server-error handler (500) before.
    response = _send(
        api_as(personas.case_manager), "post", "/notes/1/attachments", body, content_type
    )
    error = assert_error(response, 400, "bad_request")
    assert error["fields"] == {}
    assert "400" in _documented("post", "/notes/{note_id}/attachments")


def test_a_body_that_is_too_large_is_refused_as_such(
    personas: Personas, api_as: Callable[..., ApiClient], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "code": "n"}).encode()
    response = _send(api_as(personas.admin), "post", "/programs", body, "application/json")
    error = assert_error(response, 413, "too_large")
    assert "too large" in error["message"]
    assert "413" in _documented("post", "/programs")


def test_a_missing_body_names_the_required_fields(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    error = assert_error(api_as(personas.admin).post("/programs"), 422, "invalid")
    assert error["fields"] == {
        "name": ["This field is required."],
        "code": ["This field is required."],
    }


def test_a_body_that_is_not_an_object_is_invalid_as_a_whole(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    error = assert_error(api_as(personas.admin).post("/programs", ["name"]), 422, "invalid")
    assert list(error["fields"]) == ["__all__"]


def test_permission_denied(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    response = api_as(personas.case_manager).post("/programs", {"name": "N", "code": "n"})
    error = assert_error(response, 403, "permission_denied")
    assert error["fields"] == {}
    assert not Program.objects.filter(code="n").exists()


def test_not_found_for_unknown_ids_and_unknown_paths(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.case_manager)
    assert_error(api.get("/programs/999999"), 404, "not_found")
    assert_error(api.get("/no-such-thing"), 404, "not_found")
    assert_error(Client().get(f"{API}/"), 404, "not_found")
    assert_error(Client().post(f"{API}/no/such/thing"), 404, "not_found")


def test_method_not_allowed(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    response = api_as(personas.case_manager).delete(f"/cases/{personas.case.pk}")
    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
    assert "GET" in error["message"]


def test_conflict_reports_the_current_version(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    program = services.program_update(
        actor=personas.admin, program=personas.program, expected_version=1, name="Renamed"
    )
    response = api_as(personas.admin).patch(
        f"/programs/{program.pk}", {"version": 1, "description": "Stale edit"}
    )
    error = assert_error(response, 409, "conflict")
    assert error["current_version"] == 2
    assert error["fields"] == {}
    program.refresh_from_db()
    assert program.description == ""


def test_a_server_error_reveals_nothing_and_logs_no_data(
    personas: Personas,
    api_as: Callable[..., ApiClient],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Jane Doe, born 1980-02-03"

    def broken(**kwargs: object) -> None:
        raise RuntimeError(secret)

    monkeypatch.setattr(services, "program_create", broken)
    with caplog.at_level(logging.ERROR, logger="casework.api"):
        response = api_as(personas.admin).post("/programs", {"name": "N", "code": "n"})
    error = assert_error(response, 500, "server_error")
    assert secret not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert error["fields"] == {}
    assert "RuntimeError" in caplog.text
    assert secret not in caplog.text


def test_responses_are_not_cached(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)
    assert api.get(f"/cases/{personas.case.pk}")["Cache-Control"] == "no-store"
    assert api.get("/no-such-thing")["Cache-Control"] == "no-store"


def test_another_agencys_program_looks_like_no_program(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    theirs = ProgramFactory(organization=personas.other_agency)
    api = api_as(personas.admin)
    guessed = api.get(f"/programs/{theirs.pk}")
    missing = api.get("/programs/999999")
    assert_error(guessed, 404, "not_found")
    assert guessed.json() == missing.json()

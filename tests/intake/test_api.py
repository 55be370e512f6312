"""The intake API: applications, screening, decisions, suggestions and documents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from casework.core.models import Program, User
from casework.intake import services
from casework.intake.models import Application
from tests.api.conftest import API, ApiClient, assert_error, constant_queries
from tests.factories import ClientFactory
from tests.personas import Personas

from .conftest import receive

pytestmark = pytest.mark.django_db

ApiAs = Callable[[User], ApiClient]


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(
        f"{API}{path}", body, content_type="application/json", headers=api._headers()
    )


def test_it_creates_screens_and_accepts(
    personas: Personas, program: Program, api_as: ApiAs
) -> None:
    p = personas
    api = api_as(p.intake)
    person = ClientFactory(organization=p.agency)
    response = api.post(
        "/intake/applications",
        {
            "client": person.pk,
            "program": program.pk,
            "source": "web_form",
            "presenting_needs": ["housing"],
            "screening_answers": {"county": "Harbor"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "screening"
    assert body["case"]["status"] == "screening"
    assert [r["outcome"] for r in body["screening"]["rules"]] == ["pass", "needs_info", "pass"]
    assert body["screening"]["outcome"] == "needs_info"
    app_id = body["id"]
    response = put(
        api,
        f"/intake/applications/{app_id}/screening",
        {
            "version": body["version"],
            "screening_answers": {"county": "Harbor", "household_income_percent_fpl": 10},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["screening"]["outcome"] == "pass"
    suggestions = api.get(f"/intake/applications/{app_id}/suggestions").json()
    assert suggestions[0]["reasons"]
    chosen = suggestions[0]["case_manager"]["id"]
    response = api.post(
        f"/intake/applications/{app_id}/accept",
        {"version": body["version"], "case_manager": chosen},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert body["case"]["status"] == "active"
    assert body["case"]["case_manager"]["id"] == chosen
    assert body["decisions"][0]["decision"] == "accept"


def test_errors_have_the_stable_shape(
    personas: Personas, application: Application, api_as: ApiAs
) -> None:
    p = personas
    api = api_as(p.intake)
    error = assert_error(
        api.post(
            "/intake/applications",
            {"client": p.outsider_case.client_id, "program": p.program.pk, "source": "walk_in"},
        ),
        422,
        "invalid",
    )
    assert set(error["fields"]) == {"client"}
    error = assert_error(
        api.post(
            f"/intake/applications/{application.pk}/decline",
            {"version": 1, "reason": "nope", "referral_elsewhere": ""},
        ),
        422,
        "invalid",
    )
    assert set(error["fields"]) == {"reason", "referral_elsewhere"}
    error = assert_error(
        put(
            api,
            f"/intake/applications/{application.pk}/screening",
            {"version": 1, "screening_answers": {"county": 3}},
        ),
        422,
        "invalid",
    )
    assert set(error["fields"]) == {"screening_answers.county"}
    assert_error(
        api.post(f"/intake/applications/{application.pk}/waitlist", {"version": 9, "priority": 1}),
        409,
        "conflict",
    )
    assert_error(
        api_as(p.case_manager).post(
            f"/intake/applications/{application.pk}/waitlist", {"version": 1, "priority": 1}
        ),
        403,
        "permission_denied",
    )
    assert_error(api_as(p.outsider).get(f"/intake/applications/{application.pk}"), 404, "not_found")


def test_the_waitlist_lists_in_order_with_positions(
    personas: Personas, program: Program, api_as: ApiAs
) -> None:
    p = personas
    ids = []
    for priority in (3, 1, 2):
        application = receive(p)
        services.application_waitlist(
            actor=p.intake, application=application, priority=priority, expected_version=None
        )
        ids.append(application.pk)
    body = api_as(p.intake).get("/intake/applications", status="waitlisted").json()
    assert [(i["id"], i["position"]) for i in body["items"]] == [
        (ids[1], 1),
        (ids[2], 2),
        (ids[0], 3),
    ]
    assert api_as(p.auditor).get("/intake/applications").json()["items"] == []


def test_the_list_runs_constant_queries(
    personas: Personas, program: Program, api_as: ApiAs
) -> None:
    p = personas
    api = api_as(p.intake)
    receive(p)
    constant_queries(
        lambda: api.get("/intake/applications"), lambda: [receive(p) for _ in range(4)], 8
    )


def test_documents_upload_and_download(
    personas: Personas, application: Application, token_for: Callable[[User], str]
) -> None:
    p = personas
    headers = {"Authorization": f"Bearer {token_for(p.intake)}"}
    web = Client()
    response = web.post(
        f"{API}/intake/applications/{application.pk}/documents",
        {"kind": "identity", "file": SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\nxx")},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    document_id = response.json()["id"]
    download = web.get(f"{API}/intake/documents/{document_id}", headers=headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    error = assert_error(
        web.post(
            f"{API}/intake/applications/{application.pk}/documents",
            {"kind": "identity", "file": SimpleUploadedFile("id.gif", b"GIF89a")},
            headers=headers,
        ),
        422,
        "invalid",
    )
    assert set(error["fields"]) == {"file"}
    outsider = {"Authorization": f"Bearer {token_for(p.outsider)}"}
    assert_error(
        web.get(f"{API}/intake/documents/{document_id}", headers=outsider), 404, "not_found"
    )

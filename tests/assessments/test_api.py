"""The assessments API: instruments, assessments, comparison, reports and needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from casework.assessments.models import InstrumentVersion
from casework.core.models import User
from tests.api.conftest import API, ApiClient, api_as, assert_error, constant_queries, token_for
from tests.personas import Personas

from .conftest import complete_needs, needs_answers

__all__ = ["api_as", "token_for"]

pytestmark = pytest.mark.django_db

As = Callable[[User], ApiClient]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_needs_assessment_from_start_to_signature(
    personas: Personas, needs_version: InstrumentVersion, api_as: As
) -> None:
    p = personas
    api = api_as(p.case_manager)
    instruments = api.get("/instruments").json()["items"]
    assert {i["code"] for i in instruments} >= {"comprehensive-intake", "life-domains"}
    created = api.post(f"/cases/{p.case.pk}/assessments", {"instrument_version": needs_version.pk})
    assert created.status_code == 201, created.content
    a = created.json()
    saved = api.patch(
        f"/assessments/{a['id']}", {"answers": {"housing_score": 2}, "version": a["version"]}
    )
    assert saved.status_code == 200
    assert saved.json()["answers"] == {"housing_score": 2}
    stale = api.patch(f"/assessments/{a['id']}", {"answers": {}, "version": a["version"]})
    error = assert_error(stale, 409, "conflict")
    assert error["current_version"] == a["version"] + 1
    bad = api.post(
        f"/assessments/{a['id']}/complete",
        {"answers": {"food_score": 7}, "version": a["version"] + 1},
    )
    error = assert_error(bad, 422, "invalid")
    assert error["fields"]["food_score"] == ["Choose a point from 1 to 5."]
    assert "income_score" in error["fields"]
    assert "housing_score" not in error["fields"]
    done = api.post(
        f"/assessments/{a['id']}/complete",
        {"answers": needs_answers({"housing": 1}), "version": a["version"] + 1},
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "completed"
    assert body["scores"]["housing"]["value"] == 1
    needs = api.get(f"/cases/{p.case.pk}/identified-needs").json()["items"]
    assert [(n["domain"], n["score"]) for n in needs] == [("housing", 1.0)]
    signed = api.post(
        f"/assessments/{a['id']}/sign", {"acknowledged": True, "version": body["version"]}
    )
    assert signed.status_code == 200
    assert signed.json()["signed_by"]["id"] == p.case_manager.pk
    listed = api.get(f"/cases/{p.case.pk}/assessments").json()
    assert listed["count"] == 1


def test_the_comparison(personas: Personas, needs_version: InstrumentVersion, api_as: As) -> None:
    p = personas
    first = complete_needs(
        p.case_manager,
        p.case,
        needs_version,
        {"housing": 1},
        assessed_on=timezone.localdate() - timedelta(days=91),
    )
    second = complete_needs(p.case_manager, p.case, needs_version, {"housing": 4})
    body = api_as(p.case_manager).get(f"/assessments/{second.pk}/comparison").json()
    assert body["previous_assessment_id"] == first.pk
    housing = next(r for r in body["rows"] if r["id"] == "housing")
    assert (housing["previous"], housing["current"], housing["change"]) == (1.0, 4.0, 3.0)
    assert housing["direction"] == "up"


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider"])
def test_others_get_404(
    personas: Personas, needs_version: InstrumentVersion, api_as: As, who: str
) -> None:
    p = personas
    done = complete_needs(p.case_manager, p.case, needs_version, {})
    api = api_as(getattr(p, who))
    for path in (
        f"/assessments/{done.pk}",
        f"/assessments/{done.pk}/comparison",
        f"/cases/{p.case.pk}/assessments",
        f"/cases/{p.case.pk}/identified-needs",
        f"/cases/{p.case.pk}/external-assessments",
    ):
        assert_error(api.get(path), 404, "not_found")
    assert_error(
        api.patch(f"/assessments/{done.pk}", {"answers": {}, "version": 1}), 404, "not_found"
    )


def test_only_program_managers_create_and_publish(
    personas: Personas, needs_version: InstrumentVersion, api_as: As, program_manager: User
) -> None:
    denied = api_as(personas.case_manager).post(
        f"/instruments/{needs_version.instrument_id}/drafts"
    )
    assert_error(denied, 403, "permission_denied")
    api = api_as(program_manager)
    draft = api.post(f"/instruments/{needs_version.instrument_id}/drafts")
    assert draft.status_code == 201
    d = draft.json()
    broken = api.patch(
        f"/instrument-versions/{d['id']}",
        {"definition": {"sections": [{"id": "x"}]}, "version": d["version"]},
    )
    error = assert_error(broken, 422, "invalid")
    assert "sections[0].title" in error["fields"]
    assert "sections[0].questions" in error["fields"]
    published = api.post(f"/instrument-versions/{d['id']}/publish", {"version": d["version"]})
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert_error(
        api_as(personas.case_manager).post(
            f"/instrument-versions/{d['id']}/publish", {"version": None}
        ),
        403,
        "permission_denied",
    )


def test_a_report_is_uploaded_and_downloaded(
    personas: Personas, api_as: As, token_for: Callable[[User], str]
) -> None:
    p = personas
    token = token_for(p.case_manager)
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    response = client.post(
        f"{API}/cases/{p.case.pk}/external-assessments",
        {
            "kind": "vocational",
            "professional_name": "R. Evaluator",
            "assessed_on": timezone.localdate().isoformat(),
            "findings": "Ready for supported employment.",
            "report": SimpleUploadedFile("eval.png", b"\x89PNG\r\n\x1a\n0000", "image/png"),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_report"] is True
    got = client.get(f"{API}/external-assessments/{body['id']}/report", headers=headers)
    assert got.status_code == 200
    assert got["Content-Type"] == "image/png"
    assert_error(
        api_as(p.colleague).get(f"/external-assessments/{body['id']}/report"), 404, "not_found"
    )
    refused = client.post(
        f"{API}/cases/{p.case.pk}/external-assessments",
        {
            "kind": "vocational",
            "professional_name": "R. Evaluator",
            "assessed_on": timezone.localdate().isoformat(),
            "findings": "x",
            "report": SimpleUploadedFile("eval.pdf", b"GIF89a", "application/pdf"),
        },
        headers=headers,
    )
    assert "report" in assert_error(refused, 422, "invalid")["fields"]


def test_the_assessment_list_has_a_constant_query_count(
    personas: Personas, needs_version: InstrumentVersion, api_as: As
) -> None:
    p = personas
    api = api_as(p.case_manager)
    complete_needs(p.case_manager, p.case, needs_version, {})

    def grow() -> None:
        for _ in range(3):
            complete_needs(p.supervisor, p.case, needs_version, {"food": 1})

    constant_queries(lambda: api.get(f"/cases/{p.case.pk}/assessments"), grow, budget=10)
    constant_queries(lambda: api.get(f"/cases/{p.case.pk}/identified-needs"), grow, budget=10)

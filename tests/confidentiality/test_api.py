"""API: restricted clients stay out of lists and search; restrict, break glass, report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.confidentiality import services
from casework.core.models import User
from tests.api.conftest import ApiClient, assert_error, constant_queries
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas

from .helpers import restricted_case

pytestmark = pytest.mark.django_db

ApiAs = Callable[[User], ApiClient]


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_a_restricted_client_is_in_no_other_teams_api_lists(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    case = restricted_case(p)
    mine = api_as(p.case_manager)
    assert case.pk in ids(mine.get("/cases", page_size=100))
    found = mine.post("/clients/search", {"name": "Quarterfield"})
    assert [c["id"] for c in found.json()["items"]] == [case.client_id]
    for user in (p.colleague, p.intake, p.admin):
        api = api_as(user)
        assert case.pk not in ids(api.get("/cases", page_size=100))
        assert api.post("/clients/search", {"name": "Quarterfield"}).json()["items"] == []
        assert_error(api.get(f"/clients/{case.client_id}"), 404, "not_found")
        assert_error(api.get(f"/cases/{case.pk}"), 404, "not_found")


def test_creating_a_duplicate_of_a_restricted_client_is_refused_without_detail(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    case = restricted_case(p)
    body = {
        "first_name": "Rosalind",
        "last_name": "Quarterfield",
        "date_of_birth": case.client.date_of_birth.isoformat(),
    }
    error = assert_error(api_as(p.intake).post("/clients", body), 409, "possible_duplicates")
    assert error["restricted_match"] is True
    assert error["matches"] == []
    assert "restricted record may match" in error["message"]
    assert "Quarterfield" not in str(error)
    created = api_as(p.intake).post("/clients", {**body, "confirmed_new_person": True})
    assert created.status_code == 201


def test_an_admin_restricts_and_lifts_through_the_api(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    client_id = p.case.client_id
    api = api_as(p.admin)
    response = api.client.put(
        f"/api/v1/clients/{client_id}/restriction",
        {"reason": "staff"},
        content_type="application/json",
        headers=api._headers(),
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_restricted"] is True
    assert response.json()["reason"] == "staff"
    lifted = api.delete(f"/clients/{client_id}/restriction")
    assert lifted.json()["is_restricted"] is False


def test_a_restriction_with_an_unknown_reason_names_the_field(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    api = api_as(p.admin)
    response = api.client.put(
        f"/api/v1/clients/{p.case.client_id}/restriction",
        {"reason": "gossip"},
        content_type="application/json",
        headers=api._headers(),
    )
    error = assert_error(response, 422, "invalid")
    assert "reason" in error["fields"]


def test_only_admins_restrict_through_the_api(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    api = api_as(p.supervisor)
    response = api.client.put(
        f"/api/v1/clients/{p.case.client_id}/restriction",
        {"reason": "staff"},
        content_type="application/json",
        headers=api._headers(),
    )
    assert_error(response, 404, "not_found")


def test_a_supervisor_breaks_glass_through_the_api(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    client_id = p.colleague_case.client_id
    api = api_as(p.supervisor)
    assert_error(api.get(f"/clients/{client_id}"), 404, "not_found")
    response = api.post(f"/clients/{client_id}/break-glass", {"reason": "Crisis call tonight."})
    assert response.status_code == 201, response.content
    assert response.json()["client_id"] == client_id
    assert api.get(f"/clients/{client_id}").status_code == 200
    assert p.colleague_case.pk in ids(api.get("/cases", page_size=100))


def test_a_case_manager_cannot_break_glass_and_learns_nothing(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    case = restricted_case(p)
    api = api_as(p.colleague)
    missing = api.post("/clients/999999/break-glass", {"reason": "Crisis call tonight."})
    existing = api.post(f"/clients/{case.client_id}/break-glass", {"reason": "Crisis call."})
    assert_error(missing, 404, "not_found")
    assert_error(existing, 404, "not_found")
    assert missing.json() == existing.json()


def test_a_break_glass_reason_is_required(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    response = api_as(p.supervisor).post(
        f"/clients/{p.colleague_case.client_id}/break-glass", {"reason": "x"}
    )
    error = assert_error(response, 422, "invalid")
    assert "reason" in error["fields"]


def test_the_access_report_lists_reads_and_highlights_break_glass(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    client_id = p.colleague_case.client_id
    api_as(p.colleague).get(f"/clients/{client_id}")
    supervisor = api_as(p.supervisor)
    supervisor.post(f"/clients/{client_id}/break-glass", {"reason": "Crisis call tonight."})
    supervisor.get(f"/clients/{client_id}")
    report = api_as(p.auditor).get(f"/clients/{client_id}/access-report")
    assert report.status_code == 200, report.content
    rows = report.json()["items"]
    actions = [(r["actor_label"], r["action"], r["break_glass_grant_id"] is not None) for r in rows]
    assert actions[:3] == [
        (p.supervisor.email, "client.view", True),
        (p.supervisor.email, "client.break_glass", True),
        (p.colleague.email, "client.view", False),
    ]
    assert rows[0]["via"] == "api"


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "admin"])
def test_only_privacy_officers_read_the_access_report(
    personas: Personas, api_as: ApiAs, who: str
) -> None:
    p = personas
    response = api_as(getattr(p, who)).get(f"/clients/{p.case.client_id}/access-report")
    assert_error(response, 403, "permission_denied")


def test_the_access_report_runs_constant_queries(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    client = p.colleague_case.client
    api = api_as(p.auditor)

    def grow() -> None:
        for _ in range(3):
            services.break_glass_open(actor=p.supervisor, client=client, reason="Crisis again.")
            CaseFactory(team=p.other_team, client=client)

    constant_queries(lambda: api.get(f"/clients/{client.pk}/access-report"), grow, 8)


def test_the_access_report_of_another_agency_is_not_found(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    other = ClientFactory(organization=p.other_agency)
    assert_error(api_as(p.auditor).get(f"/clients/{other.pk}/access-report"), 404, "not_found")

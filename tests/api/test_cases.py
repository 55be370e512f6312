"""Cases through the API follow the access policy exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casework.clients.models import CaseAssignment, CaseStatus
from casework.core.models import AuditEvent, TeamRole, User
from tests.factories import CaseFactory, TeamMembershipFactory, UserFactory
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def listed(api: ApiClient, **params: object) -> set[int]:
    return {c["id"] for c in api.get("/cases", page_size=100, **params).json()["items"]}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("case_manager", {"case"}),
        ("supervisor", {"case"}),
        ("colleague", {"colleague_case", "screening_case"}),
        ("intake", {"screening_case"}),
        ("auditor", set()),
        ("admin", set()),
        ("partner", set()),
        ("outsider", {"outsider_case"}),
    ],
)
def test_each_person_lists_exactly_the_cases_they_may_see(
    personas: Personas, api_as: Callable[..., ApiClient], who: str, expected: set[str]
) -> None:
    api = api_as(getattr(personas, who))
    assert listed(api) == {getattr(personas, name).pk for name in expected}


def test_cases_filter_by_status_team_and_mine(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.colleague)
    p = personas
    assert listed(api, status="screening") == {p.screening_case.pk}
    assert listed(api, status="active") == {p.colleague_case.pk}
    assert listed(api, mine="true") == {p.colleague_case.pk}
    assert listed(api, team=p.other_team.pk) == {p.colleague_case.pk, p.screening_case.pk}
    assert listed(api, team=p.team.pk) == set()


def test_a_case_shows_its_client_team_and_history(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    case = personas.case
    body = api_as(personas.case_manager).get(f"/cases/{case.pk}").json()
    assert body["reference"] == case.reference
    assert body["status"] == "active"
    assert body["client"] == {"id": case.client_id, "display_name": case.client.display_name}
    assert body["case_manager"] == {"id": personas.case_manager.pk, "name": "Casey Manning"}
    assert body["team"] == {"id": personas.team.pk, "name": "North team"}
    assert [a["case_manager"]["id"] for a in body["assignments"]] == [personas.case_manager.pk]
    read = AuditEvent.objects.get(action="case.view", object_id=str(case.pk))
    assert (read.actor_id, read.client_id, read.changes) == (
        personas.case_manager.pk,
        case.client_id,
        {"via": "api"},
    )


def test_a_guessed_case_id_of_another_agency_is_not_found(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.outsider)
    guessed = api.get(f"/cases/{personas.case.pk}")
    assert_error(guessed, 404, "not_found")
    assert guessed.json() == api.get("/cases/999999").json()


def test_a_case_of_another_team_is_not_found(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    assert_error(api_as(personas.colleague).get(f"/cases/{personas.case.pk}"), 404, "not_found")


# --- assignment -----------------------------------------------------------------------------


@pytest.fixture
def new_manager(personas: Personas) -> User:
    user: User = UserFactory(organization=personas.agency, first_name="Nora", last_name="New")
    TeamMembershipFactory(team=personas.team, user=user, role=TeamRole.MEMBER)
    return user


def test_the_supervisor_assigns_a_new_case_manager(
    personas: Personas, api_as: Callable[..., ApiClient], new_manager: User
) -> None:
    case = personas.case
    response = api_as(personas.supervisor).post(
        f"/cases/{case.pk}/assign",
        {"case_manager": new_manager.pk, "reason": "Caseload balance", "version": 1},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["case_manager"]["name"] == "Nora New"
    assert body["version"] == 2
    assert [a["reason"] for a in body["assignments"]] == ["Caseload balance", ""]
    assert body["assignments"][0]["assigned_by"]["id"] == personas.supervisor.pk
    case.refresh_from_db()
    assert case.case_manager == new_manager
    assert AuditEvent.objects.filter(action="case.assign", object_id=str(case.pk)).count() == 1


def test_the_supervisor_moves_a_case_to_another_team_they_cannot_see(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    response = api_as(personas.supervisor).post(
        f"/cases/{personas.case.pk}/assign",
        {"case_manager": personas.colleague.pk, "team": personas.other_team.pk, "version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["team"]["id"] == personas.other_team.pk


@pytest.mark.parametrize("who", ["case_manager", "colleague", "outsider", "auditor"])
def test_others_cannot_assign(
    personas: Personas, api_as: Callable[..., ApiClient], new_manager: User, who: str
) -> None:
    response = api_as(getattr(personas, who)).post(
        f"/cases/{personas.case.pk}/assign",
        {"case_manager": new_manager.pk, "version": 1},
    )
    # The case manager sees the case, so is told no; the others are not told it exists.
    expected = (403, "permission_denied") if who == "case_manager" else (404, "not_found")
    assert_error(response, *expected)
    personas.case.refresh_from_db()
    assert personas.case.case_manager == personas.case_manager
    assert personas.case.version == 1


def test_intake_assigns_cases_in_screening(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    response = api_as(personas.intake).post(
        f"/cases/{personas.screening_case.pk}/assign",
        {"case_manager": personas.colleague.pk, "version": 1},
    )
    assert response.status_code == 200, response.content


def test_assigning_someone_outside_the_team_or_agency_is_invalid(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.supervisor)
    url = f"/cases/{personas.case.pk}/assign"
    not_member = assert_error(
        api.post(url, {"case_manager": personas.colleague.pk, "version": 1}), 422, "invalid"
    )
    assert list(not_member["fields"]) == ["case_manager"]
    other_agency = assert_error(
        api.post(url, {"case_manager": personas.outsider.pk, "version": 1}), 422, "invalid"
    )
    assert list(other_agency["fields"]) == ["case_manager"]
    their_team = personas.outsider_case.team_id
    foreign_team = assert_error(
        api.post(url, {"case_manager": personas.case_manager.pk, "team": their_team, "version": 1}),
        422,
        "invalid",
    )
    assert list(foreign_team["fields"]) == ["team"]
    assert CaseAssignment.objects.filter(case=personas.case).count() == 1


def test_assigning_from_a_stale_version_is_a_conflict(
    personas: Personas, api_as: Callable[..., ApiClient], new_manager: User
) -> None:
    api = api_as(personas.supervisor)
    url = f"/cases/{personas.case.pk}/assign"
    pk = new_manager.pk
    assert api.post(url, {"case_manager": pk, "version": 1}).status_code == 200
    error = assert_error(
        api.post(url, {"case_manager": personas.case_manager.pk, "version": 1}), 409, "conflict"
    )
    assert error["current_version"] == 2
    personas.case.refresh_from_db()
    assert personas.case.case_manager_id == pk


def test_a_closed_case_cannot_be_assigned(
    personas: Personas, api_as: Callable[..., ApiClient], new_manager: User
) -> None:
    closed = CaseFactory(team=personas.team, status=CaseStatus.CLOSED)
    error = assert_error(
        api_as(personas.supervisor).post(
            f"/cases/{closed.pk}/assign",
            {"case_manager": new_manager.pk, "version": 1},
        ),
        422,
        "invalid",
    )
    assert error["fields"] == {"__all__": ["A closed case cannot be reassigned."]}


@pytest.mark.parametrize(
    ("path", "action", "part"),
    [
        ("/cases/{case}/notes", "case.view", "notes"),
        ("/cases/{case}/plans", "case.view", "plans"),
        ("/cases/{case}/referrals", "case.view", "referrals"),
        ("/cases/{case}/assessments", "case.view", "assessments"),
        ("/clients/{client}/consents", "client.view", "consents"),
    ],
)
def test_reading_a_list_of_a_clients_records_is_logged(
    personas: Personas, api_as: Callable[..., ApiClient], path: str, action: str, part: str
) -> None:
    case = personas.case
    url = path.format(case=case.pk, client=case.client_id)
    assert api_as(personas.case_manager).get(url).status_code == 200
    read = AuditEvent.objects.get(action=action)
    assert (read.actor_id, read.client_id, read.changes) == (
        personas.case_manager.pk,
        case.client_id,
        {"via": "api", "part": part},
    )
    # Someone who may not see the case reads nothing, and nothing is logged for them.
    assert api_as(personas.outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(action=action).count() == 1

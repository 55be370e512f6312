"""Programs through the API: all staff read them; admins and program managers change them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casework.core.models import AuditEvent, Program
from tests.factories import ProgramFactory, UserFactory
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

AGE_RULE = {"criterion": "age", "operator": "between", "value": [18, 64], "label": "Adults"}


def test_staff_list_their_agencys_programs_only(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    ProgramFactory(organization=personas.agency, name="Aging Well")
    body = api_as(personas.case_manager).get("/programs").json()
    assert [p["name"] for p in body["items"]] == ["Aging Well", "Housing Stability"]
    assert body["count"] == 2


def test_a_program_shows_its_rules_and_version(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    Program.objects.filter(pk=personas.program.pk).update(eligibility_rules=[AGE_RULE])
    body = api_as(personas.partner).get(f"/programs/{personas.program.pk}").json()
    assert body["eligibility_rules"] == [AGE_RULE]
    assert body["version"] == 1
    assert body["code"] == "hs"


@pytest.mark.parametrize("who", ["admin", "program_manager"])
def test_admins_and_program_managers_create_programs(
    personas: Personas, api_as: Callable[..., ApiClient], who: str
) -> None:
    user = (
        personas.admin
        if who == "admin"
        else UserFactory(organization=personas.agency, roles=["program_manager"])
    )
    response = api_as(user).post(
        "/programs",
        {"name": "Youth Housing", "code": "YH ", "capacity": 40, "eligibility_rules": [AGE_RULE]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "yh"
    program = Program.objects.get(pk=body["id"])
    assert program.organization == personas.agency
    assert program.eligibility_rules == [AGE_RULE]
    assert AuditEvent.objects.filter(action="program.create", actor=user).count() == 1


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "intake", "auditor", "partner"])
def test_other_roles_cannot_create_or_change_programs(
    personas: Personas, api_as: Callable[..., ApiClient], who: str
) -> None:
    api = api_as(getattr(personas, who))
    assert_error(api.post("/programs", {"name": "N", "code": "n"}), 403, "permission_denied")
    response = api.patch(f"/programs/{personas.program.pk}", {"version": 1, "name": "Mine"})
    assert_error(response, 403, "permission_denied")
    personas.program.refresh_from_db()
    assert personas.program.name == "Housing Stability"


def test_patch_changes_only_what_is_sent_and_bumps_the_version(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    Program.objects.filter(pk=personas.program.pk).update(description="Keeps people housed")
    response = api_as(personas.admin).patch(
        f"/programs/{personas.program.pk}", {"version": 1, "capacity": 12, "is_active": False}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["capacity"], body["is_active"], body["version"]) == (12, False, 2)
    assert body["description"] == "Keeps people housed"
    assert body["name"] == "Housing Stability"


def test_patch_can_clear_capacity_but_not_the_name(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    Program.objects.filter(pk=personas.program.pk).update(capacity=10)
    api = api_as(personas.admin)
    refused = api.patch(f"/programs/{personas.program.pk}", {"version": 1, "name": None})
    error = assert_error(refused, 422, "invalid")
    assert list(error["fields"]) == ["name"]

    cleared = api.patch(f"/programs/{personas.program.pk}", {"version": 1, "capacity": None})
    assert cleared.status_code == 200
    assert cleared.json()["capacity"] is None


def test_patch_needs_the_version(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    response = api_as(personas.admin).patch(f"/programs/{personas.program.pk}", {"name": "X"})
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == {"version": ["This field is required."]}


def test_a_second_edit_from_the_same_version_is_refused(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.admin)
    url = f"/programs/{personas.program.pk}"
    assert api.patch(url, {"version": 1, "name": "First"}).status_code == 200
    error = assert_error(api.patch(url, {"version": 1, "name": "Second"}), 409, "conflict")
    assert error["current_version"] == 2
    personas.program.refresh_from_db()
    assert personas.program.name == "First"


def test_another_agency_cannot_reach_the_program(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    outsider_admin = UserFactory(organization=personas.other_agency, roles=["agency_admin"])
    api = api_as(outsider_admin)
    url = f"/programs/{personas.program.pk}"
    assert_error(api.get(url), 404, "not_found")
    assert_error(api.patch(url, {"version": 1, "name": "Taken"}), 404, "not_found")
    assert personas.program.pk not in [p["id"] for p in api.get("/programs").json()["items"]]
    personas.program.refresh_from_db()
    assert personas.program.name == "Housing Stability"

"""The current user, teams and staff through the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.factories import UserFactory
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_me_describes_the_caller(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    body = api_as(personas.supervisor).get("/me").json()
    assert body["email"] == "sup@riverside.test"
    assert body["name"] == "Sam Supervisor"
    assert body["organization"] == {
        "id": personas.agency.pk,
        "name": "Riverside Community Services",
        "slug": "riverside",
    }
    assert body["roles"] == ["supervisor"]
    assert body["teams"] == [
        {"team": {"id": personas.team.pk, "name": "North team"}, "role": "supervisor"}
    ]
    assert body["permissions"] == {
        "administer": False,
        "configure_programs": False,
        "read_audit_log": False,
    }


def test_me_tells_an_admin_what_they_may_manage(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(personas.admin).get("/me").json()
    assert body["teams"] == []
    assert body["permissions"] == {
        "administer": True,
        "configure_programs": True,
        "read_audit_log": False,
    }


def test_teams_are_listed_for_all_staff_of_the_agency(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(personas.partner).get("/teams").json()
    assert [t["name"] for t in body["items"]] == ["North team", "South team"]
    assert body["items"][0]["program"] == {
        "id": personas.program.pk,
        "name": "Housing Stability",
        "code": "hs",
    }


def test_a_team_lists_its_members_and_their_roles(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(personas.colleague).get(f"/teams/{personas.team.pk}").json()
    assert [(m["id"], m["role"]) for m in body["members"]] == [
        (personas.case_manager.pk, "member"),
        (personas.supervisor.pk, "supervisor"),
    ]
    assert body["members"][0]["name"] == "Casey Manning"


def test_another_agency_cannot_see_the_teams(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.outsider)
    assert_error(api.get(f"/teams/{personas.team.pk}"), 404, "not_found")
    names = [t["name"] for t in api.get("/teams").json()["items"]]
    assert "North team" not in names
    assert len(names) == 1


def test_admins_list_the_agencys_staff(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(personas.admin).get("/staff", page_size=100).json()
    emails = {s["email"] for s in body["items"]}
    assert "cm@riverside.test" in emails
    assert "outsider@elsewhere.test" not in emails
    assert body["count"] == 7
    manager = next(s for s in body["items"] if s["id"] == personas.case_manager.pk)
    assert manager["roles"] == ["case_manager"]
    assert manager["teams"] == [
        {"team": {"id": personas.team.pk, "name": "North team"}, "role": "member"}
    ]
    assert manager["languages"] == ["en"]


def test_an_admin_reads_one_staff_member(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    body = api_as(personas.admin).get(f"/staff/{personas.colleague.pk}").json()
    assert body["email"] == "colleague@riverside.test"
    assert body["version"] == 1


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "intake", "auditor", "partner"])
def test_only_admins_see_staff(
    personas: Personas, api_as: Callable[..., ApiClient], who: str
) -> None:
    api = api_as(getattr(personas, who))
    assert_error(api.get("/staff"), 403, "permission_denied")
    assert_error(api.get(f"/staff/{personas.colleague.pk}"), 403, "permission_denied")


def test_admins_do_not_see_staff_of_another_agency(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    assert_error(api_as(personas.admin).get(f"/staff/{personas.outsider.pk}"), 404, "not_found")


def test_another_agencys_admin_sees_only_their_own_staff(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    their_admin = UserFactory(organization=personas.other_agency, roles=["agency_admin"])
    body = api_as(their_admin).get("/staff").json()
    assert {s["email"] for s in body["items"]} == {"outsider@elsewhere.test", their_admin.email}

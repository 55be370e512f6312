"""The directory API: search, a service, a provider, notes, verifying, matches."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casework.core.models import User
from tests.api.conftest import ApiClient, api_as, assert_error, constant_queries, token_for
from tests.personas import Personas

from .conftest import Directory, add_service, assess_needs, place_client

__all__ = ["api_as", "token_for"]

pytestmark = pytest.mark.django_db

As = Callable[[User], ApiClient]


def test_search_with_filters_and_distance(
    personas: Personas, directory: Directory, api_as: As
) -> None:
    api = api_as(personas.case_manager)
    found = api.get("/directory/services", category="housing", language="es")
    assert found.status_code == 200, found.content
    body = found.json()
    assert {i["service"]["name"] for i in body["items"]} == {
        "Family Shelter",
        "Housing Stability Coaching",
    }
    assert body["count"] == 2 and not body["has_next"]
    near = api.get("/directory/services", postal_code="97002", radius_km=3, sort="distance").json()
    assert near["items"][0]["service"]["name"] == "Senior Housing Help"
    assert near["items"][0]["distance_km"] == 0.0


def test_search_refuses_bad_filters_in_the_error_shape(
    personas: Personas, directory: Directory, api_as: As
) -> None:
    api = api_as(personas.case_manager)
    error = assert_error(api.get("/directory/services", age=-1), 422, "invalid")
    assert "age" in error["fields"]
    error = assert_error(api.get("/directory/services", postal_code="00000"), 422, "invalid")
    assert "postal_code" in error["fields"]
    assert_error(api.get("/directory/services", sort="distance"), 422, "invalid")


@pytest.mark.parametrize("at", ["10:00:00Z", "10:00:00+02:00", "10:00-05:00"])
def test_a_time_with_an_offset_is_refused_naming_at(
    personas: Personas, directory: Directory, api_as: As, at: str
) -> None:
    # Opening hours are the agency's local times; a time with an offset has no single
    # local time without a date (daylight saving), so it is refused, not guessed.
    api = api_as(personas.case_manager)
    error = assert_error(api.get("/directory/services", weekday=1, at=at), 422, "invalid")
    assert list(error["fields"]) == ["at"]
    assert "time zone" in error["fields"]["at"][0]


def test_a_local_time_finds_what_is_open_then(
    personas: Personas, directory: Directory, api_as: As
) -> None:
    api = api_as(personas.case_manager)
    open_then = api.get("/directory/services", weekday=1, at="10:00")
    assert open_then.status_code == 200, open_then.content
    assert open_then.json()["count"] > 0
    closed_then = api.get("/directory/services", weekday=1, at="20:00")
    assert closed_then.json()["count"] == 0


def test_a_service_and_its_provider(personas: Personas, directory: Directory, api_as: As) -> None:
    api = api_as(personas.case_manager)
    service = api.get(f"/directory/services/{directory.shelter.pk}").json()
    assert service["minimum_age"] == 18 and service["categories"][0]["code"] == "housing"
    assert service["openings"][0] == {"weekday": 1, "opens_at": "09:00", "closes_at": "17:00"}
    provider = api.get(f"/directory/providers/{directory.shelter.provider_id}").json()
    assert {s["name"] for s in provider["services"]} == {"Family Shelter", "Rural Housing Office"}


def test_notes_and_verify(personas: Personas, directory: Directory, api_as: As) -> None:
    api = api_as(personas.case_manager)
    created = api.post(
        f"/directory/providers/{directory.food.provider_id}/notes",
        {"kind": "violation", "text": "Health inspection failed in 2025."},
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "violation"
    invalid = assert_error(
        api.post(
            f"/directory/providers/{directory.food.provider_id}/notes",
            {"kind": "contact", "text": "x"},
        ),
        422,
        "invalid",
    )
    assert "contact_name" in invalid["fields"]
    verified = api.post(f"/directory/services/{directory.food.pk}/verify")
    assert verified.status_code == 200 and verified.json()["stale"] is False
    auditor = api_as(personas.auditor)
    assert_error(
        auditor.post(
            f"/directory/providers/{directory.food.provider_id}/notes",
            {"kind": "quality", "text": "x"},
        ),
        403,
        "permission_denied",
    )


def test_matches_for_a_case(personas: Personas, directory: Directory, api_as: As) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    api = api_as(personas.case_manager)
    response = api.get(f"/cases/{personas.case.pk}/matches", in_house_first="true")
    assert response.status_code == 200, response.content
    first = response.json()[0]
    assert first["service"]["name"] == "Housing Stability Coaching"
    assert {"fits": True, "text": "Our own program: Housing Stability"} in first["fits"]


def test_partner_staff_get_nothing(
    personas: Personas, directory: Directory, api_as: As, harbor_staff: User
) -> None:
    api = api_as(harbor_staff)
    assert_error(api.get("/directory/services"), 403, "permission_denied")
    assert_error(api.get(f"/directory/services/{directory.shelter.pk}"), 403, "permission_denied")
    assert_error(api.get(f"/cases/{personas.case.pk}/matches"), 403, "permission_denied")


def test_another_agency_finds_none_of_ours(
    personas: Personas, directory: Directory, api_as: As
) -> None:
    api = api_as(personas.outsider)
    assert api.get("/directory/services").json()["items"] == []
    assert_error(api.get(f"/directory/services/{directory.shelter.pk}"), 404, "not_found")
    assert_error(api.get(f"/cases/{personas.case.pk}/matches"), 404, "not_found")


def test_api_queries_are_bounded(personas: Personas, directory: Directory, api_as: As) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    api = api_as(personas.case_manager)
    counter = iter(range(100))

    def grow() -> None:
        n = next(counter)
        add_service(
            personas.agency,
            directory.far.provider,
            f"a{n}",
            f"Housing api {n}",
            codes=("housing",),
            north_km=2,
            languages=("en",),
        )

    constant_queries(
        lambda: api.get("/directory/services", words="hous", postal_code="97001", sort="distance"),
        grow,
        14,
    )
    constant_queries(lambda: api.get(f"/directory/services/{directory.shelter.pk}"), grow, 20)
    constant_queries(lambda: api.get(f"/cases/{personas.case.pk}/matches"), grow, 25)

"""Directory pages: search, a service with the four questions, a provider, matching."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.core.models import User
from casework.resources.models import ProviderNote
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import Directory, add_service, assess_needs, place_client

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def test_the_search_page_lists_and_filters(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    web = client_as(personas.case_manager)
    page = web.get("/directory/")
    assert page.status_code == 200
    assert b"Family Shelter" in page.content and b"Weekend Food Box" in page.content
    filtered = web.get(
        "/directory/", {"q": "shel", "category": "housing"}, headers={"HX-Request": "true"}
    )
    assert filtered.status_code == 200
    assert b"Family Shelter" in filtered.content and b"Weekend Food Box" not in filtered.content
    assert b"<h1" not in filtered.content  # only the results


def test_searching_near_the_client_uses_the_case_id(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    place_client(personas)
    web = client_as(personas.case_manager)
    page = web.get(
        "/directory/",
        {"near": "client", "case": personas.case.pk, "radius": "10", "sort": "distance"},
    )
    assert page.status_code == 200
    assert b"by postal code" in page.content
    assert b"Rural Housing Office" not in page.content


def test_a_postal_code_that_is_not_in_the_directory_says_so(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    page = client_as(personas.case_manager).get(
        "/directory/", {"near": "postal_code", "postal_code": "00000"}
    )
    assert b"No directory address has this postal code" in page.content


def test_the_service_page_asks_the_four_questions(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    web = client_as(personas.case_manager)
    page = web.get(f"/directory/services/{directory.shelter.pk}/", {"case": personas.case.pk})
    text = page.content.decode()
    for heading in (
        "What does the service provide?",
        "Is the client eligible?",
        "Can it be done in-house?",
        "What can the client and family do themselves?",
    ):
        assert heading in text
    assert "Serves ages 18–64; the client is 34" in text
    assert "Housing Stability Coaching" in text  # the in-house alternative
    assert f"/cases/{personas.case.pk}/referrals/new/?service={directory.shelter.pk}" in text
    assert "Mark verified today" in text and "Agency settings" not in text


def test_a_manager_sees_the_settings_and_saves_them(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    web = client_as(personas.admin)
    assert b"Agency settings" in web.get(f"/directory/services/{directory.shelter.pk}/").content
    saved = web.post(
        f"/directory/services/{directory.shelter.pk}/settings/",
        {"version": directory.shelter.version, "in_house_program": "", "partner_organization": ""},
    )
    assert saved.status_code == 302
    directory.shelter.refresh_from_db()
    assert not directory.shelter.accepting_referrals
    stale = web.post(
        f"/directory/services/{directory.shelter.pk}/settings/",
        {"version": 1, "accepting_referrals": "on"},
    )
    assert stale.status_code == 400 and b"Someone else saved" in stale.content


def test_a_case_manager_cannot_post_settings(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    response = client_as(personas.case_manager).post(
        f"/directory/services/{directory.shelter.pk}/settings/", {"version": 1}
    )
    assert response.status_code == 403


def test_notes_are_added_and_errors_shown_by_the_field(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    web = client_as(personas.case_manager)
    url = f"/directory/providers/{directory.food.provider_id}/notes/"
    bad = web.post(url, {"kind": "contact", "text": "Call Jo."})
    assert bad.status_code == 400 and b"Name the contact person." in bad.content
    ok = web.post(url, {"kind": "experience", "text": "Friendly and quick."})
    assert ok.status_code == 302
    assert ProviderNote.objects.filter(provider=directory.food.provider).count() == 1
    assert (
        b"Friendly and quick."
        in web.get(f"/directory/providers/{directory.food.provider_id}/").content
    )
    assert (
        client_as(personas.auditor).post(url, {"kind": "experience", "text": "x"}).status_code
        == 403
    )


def test_verify_from_the_page(personas: Personas, directory: Directory, client_as: As) -> None:
    response = client_as(personas.case_manager).post(
        f"/directory/services/{directory.food.pk}/verify/"
    )
    assert response.status_code == 302
    directory.food.refresh_from_db()
    assert not directory.food.is_stale


def test_the_match_page_ranks_with_reasons(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    web = client_as(personas.case_manager)
    page = web.get(f"/cases/{personas.case.pk}/match/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Family Shelter" in text and "Speaks Spanish" in text
    assert "Ages 65 and over only; the client is 34" in text
    assert f"/cases/{personas.case.pk}/referrals/new/?service=" in text
    partial = web.get(
        f"/cases/{personas.case.pk}/match/",
        {"in_house_first": "on", "language": "es"},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200 and "<h1" not in partial.content.decode()


def test_partner_staff_see_no_directory(
    personas: Personas, directory: Directory, client_as: As, harbor_staff: User
) -> None:
    web = client_as(harbor_staff)
    assert web.get("/directory/").status_code == 403
    assert web.get(f"/directory/services/{directory.shelter.pk}/").status_code == 403
    assert web.get(f"/cases/{personas.case.pk}/match/").status_code == 403


def test_another_agency_sees_none_of_ours(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    web = client_as(personas.outsider)
    page = web.get("/directory/")
    assert page.status_code == 200 and b"Family Shelter" not in page.content
    assert web.get(f"/directory/services/{directory.shelter.pk}/").status_code == 404
    assert web.get(f"/directory/providers/{directory.shelter.provider_id}/").status_code == 404
    assert web.get(f"/cases/{personas.case.pk}/match/").status_code == 404


def test_pages_run_a_bounded_number_of_queries(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    web = client_as(personas.case_manager)
    counter = iter(range(100))

    def grow() -> None:
        n = next(counter)
        add_service(
            personas.agency,
            directory.far.provider,
            f"g{n}",
            f"Housing more {n}",
            codes=("housing",),
            north_km=2,
            languages=("en",),
        )

    pages = [
        "/directory/",
        f"/directory/?q=hous&near=client&case={personas.case.pk}&radius=10&sort=distance",
        f"/directory/services/{directory.shelter.pk}/?case={personas.case.pk}",
        f"/directory/providers/{directory.far.provider_id}/",
        f"/cases/{personas.case.pk}/match/",
    ]
    web.get(pages[0])
    for url in pages:
        assert_constant_queries(lambda url=url: web.get(url), grow)
    assert_query_budget(lambda: web.get(pages[0]), 16)
    assert_query_budget(lambda: web.get(pages[1]), 20)
    assert_query_budget(lambda: web.get(pages[2]), 40)
    assert_query_budget(lambda: web.get(pages[4]), 30)

"""Client search by name fragments, birth date, identifier, phone; only what one may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from casework.clients import services
from casework.clients.models import CaseStatus, Client
from casework.clients.search import ClientQuery, search_clients
from casework.core.models import User
from tests.factories import CaseFactory, ClientFactory, UserFactory
from tests.helpers import assert_constant_queries
from tests.personas import Personas

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Any]


@pytest.fixture
def rosa(personas: Personas) -> Client:
    client = personas.case.client
    services.client_update(
        actor=personas.case_manager,
        client=client,
        expected_version=client.version,
        first_name="Rosa",
        last_name="Díaz-Ortega",
        preferred_name="Rosie",
        date_of_birth=date(1988, 5, 2),
        preferred_language="es",
    )
    client.refresh_from_db()
    services.client_identifier_add(
        actor=personas.case_manager, client=client, kind="medicaid", value="MC-778899"
    )
    services.client_phone_add(actor=personas.case_manager, client=client, number="555-010-2030")
    return client


def found(user: User, **query: Any) -> list[Client]:
    return list(search_clients(actor=user, query=ClientQuery(**query)))


@pytest.mark.parametrize(
    "query",
    [
        {"name": "ros"},
        {"name": "diaz"},
        {"name": "orte ro"},
        {"name": "ROSIE"},
        {"name": "Díaz Rosa"},
        {"date_of_birth": date(1988, 5, 2)},
        {"identifier": "mc778899"},
        {"phone": "(555) 010 2030"},
        {"name": "ros", "date_of_birth": date(1988, 5, 2)},
    ],
)
def test_the_case_manager_finds_their_client(personas: Personas, rosa: Client, query: Any) -> None:
    assert found(personas.case_manager, **query) == [rosa]


def test_every_part_of_the_query_must_fit(personas: Personas, rosa: Client) -> None:
    assert found(personas.case_manager, name="rosa smith") == []
    assert found(personas.case_manager, name="ros", date_of_birth=date(1988, 5, 3)) == []
    assert found(personas.case_manager) == []


def test_nobody_else_finds_the_client(personas: Personas, rosa: Client) -> None:
    p = personas
    assert found(p.colleague, name="rosa") == []  # another team
    assert found(p.outsider, name="rosa") == []  # another agency
    assert found(p.admin, name="rosa") == []  # no caseload
    assert found(p.colleague, identifier="mc778899") == []
    assert found(p.outsider, phone="5550102030") == []
    nobody = UserFactory(organization=p.agency, roles=[])
    assert found(nobody, name="rosa") == []


def test_a_merged_record_is_not_found(personas: Personas, rosa: Client) -> None:
    twin = ClientFactory(organization=personas.agency, first_name="Rosa", last_name="Diaz")
    CaseFactory(team=personas.team, client=twin, case_manager=personas.case_manager)
    assert set(found(personas.case_manager, name="rosa diaz")) == {rosa, twin}
    services.client_merge(actor=personas.supervisor, survivor=rosa, merged=twin)
    assert found(personas.case_manager, name="rosa diaz") == [rosa]


def test_the_page_posts_the_query_and_shows_only_results(
    personas: Personas, rosa: Client, client_as: SignIn
) -> None:
    web = client_as(personas.case_manager)
    page = web.get(reverse("client-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html and 'hx-post="/clients/"' in html
    response = web.post(reverse("client-list"), {"name": "ros dia"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert not body.lstrip().lower().startswith("<!doctype")
    assert "1 client found" in body and reverse("client-detail", args=[rosa.pk]) in body
    assert "Rosa" not in response.request.get("QUERY_STRING", "")
    other = client_as(personas.colleague).post(reverse("client-list"), {"name": "rosa"})
    assert "0 clients found" in other.content.decode()


def test_search_results_are_paginated_with_constant_queries(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.intake)

    def add(n: int) -> None:
        for _ in range(n):
            CaseFactory(
                team=p.team,
                client=ClientFactory(organization=p.agency, last_name="Parker"),
                status=CaseStatus.SCREENING,
            )

    add(3)

    def search() -> Any:
        return web.post(reverse("client-list"), {"name": "park"}, headers={"HX-Request": "true"})

    search()
    assert_constant_queries(search, lambda: add(30))
    body = search().content.decode()
    assert "33 clients found" in body and 'name="page" value="2"' in body
    second = web.post(
        reverse("client-list"), {"name": "park", "page": "2"}, headers={"HX-Request": "true"}
    )
    assert "Page 2 of 2" in second.content.decode()

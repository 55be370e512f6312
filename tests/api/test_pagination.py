"""Every list is paginated the same way: ?page=N&page_size=M."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from casework.api import api as casework_api
from tests.factories import CaseFactory
from tests.personas import Personas

from .conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

#: The highest page number any list accepts (documented on the ``page`` parameter).
MAX_PAGE = 1_000_000_000


@pytest.fixture
def seven_cases(personas: Personas) -> None:
    """The case manager sees seven cases: the persona case and six more."""
    CaseFactory.create_batch(6, team=personas.team, case_manager=personas.case_manager)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_pages_hold_page_size_items_and_link_to_their_neighbours(
    personas: Personas, api_as: Callable[..., ApiClient], seven_cases: None
) -> None:
    api = api_as(personas.case_manager)
    first = api.get("/cases", page_size=3).json()
    assert first["count"] == 7
    assert (first["page"], first["page_size"]) == (1, 3)
    assert len(first["items"]) == 3
    assert first["previous"] is None
    assert query_of(first["next"]) == {"page": ["2"], "page_size": ["3"]}
    assert first["next"].startswith("http://testserver/api/v1/cases?")

    last = api.get("/cases", page=3, page_size=3).json()
    assert len(last["items"]) == 1
    assert last["next"] is None
    assert query_of(last["previous"])["page"] == ["2"]

    seen = [
        item["id"]
        for page in (1, 2, 3)
        for item in api.get("/cases", page=page, page_size=3).json()["items"]
    ]
    assert len(seen) == len(set(seen)) == 7


def test_filters_are_kept_in_the_links(
    personas: Personas, api_as: Callable[..., ApiClient], seven_cases: None
) -> None:
    body = api_as(personas.case_manager).get("/cases", mine="true", page_size=2).json()
    assert query_of(body["next"]) == {"mine": ["true"], "page": ["2"], "page_size": ["2"]}


def test_the_default_page_size_is_25(
    personas: Personas, api_as: Callable[..., ApiClient], seven_cases: None
) -> None:
    body = api_as(personas.case_manager).get("/cases").json()
    assert body["page_size"] == 25
    assert len(body["items"]) == 7
    assert body["next"] is None


def test_a_page_past_the_end_is_empty_and_leads_back(
    personas: Personas, api_as: Callable[..., ApiClient], seven_cases: None
) -> None:
    body = api_as(personas.case_manager).get("/cases", page=9, page_size=5).json()
    assert body["items"] == []
    assert body["count"] == 7
    assert body["next"] is None
    assert query_of(body["previous"])["page"] == ["2"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page_size": 101}, "page_size"), ({"page_size": 0}, "page_size"), ({"page": 0}, "page")],
)
def test_out_of_range_paging_is_refused(
    personas: Personas,
    api_as: Callable[..., ApiClient],
    params: dict[str, int],
    field: str,
) -> None:
    error = assert_error(api_as(personas.case_manager).get("/cases", **params), 422, "invalid")
    assert list(error["fields"]) == [field]


def test_page_size_100_is_allowed(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    assert api_as(personas.case_manager).get("/cases", page_size=100).json()["page_size"] == 100


@pytest.mark.parametrize(
    "path", ["/cases", "/tokens", "/audit-events", "/directory/services", "/partner/referrals"]
)
@pytest.mark.parametrize("number", ["9223372036854775808", "92233720368547759", "1000000001"])
def test_a_page_number_beyond_the_limit_is_refused_naming_page(
    personas: Personas, api_as: Callable[..., ApiClient], path: str, number: str
) -> None:
    # Such pages used to reach the database as offsets it cannot hold (a 500).
    user = personas.partner if path.startswith("/partner") else personas.admin
    error = assert_error(api_as(user).get(path, page=number, page_size=100), 422, "invalid")
    assert list(error["fields"]) == ["page"]
    assert "1000000000" in error["fields"]["page"][0]


@pytest.mark.parametrize("path", ["/cases", "/audit-events", "/directory/services"])
def test_the_last_allowed_page_is_empty_not_an_error(
    personas: Personas, api_as: Callable[..., ApiClient], path: str
) -> None:
    user = personas.auditor if path == "/audit-events" else personas.admin
    response = api_as(user).get(path, page=MAX_PAGE, page_size=100)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def test_the_page_limit_is_in_the_openapi_document() -> None:
    document = casework_api.get_openapi_schema(path_prefix="/api/v1/")
    for path in ("/api/v1/cases", "/api/v1/directory/services"):
        (page,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "page"]
        assert page["schema"]["maximum"] == MAX_PAGE
        assert "1,000,000,000" in page["description"]

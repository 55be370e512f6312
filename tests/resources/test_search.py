"""Directory search: each filter, the orders, distances, and bounded queries."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from casework.core.models import User
from casework.resources import derived, geo
from casework.resources.models import Language, Provider, Service, ServiceStatus
from casework.resources.search import DirectoryQuery, Sort, search_services
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import CENTRE, Directory, add_service

pytestmark = pytest.mark.django_db

HOME = geo.Point(CENTRE[0], CENTRE[1])


def names(p: Personas, **query: Any) -> set[str]:
    page = search_services(actor=p.case_manager, query=DirectoryQuery(**query))
    return {hit.service.name for hit in page.hits}


ALL = {
    "Family Shelter",
    "Senior Housing Help",
    "Weekend Food Box",
    "Housing Stability Coaching",
    "Rural Housing Office",
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ALL),
        ({"words": "shel"}, {"Family Shelter"}),
        ({"words": "hous sen"}, {"Senior Housing Help"}),
        ({"words": "spanish"}, {"Family Shelter", "Housing Stability Coaching"}),
        ({"category": "food"}, {"Weekend Food Box"}),
        ({"category": "older_adults"}, {"Senior Housing Help"}),
        ({"language": "es"}, {"Family Shelter", "Housing Stability Coaching"}),
        ({"age": 70}, ALL - {"Family Shelter"}),
        ({"age": 30}, ALL - {"Senior Housing Help"}),
        ({"free_only": True}, ALL - {"Senior Housing Help"}),
        ({"open_on": (5, time(10))}, {"Family Shelter", "Weekend Food Box"}),
        ({"open_on": (5, time(18))}, set()),
        ({"accepting_only": True}, ALL - {"Weekend Food Box"}),
        ({"in_house_only": True}, {"Housing Stability Coaching"}),
        (
            {"near": HOME, "radius_km": 3},
            {"Family Shelter", "Weekend Food Box", "Housing Stability Coaching"},
        ),
        (
            {"near": HOME, "radius_km": 10, "category": "housing", "language": "en", "age": 70},
            {"Senior Housing Help", "Housing Stability Coaching"},
        ),
    ],
)
def test_each_filter_narrows_the_results(
    personas: Personas, directory: Directory, query: dict[str, Any], expected: set[str]
) -> None:
    assert names(personas, **query) == expected


def test_a_category_can_be_a_term_id(personas: Personas, directory: Directory) -> None:
    term_id = directory.food.attributes.get().taxonomy_term_id
    assert names(personas, category=str(term_id)) == {"Weekend Food Box"}


def test_inactive_services_are_left_out_unless_asked(
    personas: Personas, directory: Directory
) -> None:
    directory.far.status = ServiceStatus.INACTIVE
    directory.far.save()
    assert "Rural Housing Office" not in names(personas)
    assert "Rural Housing Office" in names(personas, include_inactive=True)
    # By place alone (the search that leaves out inactive services' locations), and
    # by place with another filter (the one that reads only the services that pass).
    for other in ({}, {"category": "housing"}):
        for sort in (Sort.DISTANCE, Sort.RELEVANCE):
            near = {"near": HOME, "radius_km": 50, "sort": sort, **other}
            assert "Rural Housing Office" not in names(personas, **near)
            assert "Rural Housing Office" in names(personas, include_inactive=True, **near)
            page = search_services(actor=personas.case_manager, query=DirectoryQuery(**near))
            assert page.count == len(page.hits)


def test_nearest_first_gives_distances(personas: Personas, directory: Directory) -> None:
    page = search_services(
        actor=personas.case_manager,
        query=DirectoryQuery(near=HOME, radius_km=50, sort=Sort.DISTANCE),
    )
    assert [h.service.name for h in page.hits] == [
        "Housing Stability Coaching",
        "Family Shelter",
        "Weekend Food Box",
        "Senior Housing Help",
        "Rural Housing Office",
    ]
    assert [round(h.distance_km or 0) for h in page.hits] == [0, 1, 2, 5, 40]
    assert page.count == 5


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_nearest_first_pages_follow_the_distance_and_count_everything_in_the_radius(
    personas: Personas, directory: Directory, page_size: int
) -> None:
    seen: list[float] = []
    for number in range(1, 6):
        page = search_services(
            actor=personas.case_manager,
            query=DirectoryQuery(
                near=HOME, radius_km=50, sort=Sort.DISTANCE, page=number, page_size=page_size
            ),
        )
        assert page.count == 5
        seen += [h.distance_km or 0 for h in page.hits]
    assert [round(km) for km in seen] == [0, 1, 2, 5, 40]


@pytest.mark.parametrize("words", ["c", "l", "t", "p", "_l_es", "_c_housing"])
def test_a_users_words_never_match_the_category_and_language_tokens(
    personas: Personas, directory: Directory, words: str
) -> None:
    services = Service.objects.filter(organization=personas.agency, status=ServiceStatus.ACTIVE)
    assert any("_l_es" in s.facets.split() for s in services)
    terms = words.replace("_", " ").split()
    expected = {
        s.name
        for s in services
        if all(any(w.startswith(t) for w in s.search_text.split()) for t in terms)
    }
    assert names(personas, words=words, page_size=100) == expected


def test_a_language_spoken_at_a_location_finds_its_services(
    personas: Personas, directory: Directory
) -> None:
    sal = directory.far.at_locations.get()
    Language.objects.create(
        organization=personas.agency, hsds_id="lang-far-vi", location=sal.location, code="vi"
    )
    assert names(personas, language="vi") == set()
    derived.refresh(organization_id=personas.agency.pk, service_ids=[directory.far.pk])
    assert names(personas, language="vi") == {"Rural Housing Office"}
    assert names(personas, language="VI", category="housing") == {"Rural Housing Office"}


def test_relevance_puts_names_with_the_word_first(personas: Personas, directory: Directory) -> None:
    page = search_services(actor=personas.case_manager, query=DirectoryQuery(words="housing"))
    assert page.hits[0].service.name.lower().find("housing") >= 0
    ordered = search_services(actor=personas.case_manager, query=DirectoryQuery(sort=Sort.NAME))
    assert [h.service.name for h in ordered.hits] == sorted(ALL)


def test_pages_are_cut_and_counted(personas: Personas, directory: Directory) -> None:
    first = search_services(
        actor=personas.case_manager, query=DirectoryQuery(page_size=2, sort=Sort.NAME)
    )
    second = search_services(
        actor=personas.case_manager, query=DirectoryQuery(page_size=2, page=2, sort=Sort.NAME)
    )
    assert first.count == 5 and first.has_next and second.has_previous
    assert not {h.service.pk for h in first.hits} & {h.service.pk for h in second.hits}


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_partner_staff_and_other_agencies_find_nothing(
    personas: Personas, directory: Directory, harbor_staff: User, who: str
) -> None:
    user = harbor_staff if who == "partner" else personas.outsider
    for query in (DirectoryQuery(), DirectoryQuery(near=HOME, sort=Sort.DISTANCE)):
        page = search_services(actor=user, query=query)
        assert page.hits == [] and page.count == 0


def test_postal_codes_locate_from_the_directory(personas: Personas, directory: Directory) -> None:
    point = geo.locate_postal_code(personas.agency.pk, "97002")
    assert point is not None and point.precision == geo.Precision.POSTAL_CODE
    assert geo.haversine_km(point.latitude, point.longitude, *CENTRE) == pytest.approx(5, abs=0.01)
    assert geo.locate_postal_code(personas.agency.pk, "00000") is None
    city = geo.locate_address(personas.agency.pk, postal_code="", city="riverton", state="OR")
    assert city is not None and city.how == "by city"


def test_haversine_is_right_over_a_known_distance() -> None:
    # One degree of latitude along a meridian.
    assert geo.haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.01)


def test_search_runs_the_same_queries_however_many_services(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    query = DirectoryQuery(words="hous", near=HOME, radius_km=50, sort=Sort.DISTANCE, language="en")
    counter = iter(range(100))

    def grow() -> None:
        n = next(counter)
        add_service(
            p.agency,
            directory.far.provider,
            f"more{n}",
            f"Housing more {n}",
            codes=("housing",),
            north_km=3,
            languages=("en",),
        )

    assert_constant_queries(lambda: search_services(actor=p.case_manager, query=query), grow)
    assert_query_budget(lambda: search_services(actor=p.case_manager, query=query), 8)


# --- many matches: the page read from the first services in order ----------------------


@pytest.fixture
def crowded(personas: Personas, directory: Directory) -> list[Service]:
    """Services whose names hold "housing", or only mention it, or neither, open to
    referrals or not, in an order that is not the order of their names."""
    made = []
    for n in range(24):
        name = ["Housing Help", "Tenant Desk", "Lighthouse Meals", "Food Shelf"][n % 4]
        made.append(
            add_service(
                personas.agency,
                directory.far.provider,
                f"crowd{n}",
                f"{name} {(n * 7) % 24:02d}",
                codes=("housing",) if n % 3 else ("food",),
                north_km=1,
                languages=("es",) if n % 2 else (),
                accepting_referrals=n % 5 != 0,
                description="Help with housing forms." if n % 4 in (1, 2) else "Help.",
            )
        )
    return made


def every_page(p: Personas, **query: Any) -> list[list[str]]:
    pages, number = [], 1
    while True:
        page = search_services(
            actor=p.case_manager, query=DirectoryQuery(page=number, page_size=4, **query)
        )
        pages.append([hit.service.name for hit in page.hits])
        if not page.has_next:
            return pages
        number += 1


@pytest.mark.parametrize(
    "query",
    [
        {"words": "hous"},
        {"words": "help"},
        {"words": "hous", "sort": Sort.NAME},
        {"category": "housing"},
        {"category": "housing", "language": "es", "sort": Sort.NAME},
        {"words": "hous", "accepting_only": True, "age": 30},
        {"words": "help", "open_on": (0, time(10)), "free_only": True},
    ],
)
def test_many_matches_give_the_same_pages_as_a_full_sort(
    personas: Personas,
    crowded: list[Service],
    monkeypatch: pytest.MonkeyPatch,
    query: dict[str, Any],
) -> None:
    from casework.resources import search

    sorted_fully = every_page(personas, **query)
    assert sum(len(page) for page in sorted_fully) > 4  # more than one page to compare
    windows: list[bool] = []
    walk = search._first_in_order

    def spy(*args: Any) -> list[int] | None:
        found = walk(*args)
        windows.append(found is not None)
        return found

    monkeypatch.setattr(search, "_first_in_order", spy)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    # Too few services in the window for any page (all fall back to the full sort), then
    # enough for the first page (later pages of relevance may need services whose names
    # do not hold the word, and fall back).
    for rows, first_from_window in ((4, False), (1000, True)):
        monkeypatch.setattr(search, "WALK_ROWS", rows)
        windows.clear()
        assert every_page(personas, **query) == sorted_fully
        assert windows[0] is first_from_window


def test_relevance_reads_names_from_their_words(personas: Personas, crowded: list[Service]) -> None:
    # "Lighthouse" holds "house" but no word of it starts with "hous".
    first = every_page(personas, words="hous")
    names_first = [n for page in first for n in page]
    holding = [n for n in names_first if any(w.startswith("hous") for w in n.lower().split())]
    assert names_first[: len(holding)] == holding
    # Found by their texts, after the names that hold the word.
    assert any(n.startswith("Tenant") for n in names_first[len(holding) :])
    assert any(n.startswith("Lighthouse") for n in names_first[len(holding) :])


def test_a_renamed_service_is_found_by_its_new_name_first(
    personas: Personas, crowded: list[Service]
) -> None:
    service = next(s for s in crowded if s.name.startswith("Tenant"))
    Service.objects.filter(pk=service.pk).update(name="Housing Tenant Desk")
    derived.refresh(organization_id=personas.agency.pk, service_ids=[service.pk])
    page = search_services(actor=personas.case_manager, query=DirectoryQuery(words="hous"))
    names_first = [hit.service.name for hit in page.hits]
    assert "Housing Tenant Desk" in names_first
    before = names_first[: names_first.index("Housing Tenant Desk")]
    assert all("Housing" in n.split() for n in before)


def test_the_migration_gives_existing_services_their_name_tokens(
    personas: Personas, directory: Directory
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("casework.resources.migrations.0004_service_name_tokens")
    service = directory.far
    before = service.facets.split()
    Service.objects.filter(pk=service.pk).update(
        facets=" ".join(t for t in before if not t.startswith("_n_"))
    )
    migration.add_name_tokens(apps, None)
    service.refresh_from_db()
    assert service.facets.split() == before
    assert {"_n_rural", "_n_housing", "_n_office"} <= set(before)
    migration.remove_name_tokens(apps, None)
    service.refresh_from_db()
    assert not [t for t in service.facets.split() if t.startswith("_n_")]


def test_the_indexes_search_and_matching_read_are_there() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "resources_service")
        assert "resources_service_browse" in indexes  # lost once to a SQLite table rebuild
        # Matching's lookups: a location's languages, our own providers.
        for table, index in (
            ("resources_language", "language_at_location"),
            ("resources_provider", "provider_own_agency"),
        ):
            assert index in connection.introspection.get_constraints(cursor, table)
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'resources_service'"
            )
            triggers = {row[0] for row in cursor.fetchall()}
            assert {
                f"resources_service_fts_{e}" for e in ("insert", "delete", "update")
            } <= triggers
        else:
            assert "resources_service_search_facets" in indexes


@pytest.mark.parametrize("cap", [0, 1000])  # many openings at that time (each tested), few
def test_opening_times_give_the_same_services_however_many_are_open(
    personas: Personas, directory: Directory, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    from casework.resources import search

    monkeypatch.setattr(search, "COUNT_CAP", cap)
    assert names(personas, open_on=(5, time(10))) == {"Family Shelter", "Weekend Food Box"}
    assert names(personas, open_on=(5, time(18))) == set()
    assert names(personas, open_on=(0, time(10)), category="housing") == {
        n for n in ALL if "Housing" in n
    }


def test_a_page_read_from_the_first_services_runs_few_queries_however_many_match(
    personas: Personas, crowded: list[Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.resources import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    query = DirectoryQuery(words="hous", page_size=2)
    counter = iter(range(100))

    def grow() -> None:
        n = next(counter)
        add_service(
            personas.agency,
            crowded[0].provider,
            f"grown{n}",
            f"Housing grown {n}",
            codes=("housing",),
            north_km=2,
        )

    assert_constant_queries(lambda: search_services(actor=personas.case_manager, query=query), grow)
    # The count, the page from the first services, the page's services and their lists.
    assert_query_budget(lambda: search_services(actor=personas.case_manager, query=query), 6)


# --- stems and the agency's vocabulary ---------------------------------------------------


@pytest.fixture
def schooling(personas: Personas, directory: Directory) -> None:
    """Services whose texts say neither the words typed nor their stems' other forms."""
    provider = Provider.objects.create(
        organization=personas.agency, hsds_id="prov-learning", name="Learning Partners"
    )
    for key, name, code, description in (
        ("college", "College Navigation", "education", "Choosing a college and applying."),
        ("money", "Money Coaching", "income", "Personal finance classes."),
        ("homework", "Homework Club", "education", "After-class help for schools nearby."),
        ("study", "Quiet Room", "language_literacy", "A place to study, with books."),
    ):
        add_service(
            personas.agency, provider, key, name, codes=(code,), north_km=2, description=description
        )


HOUSING = {n for n in ALL if "Housing" in n} | {"Family Shelter"}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("financial", {"Money Coaching"}),  # finance
        ("schools", {"Homework Club", "College Navigation"}),  # school, education
        ("studying", {"Homework Club", "College Navigation", "Quiet Room"}),  # study, education
        ("tuition", {"College Navigation"}),
        ("grant", {"College Navigation"}),
        ("financial aid", {"College Navigation"}),
        ("school club", {"Homework Club"}),
        ("college", {"College Navigation"}),
        ("eviction", HOUSING),
        ("rent", HOUSING),
        ("shel", {"Family Shelter"}),  # a word still being typed is a prefix, not a stem
    ],
)
def test_words_are_found_by_their_stems_and_the_vocabulary(
    personas: Personas, schooling: None, words: str, expected: set[str]
) -> None:
    from casework.resources.search import filtered

    assert names(personas, words=words, page_size=100) == expected
    # The full-text index and the test of the row's own words agree.
    query = DirectoryQuery(words=words)
    for by_index in (True, False):
        found = filtered(actor=personas.case_manager, query=query, by_index=by_index)
        assert set(found.values_list("name", flat=True)) == expected


def test_a_name_that_holds_the_words_stem_comes_first(personas: Personas, schooling: None) -> None:
    add_service(
        personas.agency,
        Service.objects.get(name="Quiet Room").provider,
        "schools",
        "Schools Liaison",
        codes=("education",),
        north_km=2,
        accepting_referrals=False,
    )
    page = search_services(actor=personas.case_manager, query=DirectoryQuery(words="school"))
    assert page.hits[0].service.name == "Schools Liaison"


def test_the_migration_gives_existing_services_their_stems(
    personas: Personas, directory: Directory
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("casework.resources.migrations.0008_service_word_stems")
    service = directory.seniors
    before = (service.search_text, service.facets)
    assert {"hous", "housing"} <= set(service.search_text.split())
    assert {"_n_hous", "_n_housing"} <= set(service.facets.split())
    Service.objects.filter(pk=service.pk).update(
        search_text=" ".join(w for w in service.search_text.split() if w != "hous"),
        facets=" ".join(t for t in service.facets.split() if t != "_n_hous"),
    )
    migration.add_stems(apps, None)
    service.refresh_from_db()
    assert (service.search_text, service.facets) == before

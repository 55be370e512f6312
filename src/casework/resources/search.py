"""Directory search: services by words, category, language, age, cost, opening times,
distance, and the agency's own flags, a page at a time, in a bounded number of queries.

Words are matched on prefixes in any order, by their stems and by what the agency's
vocabulary says they also find ("tuition" finds "college", "school" finds "education";
vocabulary.py says why the stems are our own and the synonyms are read at query time),
and categories and languages as derived tokens (``Service.facets``), through one
full-text index (PostgreSQL GIN over the words and the tokens, SQLite FTS5
``resources_service_fts``; migrations 0002 and 0003), so these filters together are
one index scan. Opening times are an indexed
semi-join; the rest are columns of the service. A search that matches more than
COUNT_CAP services reads its page from the first services in order instead of sorting
them all (_first_in_order). Results are only ever drawn from
``directory_services(actor)``.

Measured with ``bench/directory.py`` at 100,000 services: every kind of search under
100 ms at the 95th percentile on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Combinable, RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from casework import access
from casework.clients.names import words
from casework.core.models import User

from . import derived, vocabulary
from .geo import Point, bounding_box, distance_km, squared_distance_expression
from .models import (
    Attribute,
    Service,
    ServiceAtLocation,
    ServiceOpening,
    ServiceStatus,
)
from .queries import directory_services, ours
from .vocabulary import Alternative

MAX_TERMS = 6
PAGE_SIZE = 20
#: Counting stops here: "more than 1,000 services" is as useful as the exact number,
#: and a count over 100,000 rows is what would make a search slow.
COUNT_CAP = 1000
#: A distance search with no radius looks this far.
DEFAULT_RADIUS_KM = 50.0
#: Nearest-first searches look in a ring of this share of the radius first (see
#: nearest_ids), when that ring is at least this wide.
INNER_RING_SHARE = 4
INNER_RING_MIN_KM = 0.5
#: A search that matches more than COUNT_CAP services first looks for its page among
#: this many services in order (see _first_in_order).
WALK_ROWS = 4000


class Sort:
    RELEVANCE = "relevance"
    DISTANCE = "distance"
    NAME = "name"
    ALL = (RELEVANCE, DISTANCE, NAME)


@dataclass(frozen=True)
class DirectoryQuery:
    words: str = ""
    #: A category: our taxonomy's code ("housing") or any taxonomy term's id ("42").
    category: str = ""
    categories: tuple[str, ...] = ()  # any of these codes (matching asks for several needs)
    language: str = ""  # a language code, "es"
    age: int | None = None
    free_only: bool = False
    open_now: bool = False
    #: Open on this weekday (0 = Monday) at this time.
    open_on: tuple[int, time] | None = None
    near: Point | None = None
    radius_km: float | None = None
    accepting_only: bool = False
    in_house_only: bool = False
    include_inactive: bool = False
    sort: str = Sort.RELEVANCE
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(words(self.words)))[:MAX_TERMS]

    @property
    def word_groups(self) -> list[list[Alternative]]:
        """The words as search asks for them: stemmed, with what each also finds."""
        return vocabulary.expand(self.terms)


@dataclass(frozen=True)
class Hit:
    service: Service
    location: ServiceAtLocation | None  # the nearest location, when a point was given
    distance_km: float | None


@dataclass
class SearchPage:
    hits: list[Hit]
    number: int
    page_size: int
    count: int  # capped at COUNT_CAP + 1
    has_next: bool
    near: Point | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def count_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def object_list(self) -> list[Hit]:
        return self.hits


class _TextMatches(Func):
    """The words and facet tokens of a service, as the GIN index of migration 0003 reads
    them (``resources_service_document``), matching a tsquery; the columns named as the
    query aliases them (also in subqueries)."""

    output_field = BooleanField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, Any]:
        text, facets, query = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"resources_service_document({text[0]}, {facets[0]}) @@ ({query[0]})::tsquery"
        return sql, (*text[1], *facets[1], *query[1])


def category_tokens(categories: Iterable[str]) -> list[str]:
    """Any of the categories: our taxonomy's codes ("housing"), or term ids ("42")."""
    return [
        derived.facet(derived.TERM if c.isdigit() else derived.CATEGORY, c)
        for c in dict.fromkeys(categories)
        if c
    ]


def text_filter(
    word_groups: list[list[Alternative]], any_of: list[list[str]], by_index: bool = True
) -> Q:
    """Each group of ``word_groups`` (a word typed: its stem, or what it also finds,
    see vocabulary.expand) by one of its alternatives, each of whose stems is a prefix
    of a word, and one token of each group in ``any_of``: in one full-text index, or
    (``by_index`` False, and on databases with no such index) as tests of the row's own
    ``search_text`` and ``facets``, which hold the same words, stems and tokens
    separated by spaces, so both say the same."""
    groups = [group for group in any_of if group]
    word_groups = [group for group in word_groups if group]
    if not word_groups and not groups:
        return Q()
    if by_index and connection.vendor == "postgresql":
        parts = [
            "(" + " | ".join("(" + " & ".join(f"'{w}':*" for w in alt) + ")" for alt in group) + ")"
            for group in word_groups
        ]
        parts += ["(" + " | ".join(f"'{token}'" for token in group) + ")" for group in groups]
        return Q(_TextMatches(F("search_text"), F("facets"), Value(" & ".join(parts))))
    if by_index and connection.vendor == "sqlite":
        parts = [
            "("
            + " OR ".join(
                "(" + " AND ".join(f'search_text : "{w}"*' for w in alt) + ")" for alt in group
            )
            + ")"
            for group in word_groups
        ]
        parts += [
            "(" + " OR ".join(f'facets : "{token}"' for token in group) + ")" for group in groups
        ]
        return Q(
            pk__in=RawSQL(
                "SELECT rowid FROM resources_service_fts WHERE resources_service_fts MATCH %s",
                [" AND ".join(parts)],
            )
        )
    q = Q()
    for word_group in word_groups:
        any_alternative = Q(pk__in=[])
        for alt in word_group:
            every_word = Q()
            for w in alt:
                every_word &= Q(search_text__startswith=w) | Q(search_text__contains=f" {w}")
            any_alternative |= every_word
        q &= any_alternative
    for group in groups:
        any_token = Q(pk__in=[])
        for token in group:
            any_token |= (
                Q(facets=token)
                | Q(facets__startswith=f"{token} ")
                | Q(facets__endswith=f" {token}")
                | Q(facets__contains=f" {token} ")
            )
        q &= any_token
    return q


def name_holds(word: str) -> Q:
    """A word of the service's name starts with ``word`` or its stem, read from the name
    tokens in ``facets`` (the same test as the index's, on the row at hand)."""
    q = Q(pk__in=[])
    for prefix in dict.fromkeys((vocabulary.stem(word), word)):
        token = derived.facet(derived.NAME, prefix)
        q |= Q(facets__startswith=token) | Q(facets__contains=f" {token}")
    return q


def age_filter(age: int) -> Q:
    return (Q(minimum_age__isnull=True) | Q(minimum_age__lte=age)) & (
        Q(maximum_age__isnull=True) | Q(maximum_age__gte=age)
    )


def open_filter(organization_id: int, weekday: int, at: time) -> Q:
    """Open on that weekday at that time.

    SQLite runs the subquery as it is written. As a list of the services open then, it
    is fast when few are (8 ms on a Sunday night at 100,000 services) and slow when
    most are (280 ms on a Wednesday morning, the list holding 80,000); as a test of
    each service in turn, the other way round (1 ms and 600 ms). So the openings are
    counted first, as far as the count cap, in their index. PostgreSQL plans both the
    same way and needs no count."""
    openings = ServiceOpening.objects.filter(
        organization_id=organization_id, weekday=weekday, opens_at__lte=at, closes_at__gt=at
    )
    if connection.vendor == "sqlite" and openings[: COUNT_CAP + 1].count() > COUNT_CAP:
        return Q(Exists(openings.filter(service_id=OuterRef("pk"))))
    return Q(pk__in=openings.values("service_id"))


def now_local() -> datetime:
    return timezone.localtime()


def filtered(
    *,
    actor: User,
    query: DirectoryQuery,
    facets: Iterable[list[str]] = (),
    by_index: bool = True,
) -> QuerySet[Service]:
    """The services the actor may read that pass every filter but distance (unordered),
    and that hold one token of each group of ``facets`` (read in the same index, or
    not: see text_filter)."""
    services = directory_services(actor)
    org_id = access.organization_id(actor)
    if not query.include_inactive:
        services = services.filter(status=ServiceStatus.ACTIVE)
    groups = [category_tokens((query.category, *query.categories)), *facets]
    if query.language.strip():
        groups.append([derived.facet(derived.LANGUAGE, query.language)])
    services = services.filter(text_filter(query.word_groups, groups, by_index))
    if query.age is not None:
        services = services.filter(age_filter(query.age))
    if query.free_only:
        services = services.filter(is_free=True)
    if query.open_now:
        now = now_local()
        services = services.filter(open_filter(org_id, now.weekday(), now.time()))
    if query.open_on is not None:
        services = services.filter(open_filter(org_id, *query.open_on))
    if query.accepting_only:
        services = services.filter(accepting_referrals=True)
    if query.in_house_only:
        services = services.filter(ours(org_id))
    return services


def uses_text_index(query: DirectoryQuery) -> bool:
    return bool(query.terms or query.category or query.categories or query.language.strip())


def _ordered(
    services: QuerySet[Service], query: DirectoryQuery, narrowed: bool
) -> QuerySet[Service]:
    """By name, or by relevance: names that hold the first word before services that only
    mention it, then open to referrals before closed, then by name.

    ``narrowed``: the full-text index leaves few services (at most COUNT_CAP), and the
    sort keys are written so that no b-tree index yields them. PostgreSQL would
    otherwise walk the browse index and build the text of each row it passes, looking
    for rows that are rare (0.3 s at 100,000 services), rather than read the few
    matching rows from the full-text index. For many matches, see _first_in_order."""
    if query.sort == Sort.NAME:
        return services.order_by(*name_order(narrowed))
    order: list[str | Combinable] = []
    terms = query.terms
    if terms:
        services = services.annotate(
            in_name=Case(
                When(name_holds(terms[0]), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        order.append("in_name")
    return services.order_by(*order, *browse_order(narrowed))


def name_order(narrowed: bool) -> list[str | Combinable]:
    """By name; ``narrowed``: the text index filters (see _ordered for the two spellings)."""
    if narrowed:
        return [Concat("name", Value(""), output_field=CharField()), "pk"]
    return ["name", "pk"]


def browse_order(narrowed: bool) -> list[str | Combinable]:
    """Open to referrals first, then by name (see name_order)."""
    if narrowed:
        accepting = Case(When(accepting_referrals=True, then=Value(0)), default=Value(1))
        return [accepting, *name_order(narrowed)]
    return ["-accepting_referrals", "name", "pk"]


def with_details(services: QuerySet[Service]) -> QuerySet[Service]:
    """What a result shows: provider, categories, languages, opening days."""
    return services.select_related("provider", "in_house_program").prefetch_related(
        Prefetch(
            "attributes",
            queryset=Attribute.objects.select_related("taxonomy_term"),
            to_attr="_attributes",
        ),
        Prefetch("languages", to_attr="_languages"),
        Prefetch("openings", to_attr="_openings"),
    )


def _page_ids(
    actor: User, query: DirectoryQuery, services: QuerySet[Service], start: int, stop: int
) -> tuple[list[int], int]:
    """The ids from ``start`` to ``stop`` in the asked order, and how many services fit
    (capped at COUNT_CAP + 1)."""
    count = services.order_by()[: COUNT_CAP + 1].count()
    narrowed = uses_text_index(query)
    if narrowed and count > COUNT_CAP:
        ids = _first_in_order(actor, query, start, stop)
        if ids is not None:
            return ids, count
    return list(_ordered(services, query, narrowed).values_list("pk", flat=True)[start:stop]), count


def _first_in_order(actor: User, query: DirectoryQuery, start: int, stop: int) -> list[int] | None:
    """A page of a search whose words or categories match many services, read from the
    first WALK_ROWS services in the asked order; None when they hold too few matches.

    Sorting every match is what makes a common word slow ("hous" matches a fifth of
    100,000 services: 50-60 ms to read and sort them all). When matches are that
    common, the first few thousand services in order (a walk of the browse or name
    index, a few milliseconds) already hold the page, and since they are the first,
    the page is exactly the one a full sort would give. The words and tokens are then
    tested on each row's own columns, which costs microseconds, rather than by
    building its full-text document. Relevance puts names that hold the first word
    first, so it is those that must fill the page."""
    order = name_order(False) if query.sort == Sort.NAME else browse_order(False)
    # The services the actor may read, active unless asked: the query with no filters.
    first = filtered(actor=actor, query=DirectoryQuery(include_inactive=query.include_inactive))
    matches = filtered(actor=actor, query=query, by_index=False)
    if query.sort != Sort.NAME and query.terms:
        matches = matches.filter(name_holds(query.terms[0]))
    page = matches.order_by(*order).values_list("pk", flat=True)[:stop]
    sql, params = _from_rows(page, first.order_by(*order)[:WALK_ROWS])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return ids[start:] if len(ids) >= stop else None


def _from_rows(
    query: QuerySet[Service, Any], rows: QuerySet[Service]
) -> tuple[str, tuple[Any, ...]]:
    """The SQL of ``query`` reading its services from ``rows`` (a subquery under the
    table's own name) rather than from the whole table.

    Asked as ``pk IN (rows)``, PostgreSQL tests every service of the table and joins
    them to the rows afterwards (110 ms); from the rows, it tests only those (5 ms)."""
    sql, params = query.query.sql_with_params()
    rows_sql, rows_params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Service._meta.db_table)
    source = f" FROM {table} "
    at = sql.find(source)
    if at < 0 or "%s" in sql[:at]:
        raise ValueError("The query does not read the service table first.")
    sql = f"{sql[:at]} FROM ({rows_sql}) {table} {sql[at + len(source) :]}"
    return sql, (*rows_params, *params)


def search_services(*, actor: User, query: DirectoryQuery) -> SearchPage:
    """One page of the services that fit the query, in the asked order, with distances."""
    services = filtered(actor=actor, query=query)
    size = max(1, min(query.page_size, 100))
    number = max(1, query.page)
    start = (number - 1) * size
    near = query.near
    if near is None:
        ids, count = _page_ids(actor, query, services, start, start + size + 1)
        return SearchPage(
            [Hit(service, None, None) for service in _in_order(ids[:size])],
            number,
            size,
            count,
            len(ids) > size,
        )

    radius = query.radius_km or DEFAULT_RADIUS_KM
    org_id = access.organization_id(actor)
    located = locations_for(actor, query, services)
    within = within_radius(located, org_id, near, radius)
    if query.sort == Sort.DISTANCE:
        nearest_first, total = nearest_ids(located, org_id, near, radius, start + size + 1)
        count = (
            min(total, COUNT_CAP + 1)
            if total is not None
            else within.order_by()[: COUNT_CAP + 1].count()
        )
        page_ids = nearest_first[start:]
        chosen = _in_order(page_ids[:size])
        has_next = len(page_ids) > size
    else:
        count = within.order_by()[: COUNT_CAP + 1].count()
        ordered = _ordered(
            services.filter(pk__in=within.values("service_id")), query, uses_text_index(query)
        )
        ids = list(ordered.values_list("pk", flat=True)[start : start + size + 1])
        chosen, has_next = _in_order(ids[:size]), len(ids) > size
    nearest = nearest_locations(near, [s.pk for s in chosen])
    hits = [
        Hit(s, nearest.get(s.pk, (None, None))[0], nearest.get(s.pk, (None, None))[1])
        for s in chosen
    ]
    return SearchPage(hits, number, size, count, has_next, near=near)


def locations_of(services: QuerySet[Service]) -> Q:
    """The service-at-locations of these services (for within_radius and nearest_ids)."""
    return Q(service_id__in=services.values("pk"))


def locations_for(actor: User, query: DirectoryQuery, services: QuerySet[Service]) -> Q:
    """The service-at-locations a distance search (or matching) reads: those of ``services``.

    A search by place alone asks only that the service be active, and tying each of
    the thousands of locations in a city-wide radius to its service cost 25 ms of a
    50 ms search at 100,000 services; the inactive services are few, so leaving out
    their locations gives the same rows cheaply."""
    place_only = (
        replace(
            query,
            near=None,
            radius_km=None,
            sort=Sort.RELEVANCE,
            page=1,
            page_size=PAGE_SIZE,
            include_inactive=False,
        )
        == DirectoryQuery()
    )
    if not place_only or not access.directory_read_allowed(actor):
        return locations_of(services)
    if query.include_inactive:
        return Q()
    # Named one by one, so the index on (organization, status) finds them; the import
    # admits no other status.
    others = [status for status in ServiceStatus.values if status != ServiceStatus.ACTIVE]
    inactive = directory_services(actor).filter(status__in=others)
    return ~Q(service_id__in=inactive.values("pk"))


def within_radius(
    located: Q, organization_id: int, near: Point, radius_km: float
) -> QuerySet[ServiceAtLocation, dict[str, Any]]:
    """Rows of ``service_id`` and ``d2`` (the nearest location's squared distance in km²)
    for the services with a location within the radius, of the locations ``located``
    (see locations_of)."""
    return (
        ServiceAtLocation.objects.filter(
            located,
            bounding_box(near, radius_km).q(),
            organization_id=organization_id,
        )
        .values("service_id")
        .annotate(d2=Min(squared_distance_expression(near)))
        .filter(d2__lte=radius_km * radius_km)
    )


def nearest_ids(
    located: Q, organization_id: int, near: Point, radius_km: float, n: int
) -> tuple[list[int], int | None]:
    """The ids of the ``n`` services nearest to the point within the radius, nearest first,
    and how many services the radius holds when that was read on the way (else None).

    A city can put a fifth of the directory inside a 10 km box, and ranking all of it
    costs a quarter of a second; the nearest services are usually much closer. So the
    inner ring is asked first, and when it already holds ``n`` services they are the
    nearest of the whole radius (all others are further than the ring); otherwise the
    whole radius is asked, and counted in the same pass. At most two queries."""
    inner = radius_km / INNER_RING_SHARE
    if inner >= INNER_RING_MIN_KM:
        rows = within_radius(located, organization_id, near, inner).order_by("d2", "service_id")
        ids = [row["service_id"] for row in rows[:n]]
        if len(ids) >= n:
            return ids, None
    rows = (
        within_radius(located, organization_id, near, radius_km)
        .annotate(total=Window(Count("service_id")))
        .order_by("d2", "service_id")
    )
    found = list(rows[:n])
    return [row["service_id"] for row in found], (found[0]["total"] if found else 0)


def _in_order(ids: list[int]) -> list[Service]:
    """The services with these ids, with what a result shows, in the order given.

    Pages are chosen on narrow rows (ids) and only the page's services are read whole:
    sorting thousands of full rows is what made a broad search slow."""
    by_id = {s.pk: s for s in with_details(Service.objects.filter(pk__in=ids))}
    return [by_id[i] for i in ids if i in by_id]


def nearest_locations(
    point: Point, service_ids: list[int]
) -> dict[int, tuple[ServiceAtLocation, float]]:
    """Each service's nearest location with coordinates, and its distance (one query)."""
    best: dict[int, tuple[ServiceAtLocation, float]] = {}
    if not service_ids:
        return best
    found = defaultdict(list)
    for sal in ServiceAtLocation.objects.filter(
        service_id__in=service_ids, latitude__isnull=False, longitude__isnull=False
    ).select_related("location"):
        found[sal.service_id].append(sal)
    for service_id, sals in found.items():
        for sal in sals:
            km = distance_km(point, sal.latitude, sal.longitude)
            if km is not None and (service_id not in best or km < best[service_id][1]):
                best[service_id] = (sal, km)
    return best

"""Columns and rows derived from the HSDS data, so that directory search reads indexes only.

``refresh`` recomputes, for the given services (or all of an agency's):

* ``Service.search_text``: the folded words of the service's name, other names,
  description, eligibility, provider, category terms and languages, each followed
  by its stem when that differs ("financial financ"), so that search finds a word
  by its stem on both databases alike (see vocabulary);
* ``Service.facets``: the service's categories (``_c_<code>`` for our taxonomy,
  ``_t_<term id>`` for any term) and languages, its own and its locations'
  (``_l_<code>``), ``_p_none`` when none of its locations has a map position, and
  the words of its name and their stems (``_n_<word>``), as tokens indexed with the words, so that a
  search by words, category and language (matching's "no address" candidates, and
  relevance's "the name holds the word") reads one full-text index;
* ``Service.is_free``: every cost option costs nothing, or there is none and the fee
  description says nothing or that it is free;
* ``ServiceOpening`` rows from weekly schedules (RFC 5545 ``FREQ=WEEKLY;BYDAY=…`` with
  opening and closing times) of the service, its service-at-locations and their locations;
* ``ServiceAtLocation.latitude`` / ``longitude`` copied from the location.

Importers and the directory's services call it after every write; it is idempotent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import time
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery

from casework.clients.names import words

from .models import (
    CASEWORK_TAXONOMY_ID,
    Attribute,
    CostOption,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceOpening,
)
from .vocabulary import stem

CHUNK = 2000
SEARCH_TEXT_LIMIT = 4000
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_NOT_TOKEN = re.compile(r"[^a-z0-9]+")
CATEGORY, TERM, LANGUAGE, PLACE, NAME = "c", "t", "l", "p", "n"
_FREE_WORDS = re.compile(r"\b(free|no (fee|cost|charge)s?|sin costo|gratis)\b", re.IGNORECASE)


def fees_say_free(fees_description: str) -> bool:
    return not fees_description.strip() or bool(_FREE_WORDS.search(fees_description))


def facet(kind: str, value: object) -> str:
    """A facet token: "_l_es". Words are folded to letters only, so no word a user types
    can match (or be a prefix of) a token that starts with "_"."""
    return f"_{kind}_{_NOT_TOKEN.sub('_', str(value).strip().lower()).strip('_')}"


def with_stems(text: str) -> str:
    """The folded words of ``text``, each once, each followed by its stem when that
    differs: "Housing help" → "housing hous help"."""
    found: dict[str, None] = {}
    for word in words(text):
        found[word] = None
        found[stem(word)] = None
    return " ".join(found)


def name_tokens(name: str) -> list[str]:
    """The tokens of the words of a service's name and their stems: "_n_housing",
    "_n_hous", "_n_help"."""
    return [facet(NAME, word) for word in with_stems(name).split()]


def unplaced() -> str:
    """The token of a service none of whose locations has a map position."""
    return facet(PLACE, "none")


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _weekdays(byday: str) -> list[int]:
    """ "MO,WE,FR" (or with ordinals such as "1MO", which we read as every such weekday)."""
    days = []
    for part in byday.upper().replace(" ", "").split(","):
        code = part[-2:]
        if code in WEEKDAYS:
            days.append(WEEKDAYS.index(code))
    return sorted(set(days))


def refresh(*, organization_id: int, service_ids: Collection[int] | None = None) -> int:
    """Recompute the derived columns and rows; returns how many services were refreshed."""
    services = Service.objects.filter(organization_id=organization_id)
    if service_ids is not None:
        services = services.filter(pk__in=list(service_ids))
    ids = list(services.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        _refresh_chunk(organization_id, chunk)
    return len(ids)


def _refresh_chunk(organization_id: int, ids: list[int]) -> None:
    sal = ServiceAtLocation.objects.filter(service_id__in=ids)
    sal.update(
        latitude=Subquery(
            Location.objects.filter(pk=OuterRef("location_id")).values("latitude")[:1]
        ),
        longitude=Subquery(
            Location.objects.filter(pk=OuterRef("location_id")).values("longitude")[:1]
        ),
    )
    terms: dict[int, list[str]] = defaultdict(list)
    facets: dict[int, list[str]] = defaultdict(list)
    for service_id, term_id, name, code, taxonomy in Attribute.objects.filter(
        service_id__in=ids
    ).values_list(
        "service_id",
        "taxonomy_term_id",
        "taxonomy_term__name",
        "taxonomy_term__code",
        "taxonomy_term__taxonomy__hsds_id",
    ):
        terms[service_id].append(name)
        facets[service_id].append(facet(TERM, term_id))
        if code and taxonomy == CASEWORK_TAXONOMY_ID:
            facets[service_id].append(facet(CATEGORY, code))
    languages: dict[int, list[str]] = defaultdict(list)
    for service_id, name, code in Language.objects.filter(service_id__in=ids).values_list(
        "service_id", "name", "code"
    ):
        languages[service_id] += [name, code]
        if code.strip():
            facets[service_id].append(facet(LANGUAGE, code))
    for service_id, code in (
        Language.objects.filter(location__services_here__service_id__in=ids)
        .exclude(code="")
        .values_list("location__services_here__service_id", "code")
    ):
        facets[service_id].append(facet(LANGUAGE, code))
    placed = set(
        sal.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "service_id", flat=True
        )
    )
    costs: dict[int, list[Decimal | None]] = defaultdict(list)
    for service_id, amount in CostOption.objects.filter(service_id__in=ids).values_list(
        "service_id", "amount"
    ):
        costs[service_id].append(amount)

    rows = list(
        Service.objects.filter(pk__in=ids)
        .annotate(provider_name=F("provider__name"))
        .only(
            "name",
            "alternate_name",
            "description",
            "eligibility_description",
            "fees_description",
            "provider",
        )
    )
    for service in rows:
        text = " ".join(
            [
                service.name,
                service.alternate_name,
                service.provider_name,
                " ".join(terms[service.pk]),
                " ".join(languages[service.pk]),
                service.description,
                service.eligibility_description,
            ]
        )
        service.search_text = with_stems(text)[:SEARCH_TEXT_LIMIT]
        if service.pk not in placed:
            facets[service.pk].append(unplaced())
        facets[service.pk] += name_tokens(service.name)
        service.facets = " ".join(sorted(set(facets[service.pk])))
        amounts = costs[service.pk]
        service.is_free = (
            all(not a for a in amounts) if amounts else fees_say_free(service.fees_description)
        )
    Service.objects.bulk_update(rows, ["search_text", "facets", "is_free"], batch_size=500)
    _refresh_openings(organization_id, ids)


def _refresh_openings(organization_id: int, ids: list[int]) -> None:
    ServiceOpening.objects.filter(service_id__in=ids).delete()
    location_services: dict[int, set[int]] = defaultdict(set)
    sal_service: dict[int, int] = {}
    for sal_id, service_id, location_id in ServiceAtLocation.objects.filter(
        service_id__in=ids
    ).values_list("pk", "service_id", "location_id"):
        location_services[location_id].add(service_id)
        sal_service[sal_id] = service_id
    schedules = Schedule.objects.filter(
        organization_id=organization_id, opens_at__isnull=False, closes_at__isnull=False
    ).exclude(byday="")
    found: set[tuple[int, int, time, time]] = set()
    for schedule in schedules.filter(service_id__in=ids):
        _add(found, {schedule.service_id}, schedule)  # type: ignore[arg-type]
    for schedule in schedules.filter(service_at_location_id__in=list(sal_service)):
        _add(found, {sal_service[schedule.service_at_location_id]}, schedule)  # type: ignore[index]
    for schedule in schedules.filter(location_id__in=list(location_services)):
        _add(found, location_services[schedule.location_id], schedule)  # type: ignore[index]
    ServiceOpening.objects.bulk_create(
        [
            ServiceOpening(
                organization_id=organization_id,
                service_id=service_id,
                weekday=weekday,
                opens_at=opens,
                closes_at=closes,
            )
            for service_id, weekday, opens, closes in sorted(found, key=str)
        ],
        batch_size=1000,
    )


def _add(found: set[tuple[int, int, time, time]], services: set[int], s: Schedule) -> None:
    if (s.freq and s.freq.upper() != "WEEKLY") or s.opens_at is None or s.closes_at is None:
        return
    for weekday in _weekdays(s.byday):
        for service_id in services:
            found.add((service_id, weekday, s.opens_at, s.closes_at))

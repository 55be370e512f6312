"""A synthetic directory at any scale, for benchmarks and load tests (``generate --services``).

Rows are written in bulk, then ``derived.refresh`` computes what search reads. All
names are made up; the city is no real place.
"""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from . import categories, derived
from .models import (
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    TaxonomyTerm,
)
from .services import taxonomy_ensure

BATCH = 2000
SERVICES_PER_PROVIDER = 3
#: A made-up city centre; locations spread over about 40 km around it.
CENTRE = (45.52, -122.68)
SPREAD_DEGREES = 0.25
POSTAL_GRID = 10  # 10 × 10 postal codes

_WORDS = (
    "community",
    "family",
    "youth",
    "senior",
    "housing",
    "food",
    "health",
    "legal",
    "recovery",
    "employment",
    "learning",
    "support",
    "care",
    "neighborhood",
    "harbor",
    "valley",
    "river",
)
_KINDS = (
    "Pantry",
    "Clinic",
    "Center",
    "Program",
    "Services",
    "Network",
    "Project",
    "Outreach",
    "Counseling",
    "Shelter",
    "Workshop",
    "Hotline",
)
_LANGUAGES = (
    ("en", "English"),
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
    ("ru", "Russian"),
    ("so", "Somali"),
    ("ar", "Arabic"),
)
_DAYS = ("MO,TU,WE,TH,FR", "TU,WE,TH,FR,SA", "MO,WE,FR", "SA,SU", "MO,TU,WE,TH,FR,SA,SU")
_AGES = ((None, None), (18, None), (18, 64), (65, None), (None, 24), (0, 17), (None, None))


def _postal(lat: float, lon: float) -> str:
    row = int((lat - CENTRE[0] + SPREAD_DEGREES) / (2 * SPREAD_DEGREES) * POSTAL_GRID)
    col = int((lon - CENTRE[1] + SPREAD_DEGREES) / (2 * SPREAD_DEGREES) * POSTAL_GRID)
    return f"97{min(row, POSTAL_GRID - 1)}{min(col, POSTAL_GRID - 1):02d}"


def generate_directory(*, organization_id: int, services: int, rng: random.Random) -> int:
    """Write ``services`` services with providers, locations, languages, schedules and
    categories for the agency; returns how many services were written."""
    taxonomy = taxonomy_ensure(organization_id=organization_id)
    terms = list(TaxonomyTerm.objects.filter(taxonomy=taxonomy).values_list("pk", "code"))
    prefix = f"gen{rng.randrange(10**8)}"
    written = 0
    with transaction.atomic():
        while written < services:
            size = min(BATCH, services - written)
            _batch(organization_id, prefix, written, size, terms, rng)
            written += size
    derived.refresh(organization_id=organization_id)
    return written


def _batch(
    organization_id: int,
    prefix: str,
    start: int,
    size: int,
    terms: list[tuple[int, str]],
    rng: random.Random,
) -> None:
    today = timezone.localdate()
    org = {"organization_id": organization_id}
    provider_count = max(1, size // SERVICES_PER_PROVIDER)
    providers = Provider.objects.bulk_create(
        [
            Provider(
                **org,
                hsds_id=f"{prefix}-p{start + i}",
                name=f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()} "
                f"{rng.choice(_KINDS)} {start + i}",
                description="A synthetic provider.",
                last_verified_on=today - timedelta(days=rng.randrange(0, 700)),
            )
            for i in range(provider_count)
        ],
        batch_size=1000,
    )
    locations = []
    for i, provider in enumerate(providers):
        lat = CENTRE[0] + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES)
        lon = CENTRE[1] + rng.uniform(-SPREAD_DEGREES, SPREAD_DEGREES)
        locations.append(
            Location(
                **org,
                hsds_id=f"{prefix}-l{start + i}",
                provider=provider,
                name=f"{provider.name} office",
                latitude=lat,
                longitude=lon,
            )
        )
    Location.objects.bulk_create(locations, batch_size=1000)
    Address.objects.bulk_create(
        [
            Address(
                **org,
                hsds_id=f"{prefix}-a{start + i}",
                location=location,
                address_1=f"{rng.randrange(1, 9999)} {rng.choice(_WORDS).title()} St",
                city="Riverton",
                state_province="OR",
                postal_code=_postal(location.latitude or 0, location.longitude or 0),
                country="US",
            )
            for i, location in enumerate(locations)
        ],
        batch_size=1000,
    )
    Schedule.objects.bulk_create(
        [
            Schedule(
                **org,
                hsds_id=f"{prefix}-h{start + i}",
                location=location,
                freq="WEEKLY",
                byday=rng.choice(_DAYS),
                opens_at=time(rng.choice((8, 9, 10)), 0),
                closes_at=time(rng.choice((16, 17, 19)), 0),
            )
            for i, location in enumerate(locations)
        ],
        batch_size=1000,
    )
    rows = []
    chosen: list[str] = []
    for i in range(size):
        provider_index = i % provider_count
        low, high = rng.choice(_AGES)
        code = rng.choice(terms)[1]
        chosen.append(code)
        rows.append(
            Service(
                **org,
                hsds_id=f"{prefix}-s{start + i}",
                provider=providers[provider_index],
                name=f"{categories.label_of(code)} {rng.choice(_KINDS).lower()} "
                f"{rng.choice(_WORDS)} {start + i}",
                description=f"Synthetic {code.replace('_', ' ')} service for the benchmark.",
                status=ServiceStatus.ACTIVE if rng.random() < 0.95 else ServiceStatus.INACTIVE,
                minimum_age=low,
                maximum_age=high,
                fees_description="" if rng.random() < 0.6 else "Sliding scale fee.",
                accepting_referrals=rng.random() < 0.9,
                last_verified_on=today - timedelta(days=rng.randrange(0, 700)),
            )
        )
    service_rows = Service.objects.bulk_create(rows, batch_size=1000)
    ServiceAtLocation.objects.bulk_create(
        [
            ServiceAtLocation(
                **org,
                hsds_id=f"{prefix}-sal{start + i}",
                service=service,
                location=locations[i % provider_count],
            )
            for i, service in enumerate(service_rows)
        ],
        batch_size=1000,
    )
    languages, attributes, costs = [], [], []
    term_of = {code: pk for pk, code in terms}
    for i, service in enumerate(service_rows):
        spoken = {"en"} | {rng.choice(_LANGUAGES)[0] for _ in range(rng.randrange(0, 3))}
        for n, code in enumerate(sorted(spoken)):
            languages.append(
                Language(
                    **org,
                    hsds_id=f"{prefix}-lang{start + i}-{n}",
                    service=service,
                    code=code,
                    name=dict(_LANGUAGES)[code],
                )
            )
        codes = {chosen[i]}
        if rng.random() < 0.3:
            codes.add(rng.choice(terms)[1])
        for n, code in enumerate(sorted(codes)):
            attributes.append(
                Attribute(
                    **org,
                    hsds_id=f"{prefix}-attr{start + i}-{n}",
                    link_id=service.hsds_id,
                    link_entity="service",
                    taxonomy_term_id=term_of[code],
                    service=service,
                )
            )
        if service.fees_description:
            costs.append(
                CostOption(
                    **org,
                    hsds_id=f"{prefix}-cost{start + i}",
                    service=service,
                    option="Sliding scale",
                    currency="USD",
                    amount=rng.choice((5, 10, 25)),
                )
            )
    Language.objects.bulk_create(languages, batch_size=2000)
    Attribute.objects.bulk_create(attributes, batch_size=2000)
    CostOption.objects.bulk_create(costs, batch_size=2000)

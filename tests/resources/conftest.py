"""Directory fixtures: a small directory around one made-up city, and a client to match."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    IdentifiedNeed,
    Instrument,
    InstrumentVersion,
    VersionStatus,
)
from casework.assessments.shipped import load_shipped_instruments
from casework.clients.models import ClientAddress
from casework.core.models import Organization, OrganizationKind, User
from casework.resources import derived
from casework.resources.categories import term_hsds_id
from casework.resources.models import (
    Accessibility,
    Address,
    Attribute,
    Language,
    Location,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from casework.resources.services import taxonomy_ensure
from tests.factories import OrganizationFactory, UserFactory
from tests.personas import Personas

CENTRE = (45.50, -122.60)


@dataclass
class Directory:
    shelter: Service  # housing, adults 18–64, Spanish, free, Tue–Sat, 1 km away, accessible
    seniors: Service  # housing, 65 and over, English, fee, Mon–Fri, 5 km away
    food: Service  # food, all ages, no languages, free, not accepting, stale
    own: Service  # our in-house housing program
    far: Service  # housing, 40 km away


def _term(org: Organization, code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(organization=org, hsds_id=term_hsds_id(code))


def add_service(
    org: Organization,
    provider: Provider,
    key: str,
    name: str,
    *,
    codes: tuple[str, ...],
    north_km: float,
    postal_code: str = "97001",
    languages: tuple[str, ...] = (),
    byday: str = "MO,TU,WE,TH,FR",
    fees: str = "",
    verified: date | None = None,
    accessible: str = "",
    **fields: object,
) -> Service:
    o = {"organization": org}
    location = Location.objects.create(
        **o,
        hsds_id=f"loc-{key}",
        provider=provider,
        name=f"{name} site",
        latitude=CENTRE[0] + north_km / 111.195,
        longitude=CENTRE[1],
    )
    Address.objects.create(
        **o,
        hsds_id=f"addr-{key}",
        location=location,
        address_1="1 Main St",
        city="Riverton",
        state_province="OR",
        postal_code=postal_code,
        country="US",
    )
    if accessible:
        Accessibility.objects.create(
            **o, hsds_id=f"acc-{key}", location=location, description=accessible
        )
    service = Service.objects.create(
        **o,
        hsds_id=f"svc-{key}",
        provider=provider,
        name=name,
        fees_description=fees,
        last_verified_on=verified or timezone.localdate(),
        **{"description": f"{name} helps people.", **fields},
    )
    ServiceAtLocation.objects.create(**o, hsds_id=f"sal-{key}", service=service, location=location)
    Schedule.objects.create(
        **o,
        hsds_id=f"sch-{key}",
        location=location,
        freq="WEEKLY",
        byday=byday,
        opens_at=time(9),
        closes_at=time(17),
    )
    for code in languages:
        Language.objects.create(
            **o,
            hsds_id=f"lang-{key}-{code}",
            service=service,
            code=code,
            name={"es": "Spanish", "en": "English"}.get(code, code),
        )
    for code in codes:
        Attribute.objects.create(
            **o,
            hsds_id=f"attr-{key}-{code}",
            link_id=service.hsds_id,
            link_entity="service",
            taxonomy_term=_term(org, code),
            service=service,
        )
    derived.refresh(organization_id=org.pk, service_ids=[service.pk])
    service.refresh_from_db()
    return service


def build_directory(p: Personas) -> Directory:
    org = p.agency
    taxonomy_ensure(organization_id=org.pk)
    o = {"organization": org}
    harbor = Provider.objects.create(**o, hsds_id="prov-harbor", name="Harbor House")
    elders = Provider.objects.create(**o, hsds_id="prov-elders", name="Elder Homes")
    pantry = Provider.objects.create(**o, hsds_id="prov-pantry", name="Eastside Pantry")
    ours = Provider.objects.create(**o, hsds_id="prov-own", name=org.name, is_own_agency=True)
    old = timezone.localdate() - timedelta(days=800)
    return Directory(
        shelter=add_service(
            org,
            harbor,
            "shelter",
            "Family Shelter",
            codes=("housing",),
            north_km=1,
            languages=("es", "en"),
            byday="TU,WE,TH,FR,SA",
            minimum_age=18,
            maximum_age=64,
            accessible="Step-free entrance",
        ),
        seniors=add_service(
            org,
            elders,
            "seniors",
            "Senior Housing Help",
            codes=("housing", "older_adults"),
            north_km=5,
            postal_code="97002",
            languages=("en",),
            fees="Sliding scale fee",
            minimum_age=65,
        ),
        food=add_service(
            org,
            pantry,
            "food",
            "Weekend Food Box",
            codes=("food",),
            north_km=2,
            byday="SA,SU",
            verified=old,
            accepting_referrals=False,
        ),
        own=add_service(
            org,
            ours,
            "own",
            "Housing Stability Coaching",
            codes=("housing",),
            north_km=0,
            languages=("en", "es"),
            in_house_program=p.program,
        ),
        far=add_service(
            org,
            harbor,
            "far",
            "Rural Housing Office",
            codes=("housing",),
            north_km=40,
            postal_code="97099",
            languages=("en",),
        ),
    )


@pytest.fixture
def harbor_staff(personas: Personas) -> User:
    """A staff member of a partner agency that uses Casework."""
    harbor = OrganizationFactory(
        name="Harbor Legal Aid", slug="harbor", kind=OrganizationKind.PARTNER
    )
    user: User = UserFactory(organization=harbor, email="staff@harbor.test", roles=["partner"])
    return user


@pytest.fixture
def directory(personas: Personas) -> Directory:
    return build_directory(personas)


def place_client(
    p: Personas, *, postal_code: str = "97001", age: int = 34, language: str = "es"
) -> None:
    """The persona's client: ``age`` years old, speaks ``language``, lives in ``postal_code``."""
    client = p.case.client
    today = timezone.localdate()
    client.date_of_birth = date(today.year - age, 1, 1)
    client.preferred_language = language
    client.save(update_fields=["date_of_birth", "preferred_language"])
    ClientAddress.objects.create(
        organization=p.agency,
        client=client,
        line1="9 Elm St",
        city="Riverton",
        state="OR",
        postal_code=postal_code,
    )


def assess_needs(p: Personas, *codes: str) -> None:
    """A completed assessment of the persona's case that found these needs."""
    load_shipped_instruments(Instrument, InstrumentVersion)
    version = InstrumentVersion.objects.filter(
        instrument__organization__isnull=True, status=VersionStatus.PUBLISHED
    ).first()
    assessment = Assessment.objects.create(
        organization=p.agency,
        case=p.case,
        client=p.case.client,
        instrument_version=version,
        assessor=p.case_manager,
        status=AssessmentStatus.COMPLETED,
        completed_at=timezone.now(),
    )
    for n, code in enumerate(codes):
        IdentifiedNeed.objects.create(
            organization=p.agency,
            case=p.case,
            client=p.case.client,
            assessment=assessment,
            domain=code,
            domain_label=code.title(),
            score=1 + n,
        )

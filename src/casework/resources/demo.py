"""The demo agency's resource directory: about 30 providers and 70 services around one
made-up city (Riverton), across every category, with the agency's own programs among
them, one provider that is the Harbor partner agency, and notes by demo staff.

Current addresses in the same postal codes are given to the clients of active cases
who have none, so that matching shows distances "by postal code". Everything is
synthetic.
"""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from casework.clients.models import CaseStatus, Client, ClientAddress
from casework.core.models import Organization, OrganizationKind, Program, User

from . import categories, derived
from .models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Phone,
    Provider,
    ProviderNote,
    ProviderNoteKind,
    RequiredDocument,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .services import taxonomy_ensure

CITY, STATE = "Riverton", "OR"
CENTRE = (45.523, -122.676)
POSTAL_CODES = ("97201", "97202", "97203", "97204", "97205", "97206", "97209", "97210")

#: (category, provider kind, service names): three to five services per category.
CATALOGUE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "housing",
        "Housing Alliance",
        (
            "Emergency Shelter",
            "Rapid Rehousing",
            "Rent Assistance",
            "Tenant Rights Clinic",
            "Supportive Housing",
        ),
    ),
    (
        "income",
        "Benefits Center",
        ("Benefits Enrollment", "Tax Preparation Help", "Emergency Cash Assistance"),
    ),
    (
        "food",
        "Food Bank",
        ("Community Pantry", "Hot Meals", "Weekend Food Boxes", "SNAP Application Help"),
    ),
    (
        "physical_health",
        "Health Clinic",
        ("Primary Care Clinic", "Dental Clinic", "Mobile Health Van", "Prescription Help"),
    ),
    (
        "mental_health",
        "Counseling Center",
        ("Individual Counseling", "Crisis Line", "Peer Support Groups", "Youth Counseling"),
    ),
    (
        "substance_use",
        "Recovery Services",
        ("Outpatient Treatment", "Recovery Coaching", "Medication for Addiction"),
    ),
    ("legal", "Legal Aid", ("Eviction Defense", "Family Law Clinic", "Record Expungement")),
    ("education", "Learning Center", ("GED Classes", "Tutoring", "College Navigation")),
    (
        "employment",
        "Job Center",
        ("Job Readiness", "Resume Workshop", "Supported Employment", "Job Training"),
    ),
    (
        "transportation",
        "Transit Access",
        ("Reduced Fare Program", "Medical Rides", "Bike Repair Co-op"),
    ),
    ("childcare", "Child Care Network", ("Child Care Subsidy", "Drop-in Child Care", "Head Start")),
    ("safety", "Safety Network", ("Domestic Violence Hotline", "Safe House", "Safety Planning")),
    (
        "family_support",
        "Family Resource Center",
        ("Parenting Classes", "Family Mediation", "Respite for Caregivers"),
    ),
    (
        "language_literacy",
        "Literacy Project",
        ("English Classes", "Adult Literacy", "Interpreter Services"),
    ),
    ("disability", "Disability Services", ("Independent Living Skills", "Assistive Technology")),
    ("older_adults", "Senior Services", ("Meals on Wheels", "Senior Center", "Adult Day Program")),
    ("immigration", "Immigrant Services", ("Immigration Legal Help", "Citizenship Classes")),
)
#: What each service of the catalogue does, as a directory would say it (search reads
#: these words); a service not listed here is described by its category.
DESCRIPTIONS: dict[str, str] = {
    "Emergency Shelter": "Beds for the night and a meal for adults and families without housing.",
    "Rapid Rehousing": "Helps people who lost their home find an apartment, with the deposit "
    "and the first months of rent.",
    "Rent Assistance": "One-time help with past-due rent or utility bills to prevent eviction.",
    "Tenant Rights Clinic": "Advice for renters on leases, repairs and notices from a landlord.",
    "Supportive Housing": "Permanent apartments with a case manager on site.",
    "Benefits Enrollment": "Help applying for SNAP, Medicaid, SSI and other public benefits.",
    "Tax Preparation Help": "Free tax returns and the earned income credit for working families.",
    "Emergency Cash Assistance": "A small grant for an urgent bill when money runs out.",
    "Community Pantry": "Groceries once a week, no questions asked.",
    "Hot Meals": "A hot lunch every weekday in the community hall.",
    "Weekend Food Boxes": "A box of food for the weekend for families with children.",
    "SNAP Application Help": "Help filling in the food stamps application and the interview.",
    "Primary Care Clinic": "A doctor for check-ups, illness and prescriptions, on a sliding scale.",
    "Dental Clinic": "Cleanings, fillings and pulled teeth for adults without dental insurance.",
    "Mobile Health Van": "A nurse and a doctor who come to shelters and parks.",
    "Prescription Help": "Help paying for medicine, and applying to drug makers' programs.",
    "Individual Counseling": "Therapy with a licensed counselor for depression, anxiety or trauma.",
    "Crisis Line": "Someone to talk to, day and night, in a mental health crisis.",
    "Peer Support Groups": "Weekly groups led by people who have lived with mental illness.",
    "Youth Counseling": "Counseling for teenagers and young adults, at school or at the center.",
    "Outpatient Treatment": "Treatment for alcohol and drug use while living at home.",
    "Recovery Coaching": "A coach in recovery who helps with the first months of sobriety.",
    "Medication for Addiction": "Medication and counseling for opioid use.",
    "Eviction Defense": "A lawyer for tenants facing eviction in court.",
    "Family Law Clinic": "Legal advice on custody, child support and divorce.",
    "Record Expungement": "Clearing a criminal record so it does not block a job or housing.",
    "GED Classes": "Classes to finish high school and pass the GED, days or evenings.",
    "Tutoring": "Free tutoring for students in reading, writing and math.",
    "College Navigation": "Help choosing a college or training program, applying, and paying "
    "for it: financial aid (the FAFSA, grants, scholarships) for adults going back to school.",
    "Job Readiness": "Workshops on finding work, interviews and keeping a job.",
    "Resume Workshop": "Write a resume and cover letter with a volunteer.",
    "Supported Employment": "A job coach for people with a disability or mental illness.",
    "Job Training": "Paid training in the trades, health care and warehouse work.",
    "Reduced Fare Program": "Half-price bus and train passes for people with low income.",
    "Medical Rides": "Free rides to medical appointments.",
    "Bike Repair Co-op": "Learn to fix a bike, or earn one by volunteering.",
    "Child Care Subsidy": "Help paying for child care while parents work or study.",
    "Drop-in Child Care": "Care for children up to 12 while parents go to appointments.",
    "Head Start": "Free preschool for children up to 5 and support for their parents.",
    "Domestic Violence Hotline": "Confidential help, day and night, for people facing abuse.",
    "Safe House": "A confidential place to stay for people leaving an abusive home.",
    "Safety Planning": "An advocate who makes a plan to stay safe at home, work and school.",
    "Parenting Classes": "Evening classes for parents of babies, children and teenagers.",
    "Family Mediation": "A neutral mediator for families in conflict.",
    "Respite for Caregivers": "A few hours off for people caring for a family member.",
    "English Classes": "English as a second language classes, beginner to advanced.",
    "Adult Literacy": "One-to-one help for adults learning to read and write.",
    "Interpreter Services": "Interpreters for appointments, in person or by phone.",
    "Independent Living Skills": "Training in cooking, budgeting and getting around with a "
    "disability.",
    "Assistive Technology": "Try and borrow devices for people with a disability.",
    "Meals on Wheels": "Meals delivered at home for seniors who cannot shop or cook.",
    "Senior Center": "Activities, lunch and a place to meet for older adults.",
    "Adult Day Program": "Daytime care for older adults, with respite for their family.",
    "Immigration Legal Help": "Legal advice on visas, green cards, asylum and citizenship.",
    "Citizenship Classes": "Prepare for the citizenship interview and test.",
}
NAME_WORDS = (
    "Riverside",
    "Northgate",
    "Eastbank",
    "Harborview",
    "Cedar",
    "Maple",
    "Unity",
    "Hope",
    "Bridge",
    "Summit",
)
LANGUAGES = (
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("zh", "Chinese"),
    ("ru", "Russian"),
    ("so", "Somali"),
)
AGES = ((None, None), (None, None), (18, None), (18, 64), (65, None), (0, 17), (16, 24))
DAYS = ("MO,TU,WE,TH,FR", "TU,WE,TH,FR,SA", "MO,WE,FR", "MO,TU,WE,TH,FR,SA,SU", "SA,SU")
OUR_PROGRAM_SERVICES = ("Case Management", "Housing Navigation")
PARTNER_SERVICES = ("Eviction Defense", "Record Expungement")
NOTES = (
    (ProviderNoteKind.EXPERIENCE, "Quick to call back; clients say the front desk is kind."),
    (
        ProviderNoteKind.QUALITY,
        "Waitlist is longer than the directory says; ask for the current wait.",
    ),
    (
        ProviderNoteKind.VIOLATION,
        "State inspection citation last year; resolved, per their director.",
    ),
    (ProviderNoteKind.CONTACT, "Intake coordinator answers referrals directly."),
)


def _partner() -> Organization | None:
    return (
        Organization.objects.filter(kind=OrganizationKind.PARTNER, name__icontains="harbor")
        .order_by("pk")
        .first()
    )


def seed(*, organization: Organization, seed: int = 1) -> int:
    """Build the demo directory; returns how many services were made (0 if already there)."""
    if Service.objects.filter(organization=organization, hsds_id__startswith="demo-").exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    fake = Faker("en_US")
    fake.seed_instance(seed)
    today = timezone.localdate()
    o = {"organization": organization}
    with transaction.atomic():
        taxonomy = taxonomy_ensure(organization_id=organization.pk)
        terms = {t.code: t for t in TaxonomyTerm.objects.filter(taxonomy=taxonomy)}
        counter = iter(range(10_000))

        def located(provider: Provider, name: str) -> Location:
            n = next(counter)
            lat = CENTRE[0] + rng.uniform(-0.06, 0.06)
            lon = CENTRE[1] + rng.uniform(-0.08, 0.08)
            location = Location.objects.create(
                **o,
                hsds_id=f"demo-loc-{n}",
                provider=provider,
                name=name,
                latitude=lat,
                longitude=lon,
            )
            Address.objects.create(
                **o,
                hsds_id=f"demo-addr-{n}",
                location=location,
                address_1=fake.street_address(),
                city=CITY,
                state_province=STATE,
                postal_code=POSTAL_CODES[n % len(POSTAL_CODES)],
                country="US",
            )
            Phone.objects.create(
                **o,
                hsds_id=f"demo-lphone-{n}",
                location=location,
                number=fake.numerify("503-555-0###"),
            )
            Schedule.objects.create(
                **o,
                hsds_id=f"demo-sched-{n}",
                location=location,
                freq="WEEKLY",
                byday=rng.choice(DAYS),
                opens_at=time(rng.choice((8, 9, 10))),
                closes_at=time(rng.choice((16, 17, 18))),
            )
            if rng.random() < 0.6:
                Accessibility.objects.create(
                    **o,
                    hsds_id=f"demo-acc-{n}",
                    location=location,
                    description="Step-free entrance and accessible restroom",
                )
            if rng.random() < 0.4:
                code, lang = rng.choice(LANGUAGES)
                Language.objects.create(
                    **o, hsds_id=f"demo-llang-{n}", location=location, code=code, name=lang
                )
            return location

        def service(
            provider: Provider, location: Location, name: str, codes: list[str], **fields: object
        ) -> Service:
            n = next(counter)
            low, high = rng.choice(AGES)
            fee = rng.random() < 0.3
            svc = Service.objects.create(
                **o,
                hsds_id=f"demo-svc-{n}",
                provider=provider,
                name=name,
                description=DESCRIPTIONS.get(name)
                or f"{name} for people in {CITY}: "
                f"{categories.label_of(codes[0]).lower()} help from {provider.name}.",
                eligibility_description="Residents of the county." if rng.random() < 0.5 else "",
                application_process="Call to make an appointment, or walk in during opening hours.",
                fees_description="Sliding scale, based on income." if fee else "Free.",
                wait_time=rng.choice(("", "About a week", "2–4 weeks", "Same day")),
                minimum_age=low,
                maximum_age=high,
                accepting_referrals=rng.random() > 0.1,
                last_verified_on=today - timedelta(days=rng.choice((10, 60, 200, 500))),
                **fields,
            )
            ServiceAtLocation.objects.create(
                **o, hsds_id=f"demo-sal-{n}", service=svc, location=location
            )
            Language.objects.create(
                **o, hsds_id=f"demo-lang-en-{n}", service=svc, code="en", name="English"
            )
            if rng.random() < 0.45:
                code, lang = rng.choice(LANGUAGES)
                Language.objects.create(
                    **o, hsds_id=f"demo-lang-{n}", service=svc, code=code, name=lang
                )
            for code in codes:
                Attribute.objects.create(
                    **o,
                    hsds_id=f"demo-attr-{n}-{code}",
                    link_id=svc.hsds_id,
                    link_entity="service",
                    taxonomy_term=terms[code],
                    service=svc,
                )
            if fee:
                CostOption.objects.create(
                    **o,
                    hsds_id=f"demo-cost-{n}",
                    service=svc,
                    option="Sliding scale",
                    currency="USD",
                    amount=rng.choice((10, 20, 35)),
                )
            if rng.random() < 0.4:
                RequiredDocument.objects.create(
                    **o,
                    hsds_id=f"demo-doc-{n}",
                    service=svc,
                    document="Photo ID and proof of address",
                )
            return svc

        made: list[Service] = []
        providers: list[Provider] = []
        partner = _partner()
        for index, (code, kind, names) in enumerate(CATALOGUE):
            provider = Provider.objects.create(
                **o,
                hsds_id=f"demo-prov-{index}",
                name=f"{NAME_WORDS[index % len(NAME_WORDS)]} {kind}",
                description=f"A community organization in {CITY}.",
                website=f"https://{kind.lower().replace(' ', '')}.example.org",
                last_verified_on=today - timedelta(days=rng.choice((30, 120, 400))),
                partner_organization=partner if code == "legal" else None,
            )
            providers.append(provider)
            second = Provider.objects.create(
                **o,
                hsds_id=f"demo-prov-{index}b",
                name=f"{NAME_WORDS[(index + 3) % len(NAME_WORDS)]} {kind}",
                description=f"Serves {CITY} and the county.",
            )
            providers.append(second)
            for number, name in enumerate(names):
                owner = provider if number % 2 == 0 else second
                place = located(owner, f"{owner.name} — {CITY}")
                extra = [rng.choice(list(terms))] if rng.random() < 0.2 else []
                made.append(service(owner, place, name, [code, *[e for e in extra if e != code]]))
        ours = Provider.objects.create(
            **o,
            hsds_id="demo-prov-own",
            name=organization.name,
            is_own_agency=True,
            last_verified_on=today,
            description="Our own agency.",
        )
        programs = list(Program.objects.filter(organization=organization).order_by("pk"))
        for number, program in enumerate(programs):
            place = located(ours, f"{organization.name} — {program.name}")
            code = ("housing", "mental_health", "family_support", "older_adults")[number % 4]
            made.append(service(ours, place, program.name, [code], in_house_program=program))
        staff = list(
            User.objects.filter(organization=organization, is_active=True).order_by("pk")[:6]
        )
        for number, provider in enumerate(providers[:12]):
            if not staff:
                break
            kind, text = NOTES[number % len(NOTES)]
            ProviderNote.objects.create(
                **o,
                provider=provider,
                kind=kind,
                text=text,
                author=staff[number % len(staff)],
                contact_name=fake.name() if kind == ProviderNoteKind.CONTACT else "",
                contact_phone=fake.numerify("503-555-0###")
                if kind == ProviderNoteKind.CONTACT
                else "",
            )
        derived.refresh(organization_id=organization.pk, service_ids=[s.pk for s in made])
        _client_addresses(organization, fake)
    return len(made)


def _client_addresses(organization: Organization, fake: Faker) -> None:
    """A current address in one of the city's postal codes for clients of active cases."""
    clients = (
        Client.objects.filter(
            organization=organization, cases__status=CaseStatus.ACTIVE, addresses__isnull=True
        )
        .distinct()
        .order_by("pk")[:200]
    )
    ClientAddress.objects.bulk_create(
        [
            ClientAddress(
                organization=organization,
                client=client,
                line1=fake.street_address(),
                city=CITY,
                state=STATE,
                postal_code=POSTAL_CODES[client.pk % len(POSTAL_CODES)],
            )
            for client in clients
        ]
    )

"""The demo agency: believable, entirely synthetic, and built through the services.

Riverside Community Services runs four programs with their teams, staff in
every role, a partner agency, and about 320 clients whose cases are in every
status with some assignment history. Everything goes through the same
services the web pages call, so the audit log of the demo is a real one.

The data is seeded (Faker and ``random`` with a fixed seed): every demo looks
the same for a given Faker version. Email addresses use the reserved ``.test``
top-level domain and phone numbers the fictional 555-01xx range.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from faker import Faker

from casework import access
from casework.assessments import demo as assessments_demo
from casework.clients import services as client_services
from casework.clients.models import (
    Case,
    CaseStatus,
    Client,
    Gender,
    IdentifierKind,
    RaceEthnicity,
    Sex,
    VeteranStatus,
)
from casework.confidentiality import demo as confidentiality_demo
from casework.consent import demo as consent_demo
from casework.core import audit, context, services
from casework.core.models import (
    ExpertiseArea,
    Organization,
    OrganizationKind,
    Program,
    Role,
    Team,
    TeamRole,
    User,
)
from casework.intake import demo as intake_demo
from casework.monitoring import demo as monitoring_demo
from casework.notes import demo as notes_demo
from casework.plans import demo as plans_demo
from casework.referrals import demo as referrals_demo
from casework.resources import demo as resources_demo

DEMO_DOMAIN = "demo.casework.test"
PARTNER_DOMAIN = "harbor.demo.casework.test"
DEMO_PASSWORD = "riverside-tryout"
AGENCY_NAME = "Riverside Community Services"
PARTNER_NAME = "Harbor Legal Aid"
CLIENTS = 320

COUNTIES = ["Riverside", "Harbor", "Lakeview"]
RACE_CODES = [
    RaceEthnicity.WHITE,
    RaceEthnicity.BLACK,
    RaceEthnicity.ASIAN,
    RaceEthnicity.AMERICAN_INDIAN,
    RaceEthnicity.MIDDLE_EASTERN,
    RaceEthnicity.PACIFIC_ISLANDER,
]
STRENGTHS = [
    "Keeps every appointment; very organised.",
    "Close to her sister, who helps with the children.",
    "Has worked in kitchens for years and wants to again.",
    "Motivated to stay sober; goes to meetings weekly.",
    "Good with people; volunteers at church on weekends.",
    "Knows the bus system well and gets around on his own.",
    "Speaks three languages.",
    "",
]


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    code: str
    description: str
    capacity: int | None
    rules: list[dict[str, Any]]
    teams: tuple[tuple[str, int], ...]  # (team name, number of case managers)
    expertise: tuple[str, ...]
    job_titles: tuple[str, ...]
    ages: tuple[int, int]
    weight: int
    review_interval_days: int = 90


PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec(
        name="Housing Stability",
        code="hs",
        description=(
            "Rapid re-housing and eviction prevention for households who are homeless "
            "or about to lose their home."
        ),
        capacity=120,
        rules=[
            {
                "criterion": "age",
                "operator": "at_least",
                "value": 18,
                "label": "Adults 18 and over (head of household)",
            },
            {
                "criterion": "household_income_percent_fpl",
                "operator": "at_most",
                "value": 50,
                "label": "Household income at or below 50% of the federal poverty level",
            },
            {
                "criterion": "county",
                "operator": "in",
                "value": COUNTIES,
                "label": "Lives in Riverside, Harbor or Lakeview county",
            },
        ],
        teams=(("Housing North", 4), ("Housing South", 3)),
        expertise=(ExpertiseArea.HOUSING, ExpertiseArea.BENEFITS),
        job_titles=("Housing Case Manager", "Housing Navigator"),
        ages=(19, 74),
        weight=36,
    ),
    ProgramSpec(
        name="Adult Mental Health",
        code="amh",
        description=(
            "Community-based case management for adults living with serious mental illness."
        ),
        capacity=90,
        rules=[
            {
                "criterion": "age",
                "operator": "between",
                "value": [18, 64],
                "label": "Adults 18 to 64",
            },
            {
                "criterion": "diagnosis",
                "operator": "documented",
                "value": "serious mental illness",
                "label": "A documented serious mental illness",
            },
        ],
        teams=(("Adult Mental Health", 4),),
        expertise=(ExpertiseArea.MENTAL_HEALTH, ExpertiseArea.SUBSTANCE_USE),
        job_titles=("Clinical Case Manager", "Peer Support Specialist"),
        ages=(18, 64),
        weight=28,
    ),
    ProgramSpec(
        name="Re-entry Support",
        code="re",
        description=(
            "Support after release from jail or prison: ID, housing, work and court obligations."
        ),
        capacity=60,
        rules=[
            {
                "criterion": "age",
                "operator": "at_least",
                "value": 18,
                "label": "Adults 18 and over",
            },
            {
                "criterion": "other",
                "operator": "documented",
                "value": "released in the past 12 months",
                "label": "Released from jail or prison in the past 12 months",
            },
            {
                "criterion": "county",
                "operator": "in",
                "value": COUNTIES,
                "label": "Returning to Riverside, Harbor or Lakeview county",
            },
        ],
        teams=(("Re-entry", 3),),
        expertise=(ExpertiseArea.REENTRY, ExpertiseArea.COURTS, ExpertiseArea.EMPLOYMENT),
        job_titles=("Re-entry Navigator", "Case Manager"),
        ages=(19, 61),
        weight=16,
    ),
    ProgramSpec(
        name="Senior Services",
        code="ss",
        description=(
            "Help for older adults to keep living at home: care, meals, benefits and respite."
        ),
        capacity=None,
        rules=[
            {"criterion": "age", "operator": "at_least", "value": 60, "label": "Aged 60 and over"},
            {
                "criterion": "need",
                "operator": "in",
                "value": ["personal care", "meals", "caregiver respite", "benefits"],
                "label": "Needs help with personal care, meals, caregiver respite or benefits",
            },
        ],
        teams=(("Senior Services", 3),),
        expertise=(ExpertiseArea.OLDER_ADULTS, ExpertiseArea.RESPITE, ExpertiseArea.DISABILITY),
        job_titles=("Care Coordinator", "Case Manager"),
        ages=(60, 94),
        weight=20,
        review_interval_days=180,
    ),
)

STATUS_MIX: dict[str, int] = {
    CaseStatus.ACTIVE: 52,
    CaseStatus.SCREENING: 5,
    CaseStatus.WAITLISTED: 8,
    CaseStatus.ON_HOLD: 7,
    CaseStatus.CLOSED: 28,
}

NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Jennifer": "Jen",
    "Michael": "Mike",
    "Christopher": "Chris",
    "Alexander": "Alex",
    "Margaret": "Peggy",
    "Patricia": "Trish",
    "Richard": "Rick",
    "James": "Jim",
    "Joseph": "Joe",
    "Daniel": "Dan",
    "Samantha": "Sam",
    "Rebecca": "Becky",
    "Jessica": "Jess",
    "Anthony": "Tony",
    "Nicholas": "Nick",
    "Victoria": "Tori",
    "Francisco": "Paco",
    "Guadalupe": "Lupe",
    "Alejandro": "Alex",
    "Jonathan": "Jon",
}

REASSIGN_REASONS = (
    "Caseload balancing",
    "Client asked for a Spanish-speaking case manager",
    "Case manager on extended leave",
    "Better match with the case manager's expertise",
)
CLOSE_REASONS = (
    "Goals met",
    "Client moved out of the service area",
    "Client declined further services",
    "Transferred to a longer-term program",
    "No contact for 90 days",
)
CREDENTIALS = ("LCSW", "LMSW", "MSW", "BSW", "CPRS", "CADC", "")

# What the seed does, in order; ``seed`` reports each as it starts.
STAGES = (
    "staff, programs and teams",
    f"{CLIENTS} clients and their cases",
    "intake applications",
    "assessments",
    "service plans",
    "contact notes",
    "tasks, appointments and alerts",
    "consents and disclosures",
    "the resource directory",
    "referrals",
    "restricted records",
)

# Called with (number, of, stage) as each stage of ``STAGES`` starts.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    name: str
    email: str


# The accounts a newcomer signs in with: (role shown, email); names come from Faker.
WELL_KNOWN = (
    ("Agency admin", f"admin@{DEMO_DOMAIN}"),
    ("Program manager", f"programs@{DEMO_DOMAIN}"),
    ("Intake coordinator", f"intake@{DEMO_DOMAIN}"),
    ("Supervisor (Housing North)", f"supervisor@{DEMO_DOMAIN}"),
    ("Case manager (Housing North)", f"casemanager@{DEMO_DOMAIN}"),
    ("Auditor / privacy officer", f"auditor@{DEMO_DOMAIN}"),
    ("Partner-agency staff (Harbor Legal Aid)", f"partner@{PARTNER_DOMAIN}"),
    ("Partner-agency admin (Harbor Legal Aid)", f"admin@{PARTNER_DOMAIN}"),
)


@dataclass
class DemoSummary:
    staff: int = 0
    programs: int = 0
    teams: int = 0
    clients: int = 0
    cases: Counter[str] = field(default_factory=Counter)
    reassignments: int = 0
    applications: Counter[str] = field(default_factory=Counter)
    assessments: int = 0
    plans: int = 0
    notes: int = 0
    monitoring: int = 0  # tasks, appointments and the alerts the sweep raised
    consent: int = 0  # consents and disclosures
    confidentiality: int = 0  # restricted records and break-glass grants
    directory: int = 0  # services in the resource directory
    referrals: int = 0


def demo_accounts() -> list[DemoAccount]:
    """The well-known demo accounts present in the database."""
    found = {u.email: u for u in User.objects.filter(email__in=[e for _, e in WELL_KNOWN])}
    return [
        DemoAccount(role=role, name=found[email].get_full_name(), email=email)
        for role, email in WELL_KNOWN
        if email in found
    ]


def _ascii(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", flat.lower())


class _Builder:
    """Seeds the demo agency; one instance per run."""

    def __init__(self, seed: int, progress: Progress | None = None) -> None:
        self.progress = progress
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.fake_es = Faker("es_MX")
        self.fake_es.seed_instance(seed + 1)
        self.today = timezone.localdate()
        self.used_emails: set[str] = set()
        self.summary = DemoSummary()
        self.phone_numbers = iter(range(100))
        self.client_phones = itertools.cycle(range(100))

    # --- staff ---------------------------------------------------------------------------

    def _names(self) -> tuple[str, str]:
        fake = self.fake_es if self.rng.random() < 0.2 else self.fake
        return fake.first_name(), fake.last_name()

    def _email(self, first: str, last: str) -> str:
        base = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{base}@{DEMO_DOMAIN}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{DEMO_DOMAIN}"
        self.used_emails.add(email)
        return email

    def _phone(self) -> str:
        return f"(412) 555-01{next(self.phone_numbers):02d}"

    def staff(
        self,
        *,
        actor: User,
        roles: list[str],
        job_title: str,
        email: str = "",
        expertise: tuple[str, ...] = (),
        spanish: bool | None = None,
    ) -> User:
        first, last = self._names()
        if spanish is None:
            spanish = self.rng.random() < 0.3
        extra = self.rng.sample(
            [
                ExpertiseArea.VETERANS,
                ExpertiseArea.DOMESTIC_VIOLENCE,
                ExpertiseArea.IMMIGRATION,
                ExpertiseArea.CHILDREN,
                ExpertiseArea.BENEFITS,
            ],
            k=self.rng.randint(0, 2),
        )
        with context.action_context():
            user = services.staff_create(
                actor=actor,
                email=email or self._email(first, last),
                first_name=first,
                last_name=last,
                roles=roles,
                job_title=job_title,
                phone=self._phone(),
                languages=["en", "es"] if spanish else ["en"],
                expertise_areas=list(dict.fromkeys([*expertise, *extra])),
                credentials=self.rng.choice(CREDENTIALS),
                caseload_capacity=self.rng.choice([25, 30, 30, 35]),
                password=DEMO_PASSWORD,
            )
        self.summary.staff += 1
        return user

    # --- build -------------------------------------------------------------------------------

    def _stage(self, name: str) -> None:
        if self.progress is not None:
            self.progress(STAGES.index(name) + 1, len(STAGES), name)

    def build(self) -> DemoSummary:
        self._stage("staff, programs and teams")
        admin_first, admin_last = self._names()
        admin = services.organization_bootstrap(
            organization_name=AGENCY_NAME,
            email=f"admin@{DEMO_DOMAIN}",
            first_name=admin_first,
            last_name=admin_last,
            password=DEMO_PASSWORD,
        )
        self.summary.staff += 1
        program_manager = self.staff(
            actor=admin,
            roles=[Role.PROGRAM_MANAGER],
            job_title="Director of Programs",
            email=f"programs@{DEMO_DOMAIN}",
        )
        self.intake = self.staff(
            actor=admin,
            roles=[Role.INTAKE_COORDINATOR],
            job_title="Intake Coordinator",
            email=f"intake@{DEMO_DOMAIN}",
            spanish=True,
        )
        self.staff(
            actor=admin,
            roles=[Role.AUDITOR],
            job_title="Privacy Officer",
            email=f"auditor@{DEMO_DOMAIN}",
        )
        self.teams: dict[str, list[Team]] = {}
        self.members: dict[int, list[User]] = {}
        self.supervisors: dict[int, User] = {}
        self.programs: dict[str, Program] = {}
        for spec in PROGRAMS:
            self._program(spec, admin=admin, program_manager=program_manager)
        self._partner_agency()
        self._stage(f"{CLIENTS} clients and their cases")
        self._clients()
        self._stage("intake applications")
        self.summary.applications = intake_demo.seed(
            intake=self.intake, clients=self.applicants, rng=self.rng
        )
        self._near_duplicate()
        agency = Organization.objects.get(pk=access.organization_id(admin))
        self._stage("assessments")
        self.summary.assessments = assessments_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        # plans and notes first: the sweep in the monitoring seed reads their dates
        self._stage("service plans")
        self.summary.plans = plans_demo.seed(organization=agency, seed=self.rng.randint(1, 10_000))
        self._stage("contact notes")
        self.summary.notes = notes_demo.seed(organization=agency, seed=self.rng.randint(1, 10_000))
        self._stage("tasks, appointments and alerts")
        self.summary.monitoring = monitoring_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        self._stage("consents and disclosures")
        self.summary.consent = consent_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        self._stage("the resource directory")
        self.summary.directory = resources_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        self._stage("referrals")
        self.summary.referrals = referrals_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        self._stage("restricted records")
        self.summary.confidentiality = confidentiality_demo.seed(
            organization=agency, seed=self.rng.randint(1, 10_000)
        )
        return self.summary

    def _program(self, spec: ProgramSpec, *, admin: User, program_manager: User) -> None:
        with context.action_context():
            program = services.program_create(
                actor=program_manager,
                name=spec.name,
                code=spec.code,
                description=spec.description,
                capacity=spec.capacity,
                eligibility_rules=spec.rules,
                review_interval_days=spec.review_interval_days,
            )
        self.programs[spec.code] = program
        self.summary.programs += 1
        self.teams[spec.code] = []
        for team_name, case_managers in spec.teams:
            with context.action_context():
                team = services.team_create(actor=admin, name=team_name, program=program)
            self.summary.teams += 1
            self.teams[spec.code].append(team)
            well_known = team_name == "Housing North"
            supervisor = self.staff(
                actor=admin,
                roles=[Role.SUPERVISOR],
                job_title="Program Supervisor",
                email=f"supervisor@{DEMO_DOMAIN}" if well_known else "",
                expertise=spec.expertise,
            )
            with context.action_context():
                services.team_member_set(
                    actor=admin, team=team, user=supervisor, role=TeamRole.SUPERVISOR
                )
            self.supervisors[team.pk] = supervisor
            self.members[team.pk] = []
            for n in range(case_managers):
                case_manager = self.staff(
                    actor=admin,
                    roles=[Role.CASE_MANAGER],
                    job_title=self.rng.choice(spec.job_titles),
                    email=f"casemanager@{DEMO_DOMAIN}" if well_known and n == 0 else "",
                    expertise=spec.expertise,
                    spanish=True if n == 1 else None,
                )
                with context.action_context():
                    services.team_member_set(
                        actor=admin, team=team, user=case_manager, role=TeamRole.MEMBER
                    )
                self.members[team.pk].append(case_manager)

    def _partner_agency(self) -> None:
        first, last = self._names()
        partner_admin = services.organization_bootstrap(
            organization_name=PARTNER_NAME,
            email=f"admin@{PARTNER_DOMAIN}",
            first_name=first,
            last_name=last,
            password=DEMO_PASSWORD,
            kind=OrganizationKind.PARTNER,
        )
        self.summary.staff += 1
        self.staff(
            actor=partner_admin,
            roles=[Role.PARTNER],
            job_title="Staff Attorney",
            email=f"partner@{PARTNER_DOMAIN}",
            expertise=(ExpertiseArea.COURTS, ExpertiseArea.HOUSING),
        )

    # --- clients and cases ------------------------------------------------------------------------

    def _person(self, spec: ProgramSpec) -> dict[str, Any]:
        spanish = self.rng.random() < 0.2
        fake = self.fake_es if spanish else self.fake
        female = self.rng.random() < 0.55
        first = fake.first_name_female() if female else fake.first_name_male()
        preferred = ""
        if first in NICKNAMES and self.rng.random() < 0.6:
            preferred = NICKNAMES[first]
        elif self.rng.random() < 0.03:
            preferred = self.fake.first_name_nonbinary()
        age = self.rng.randint(*spec.ages)
        language = "en"
        if spanish and self.rng.random() < 0.7:
            language = "es"
        elif self.rng.random() < 0.05:
            language = self.rng.choice(["vi", "zh", "ar", "ht", "ru"])
        return {
            "first_name": first,
            "last_name": fake.last_name(),
            "preferred_name": preferred,
            "date_of_birth": self.today - timedelta(days=age * 365 + self.rng.randint(0, 364)),
            "preferred_language": language,
            "sex": Sex.FEMALE if female else Sex.MALE,
            "gender": [Gender.WOMAN if female else Gender.MAN],
            "pronouns": ("she/her" if female else "he/him") if self.rng.random() < 0.7 else "",
            "race_ethnicity": self._race(spanish),
            "veteran_status": (
                VeteranStatus.YES if age >= 21 and self.rng.random() < 0.08 else VeteranStatus.NO
            ),
            "interpreter_needed": language not in ("en",) and self.rng.random() < 0.6,
            "no_voicemail": self.rng.random() < 0.1,
            "no_contact_at_home": self.rng.random() < 0.05,
            "strengths": self.rng.choice(STRENGTHS),
        }

    def _race(self, spanish: bool) -> list[int]:
        codes = [self.rng.choice(RACE_CODES)]
        if spanish:
            codes = (
                [RaceEthnicity.HISPANIC, *codes[:1]]
                if self.rng.random() < 0.4
                else [RaceEthnicity.HISPANIC]
            )
        return sorted(set(codes))

    def _contact_details(self, client: Client) -> None:
        """A phone for most people, a Medicaid id for many: what intake records."""
        with context.action_context():
            if self.rng.random() < 0.85:
                client_services.client_phone_add(
                    actor=self.intake,
                    client=client,
                    number=f"555-01{next(self.client_phones):02d}",
                )
            if self.rng.random() < 0.5:
                client_services.client_identifier_add(
                    actor=self.intake,
                    client=client,
                    kind=IdentifierKind.MEDICAID,
                    value=f"RV{self.rng.randint(10**7, 10**8 - 1)}",
                )

    def _near_duplicate(self) -> None:
        """John Smith is a client; Jon Smyth, same birthday, is waiting to be registered.

        Registering "Jon Smyth, 1990-03-04" in the demo shows the duplicate check at work.
        """
        with context.action_context():
            client_services.client_create(
                actor=self.intake,
                first_name="John",
                last_name="Smith",
                date_of_birth=date(1990, 3, 4),
                sex=Sex.MALE,
                pronouns="he/him",
            )
        self.summary.clients += 1

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _clients(self) -> None:
        """Clients with cases; those still in intake go through real applications."""
        weights = [spec.weight for spec in PROGRAMS]
        self.applicants: list[Client] = []
        for _ in range(CLIENTS):
            spec = self.rng.choices(PROGRAMS, weights)[0]
            status = self.rng.choices(list(STATUS_MIX), list(STATUS_MIX.values()))[0]
            person = self._person(spec)
            with context.action_context():
                client = client_services.client_create(actor=self.intake, **person)
            self.summary.clients += 1
            self._contact_details(client)
            age = (self.today - person["date_of_birth"]).days // 365
            earlier = [s for s in PROGRAMS if s is not spec and s.ages[0] <= age - 2 <= s.ages[1]]
            if earlier and status != CaseStatus.SCREENING and self.rng.random() < 0.2:
                self._case(client, self.rng.choice(earlier), CaseStatus.CLOSED, history=True)
            if status in (CaseStatus.SCREENING, CaseStatus.WAITLISTED):
                self.applicants.append(client)
            else:
                self._case(client, spec, status)

    def _case(self, client: Client, spec: ProgramSpec, status: str, history: bool = False) -> None:
        team = self.rng.choice(self.teams[spec.code])
        members = self.members[team.pk]
        # The account newcomers sign in with carries a full caseload, so there is work to see.
        weights = [4 if m.email.startswith("casemanager@") else 1 for m in members]
        case_manager: User | None = self.rng.choices(members, weights)[0]
        if status == CaseStatus.SCREENING:
            opened_on, case_manager = self._days_ago(0, 14), None
        elif status == CaseStatus.WAITLISTED:
            opened_on, case_manager = self._days_ago(7, 120), None
        elif status == CaseStatus.ON_HOLD:
            opened_on = self._days_ago(60, 400)
        elif status == CaseStatus.CLOSED:
            opened_on = self._days_ago(400, 900) if history else self._days_ago(60, 700)
        else:
            opened_on = self._days_ago(5, 500)
        with context.action_context():
            case = client_services.case_open(
                actor=self.intake,
                client=client,
                program=self.programs[spec.code],
                team=team,
                case_manager=case_manager,
                status=CaseStatus.ACTIVE if status == CaseStatus.CLOSED else status,
                opened_on=opened_on,
            )
        self.summary.cases[status] += 1
        supervisor = self.supervisors[team.pk]
        if status in (CaseStatus.ACTIVE, CaseStatus.ON_HOLD) and self.rng.random() < 0.2:
            self._reassign(case, spec, supervisor)
        if status == CaseStatus.CLOSED:
            closed_on = min(
                opened_on + timedelta(days=self.rng.randint(30, 330)),
                self.today - timedelta(days=1),
            )
            client_services.case_close(
                actor=supervisor,
                case=case,
                closed_on=closed_on,
                reason=self.rng.choice(CLOSE_REASONS),
            )

    def _reassign(self, case: Case, spec: ProgramSpec, supervisor: User) -> None:
        teams = self.teams[spec.code]
        team = case.team
        if len(teams) > 1 and self.rng.random() < 0.25:
            team = self.rng.choice([t for t in teams if t.pk != case.team_id])
        candidates = [u for u in self.members[team.pk] if u.pk != case.case_manager_id]
        with context.action_context():
            client_services.case_assign(
                actor=supervisor,
                case=case,
                case_manager=self.rng.choice(candidates),
                expected_version=case.version,
                reason=(
                    "Transfer to the other housing team (client moved)"
                    if team.pk != case.team_id
                    else self.rng.choice(REASSIGN_REASONS)
                ),
                team=team,
            )
        self.summary.reassignments += 1


def seed(*, seed: int = 1, progress: Progress | None = None) -> DemoSummary:
    """Create the demo agency in one transaction: all of it, or nothing.

    Its thousands of audit events go in as one ``audit.batch``: each chain's head moves once,
    at the end, rather than once per event (which on PostgreSQL slows every event down).
    """
    with audit.batch():
        return _Builder(seed, progress).build()

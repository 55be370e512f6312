"""Synthetic agency data at any scale, bulk-inserted, for benchmarks and load tests.

Unlike the demo agency, this bypasses the services: a hundred thousand
clients through ``client_create`` would take an hour. Instead it writes rows
with ``bulk_create`` in batches, keeping every invariant the services keep
(organization on every row, case numbers from the program's counter, an
assignment row for every case manager a case has had, one application per case
whose status says how intake decided it, scores computed by the instruments' own
scoring code) and records one audit event per organization that says, in counts
only, what was generated.

Every name comes from Faker with a fixed seed; nothing is real.
"""

from __future__ import annotations

import functools
import math
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker
from tqdm import tqdm

from casework.assessments import definitions
from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    IdentifiedNeed,
    Instrument,
    InstrumentVersion,
    VersionStatus,
)
from casework.assessments.shipped import LIFE_DOMAINS, load_shipped_instruments
from casework.clients.models import (
    Case,
    CaseAssignment,
    CaseStatus,
    Client,
    ClientAddress,
    ClientIdentifier,
    ClientPhone,
    IdentifierKind,
    PhoneKind,
)
from casework.clients.services import normalize_identifier, phone_digits
from casework.core import audit
from casework.core.models import (
    Organization,
    Program,
    Role,
    StaffProfile,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from casework.intake import screening
from casework.intake.models import (
    Application,
    ApplicationSource,
    ApplicationStatus,
    Decision,
    DeclineReason,
    IntakeDecision,
    LifeDomain,
    Priority,
)
from casework.monitoring import synthetic as monitoring_synthetic
from casework.monitoring.models import Alert, Appointment, AppointmentAttendee, Task
from casework.notes import synthetic as notes_synthetic
from casework.notes.models import Note, NoteAddendum
from casework.plans import synthetic as plans_synthetic
from casework.plans.models import (
    ActionStep,
    Goal,
    GoalRating,
    Objective,
    PlanEvent,
    PlanReview,
    PlanVersion,
    ServicePlan,
)
from casework.referrals import synthetic as referrals_synthetic
from casework.referrals.models import Referral, ReferralEvent
from casework.resources.synthetic import generate_directory
from casework.site.demo import COUNTIES, DEMO_PASSWORD, NICKNAMES, PROGRAMS, ProgramSpec

# About 30 open cases per case manager with the status mix below.
CLIENTS_PER_CASE_MANAGER = 85
TEAMS_PER_INTAKE_COORDINATOR = 10
STATUS_MIX: dict[str, int] = {
    CaseStatus.CLOSED: 50,
    CaseStatus.ACTIVE: 32,
    CaseStatus.ON_HOLD: 5,
    CaseStatus.WAITLISTED: 8,
    CaseStatus.SCREENING: 5,
}
EARLIER_CASE_SHARE = 0.3  # clients who had an earlier, closed episode of service
REASSIGNED_SHARE = 0.15  # cases that changed case manager at least once
LANGUAGES = (("en", 80), ("es", 14), ("vi", 2), ("zh", 2), ("ar", 1), ("ht", 1))
NAME_POOL = 2000
BATCH = 2000

# --- client details
PHONE_SHARE = 0.85  # clients with a current phone number
EARLIER_PHONE_SHARE = 0.12  # of those, who also have an older, ended number
MEDICAID_SHARE = 0.5
ADDRESS_SHARE = 0.4
PHONE_KINDS = ((PhoneKind.MOBILE, 75), (PhoneKind.HOME, 20), (PhoneKind.WORK, 5))
STREETS = (
    "Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Grant", "Harbor", "Hill", "Jackson",
    "Lake", "Lincoln", "Madison", "Maple", "Mill", "Oak", "Park", "Pine", "River", "Spruce",
    "Union", "Vine", "Walnut", "Washington", "Willow",
)  # fmt: skip
STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Ln", "Way", "Ct", "Dr")
CITIES = {
    "Riverside": (("Riverside", "97401"), ("Millbrook", "97405"), ("Eastfield", "97408")),
    "Harbor": (("Port Harbor", "97420"), ("Seaview", "97423")),
    "Lakeview": (("Lakeview", "97430"), ("Pinecrest", "97433"), ("Westlake", "97436")),
}

# --- intake: which cases have an application, and how it was decided
APPLICATION_SHARE = 0.6  # of cases that passed intake (active, on hold, closed) with one
DECLINED_SHARE = 0.2  # of closed cases with an application: declined at intake
WAITLISTED_FIRST = 0.4  # accepted applications that waited on the waitlist first
REPRIORITISED = 0.1  # waitlisted applications whose priority was changed once
SOURCES = (
    (ApplicationSource.PHONE, 35),
    (ApplicationSource.AGENCY, 30),
    (ApplicationSource.WALK_IN, 20),
    (ApplicationSource.WEB_FORM, 12),
    (ApplicationSource.OTHER, 3),
)
PRIORITIES = (
    Priority.URGENT,
    Priority.HIGH,
    Priority.STANDARD,
    Priority.STANDARD,
    Priority.ROUTINE,
)
# The needs each program's applicants usually bring (others are drawn now and then).
PROGRAM_NEEDS: dict[str, tuple[str, ...]] = {
    "hs": (LifeDomain.HOUSING, LifeDomain.INCOME, LifeDomain.FOOD, LifeDomain.EMPLOYMENT),
    "amh": (LifeDomain.MENTAL_HEALTH, LifeDomain.SUBSTANCE_USE, LifeDomain.PHYSICAL_HEALTH),
    "re": (LifeDomain.LEGAL, LifeDomain.EMPLOYMENT, LifeDomain.HOUSING, LifeDomain.TRANSPORTATION),
    "ss": (LifeDomain.PHYSICAL_HEALTH, LifeDomain.FOOD, LifeDomain.FAMILY_SUPPORT),
}
# (share of criteria not yet answered, share of answers that fail the rule) by outcome
ANSWER_QUALITY: dict[str, tuple[float, float]] = {
    ApplicationStatus.SCREENING: (0.3, 0.08),
    ApplicationStatus.WAITLISTED: (0.05, 0.02),
    ApplicationStatus.ACCEPTED: (0.0, 0.01),
    ApplicationStatus.DECLINED: (0.1, 0.4),
}
REFERRERS = (
    ("County Hospital social work", "Discharge planner"),
    ("Harbor Legal Aid", "Staff attorney"),
    ("Lakeview School District", "School counselor"),
    ("Riverside Probation", "Probation officer"),
    ("Eastfield Family Clinic", "Nurse care manager"),
    ("Millbrook Food Pantry", "Volunteer coordinator"),
)
APPLICANT_WORDS = (
    "I need help keeping my apartment, the landlord gave me a notice.",
    "My caseworker at the hospital said you could help me get back on my feet.",
    "I just want a stable place and some help with my paperwork.",
    "I'm caring for my mother and I can't keep up anymore.",
    "I got out last month and need ID, a job and somewhere to stay.",
    "Some days I can't get out of bed and the bills keep piling up.",
    "",
    "",
)
REFERRALS_ELSEWHERE = (
    "Harbor Legal Aid eviction clinic",
    "County 211 line for emergency shelter",
    "Lakeview Food Bank and the benefits office",
    "Community mental health center walk-in clinic",
    "Area Agency on Aging information line",
)
ACCEPT_DESPITE_SCREENING = (
    "Accepted at the intake team meeting: eligibility documents are on their way."
)

# --- assessments
ASSESSED_SHARE = 0.5  # active cases with a needs assessment
REASSESSED_SHARE = 0.6  # of those assessed 91 days ago or more: a reassessment
FIRST_SIGNED = 0.8  # first assessments signed (the rest completed, awaiting signature)
REASSESSMENT_SIGNED = 0.4
NEEDS_NOTES = {
    1: ("Things are very hard here right now.", "This is the most urgent thing for me."),
    2: ("Managing, but one setback away from trouble.", "I get by, but only just."),
    3: ("Okay for now.", "Not great, not bad."),
    4: ("Getting better, working on it.", "Better than last year."),
    5: ("This part of life is going well.", "No worries here."),
}
BASE_SCORES = (1, 2, 2, 3, 3, 3, 4, 5)
SCORE_CHANGES = (-1, 0, 0, 0, 1, 1, 2)
GOALS = (
    "I want a place of my own where my kids can have their own room.",
    "I want to get back to work and stop worrying about rent every month.",
    "I'd like to feel steady again and see my family more.",
    "Finish my GED and find a job close to the bus line.",
    "Stay in my own home and have someone check in on me.",
)
STRENGTHS = (
    "Determined, keeps appointments, close to an older sister.",
    "Good with people; worked in retail for six years.",
    "Strong faith community and a friend who helps with rides.",
    "Knows the bus system well and gets around on their own.",
)
HOUSEHOLDS = ("Lives alone.", "Two children, 6 and 11.", "Partner and a son.", "With a cousin.")
HISTORIES = (
    "Referred by a community partner after falling behind on rent.",
    "Recently released and looking for stable housing and work.",
    "Family member asked for help after a hospital stay.",
)


@dataclass
class GenerationResult:
    organizations: int = 0
    programs: int = 0
    teams: int = 0
    staff: int = 0
    team_memberships: int = 0
    clients: int = 0
    cases: int = 0
    assignments: int = 0
    phones: int = 0
    identifiers: int = 0
    addresses: int = 0
    applications: int = 0
    intake_decisions: int = 0
    assessments: int = 0
    identified_needs: int = 0
    # rows of the daily work (plans, notes, tasks...), by the name each app gives them
    work: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    application_statuses: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return (
            self.organizations
            + self.programs
            + self.teams
            + 2 * self.staff  # user and staff profile
            + self.team_memberships
            + self.clients
            + self.cases
            + self.assignments
            + self.phones
            + self.identifiers
            + self.addresses
            + self.applications
            + self.intake_decisions
            + self.assessments
            + self.identified_needs
            + self.work.total()
        )

    def counts(self) -> dict[str, int]:
        """What was generated, by kind of row (no names, nothing about a person)."""
        return {
            "clients": self.clients,
            "cases": self.cases,
            "case_assignments": self.assignments,
            "client_phones": self.phones,
            "client_identifiers": self.identifiers,
            "client_addresses": self.addresses,
            "applications": self.applications,
            "intake_decisions": self.intake_decisions,
            "assessments": self.assessments,
            "identified_needs": self.identified_needs,
            **dict(sorted(self.work.items())),
        }


@dataclass
class _Team:
    team: Team
    case_managers: list[int]
    supervisor: int = 0


@dataclass
class _Episode:
    """One case to generate, with how intake dealt with it (``outcome``, or no application)."""

    program: Program
    status: str
    opened: date
    closed: date | None
    outcome: str | None = None
    waitlisted_on: date | None = None
    decided_on: date | None = None  # accepted (the case manager starts) or declined


@dataclass
class _Instruments:
    intake: InstrumentVersion
    needs: InstrumentVersion


def _ascii(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", flat.lower())


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "agency"
    taken = set(Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _split(total: int, weights: Sequence[int], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (each part at least ``minimum``)."""
    scale = sum(weights)
    parts = [max(minimum, total * w // scale) for w in weights]
    parts[0] += max(0, total - sum(parts))
    return parts


def _chunks(total: int, size: int) -> Iterator[int]:
    for start in range(0, total, size):
        yield min(size, total - start)


@functools.cache
def _name_pools(seed: int) -> dict[str, dict[str, tuple[str, ...]]]:
    """Faker names by kind and locale; drawing from a pool is fast and keeps realistic repeats."""
    fakers = {"en": Faker("en_US"), "es": Faker("es_MX")}
    for offset, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + offset)
    return {
        kind: {
            locale: tuple(getattr(fake, kind)() for _ in range(NAME_POOL))
            for locale, fake in fakers.items()
        }
        for kind in ("first_name_female", "first_name_male", "last_name")
    }


class _Names:
    def __init__(self, seed: int, rng: random.Random) -> None:
        self.rng = rng
        self.pools = _name_pools(seed)

    def person(self, spanish: bool) -> tuple[str, str]:
        locale = "es" if spanish else "en"
        kind = "first_name_female" if self.rng.random() < 0.55 else "first_name_male"
        return (
            self.rng.choice(self.pools[kind][locale]),
            self.rng.choice(self.pools["last_name"][locale]),
        )


_PLAIN = (str, int, bool, type(None))


def _row_values(fields: list[tuple[str, Any, bool]], obj: Any, db: Any) -> list[Any]:
    values = []
    for attname, model_field, plain_ok in fields:
        value = getattr(obj, attname)
        if not plain_ok or type(value) not in _PLAIN:
            value = model_field.get_db_prep_save(value, db)
        values.append(value)
    return values


def _insert(objs: Sequence[Any], *, returning: bool = False) -> None:
    """INSERT ``objs`` (model instances of one model) in batches; set their ids if asked.

    What ``bulk_create`` writes, without its per-value query compilation, which costs
    more than the database does (about 4 µs a value: over a minute for 100,000 clients).
    Plain strings, numbers and booleans go to the driver as they are; every other value
    (dates, JSON, decimals, choices) is prepared by its field as ``bulk_create`` would.
    """
    if not objs:
        return
    meta = objs[0]._meta
    concrete = [f for f in meta.concrete_fields if f is not meta.pk]
    fields = [(f.attname, f, f.get_internal_type() != "JSONField") for f in concrete]
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    quote = db.ops.quote_name
    columns = ", ".join(quote(f.column) for f in concrete)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(meta.db_table)
    with db.cursor() as cursor:
        if not returning and db.vendor == "postgresql":
            # COPY: about twice the rows a second of a multi-row INSERT (2,000,000 notes)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row(_row_values(fields, obj, db))
        elif not returning:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES {row}",  # noqa: S608 — our own names
                [_row_values(fields, obj, db) for obj in objs],
            )
        else:
            limit = db.features.max_query_params or 65535
            per_statement = max(1, min(1000, limit // len(fields)))
            for start in range(0, len(objs), per_statement):
                batch = objs[start : start + per_statement]
                params = [v for obj in batch for v in _row_values(fields, obj, db)]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 — our own names
                    f"{', '.join([row] * len(batch))} RETURNING {quote(meta.pk.column)}",
                    params,
                )
                for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding = False
                    obj._state.db = db.alias


class _Generator:
    def __init__(
        self,
        *,
        seed: int,
        staff_per_team: int,
        password_hash: str,
        batch_size: int,
        progress: tqdm | None,
        instruments: _Instruments,
        services: int = 0,
    ) -> None:
        self.rng = random.Random(seed)
        self.services = services
        self.names = _Names(seed, self.rng)
        self.staff_per_team = max(2, staff_per_team)
        self.password_hash = password_hash
        self.batch_size = batch_size
        self.progress = progress
        self.instruments = instruments
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.result = GenerationResult()
        self.email_serial = 0
        self.medicaid_serial = 0
        self.languages = [code for code, _ in LANGUAGES]
        self.language_weights = [w for _, w in LANGUAGES]
        self.statuses = list(STATUS_MIX)
        self.status_weights = list(STATUS_MIX.values())
        self.phone_kinds = [k for k, _ in PHONE_KINDS]
        self.phone_kind_weights = [w for _, w in PHONE_KINDS]
        self.sources = [s for s, _ in SOURCES]
        self.source_weights = [w for _, w in SOURCES]
        self.declines = [r for r in DeclineReason.values if r != DeclineReason.NOT_ELIGIBLE]
        self.declines.remove(DeclineReason.OTHER)  # "other" needs notes only a person writes
        self.intake_answers = self._intake_answer_pool()

    # --- agency structure -----------------------------------------------------------------

    def organization(self, name: str, clients: int) -> None:
        org = Organization.objects.create(name=name, slug=_unique_slug(name))
        self.result.organizations += 1
        programs = Program.objects.bulk_create(
            Program(
                organization=org,
                name=spec.name,
                code=spec.code,
                description=spec.description,
                capacity=None,
                eligibility_rules=spec.rules,
                review_interval_days=spec.review_interval_days,
            )
            for spec in PROGRAMS
        )
        self.result.programs += len(programs)
        case_managers = max(1, math.ceil(clients / CLIENTS_PER_CASE_MANAGER))
        per_team = self.staff_per_team - 1
        team_count = max(len(PROGRAMS), math.ceil(case_managers / per_team))
        teams_per_program = _split(team_count, [s.weight for s in PROGRAMS], minimum=1)
        teams = Team.objects.bulk_create(
            Team(organization=org, program=program, name=f"{spec.name} team {n}")
            for spec, program, count in zip(PROGRAMS, programs, teams_per_program, strict=True)
            for n in range(1, count + 1)
        )
        self.result.teams += len(teams)
        if self.services:
            # before the clients' daily work: generated referrals go to these services
            self.result.work["directory services"] += generate_directory(
                organization_id=org.pk, services=self.services, rng=self.rng
            )

        staff: list[tuple[User, StaffProfile, tuple[Team, str] | None]] = []

        def person(roles: list[str], title: str, team: tuple[Team, str] | None = None) -> None:
            spanish = self.rng.random() < 0.2
            first, last = self.names.person(spanish)
            self.email_serial += 1
            user = User(
                organization=org,
                email=f"{_ascii(first)}.{_ascii(last)}.{self.email_serial}@{org.slug}.casework.test",
                first_name=first,
                last_name=last,
                password=self.password_hash,
            )
            profile = StaffProfile(
                organization=org,
                roles=roles,
                job_title=title,
                languages=["en", "es"] if spanish else ["en"],
                caseload_capacity=30,
            )
            staff.append((user, profile, team))

        person([Role.AGENCY_ADMIN], "Agency Administrator")
        person([Role.AUDITOR], "Privacy Officer")
        for spec in PROGRAMS:
            person([Role.PROGRAM_MANAGER], f"{spec.name} Program Manager")
        for _ in range(max(1, len(teams) // TEAMS_PER_INTAKE_COORDINATOR)):
            person([Role.INTAKE_COORDINATOR], "Intake Coordinator")
        spec_of = {p.pk: s for p, s in zip(programs, PROGRAMS, strict=True)}
        for team in teams:
            spec = spec_of[team.program_id]
            person([Role.SUPERVISOR], "Program Supervisor", (team, TeamRole.SUPERVISOR))
            for _ in range(per_team):
                title = self.rng.choice(spec.job_titles)
                person([Role.CASE_MANAGER], title, (team, TeamRole.MEMBER))

        users = User.objects.bulk_create([u for u, _, _ in staff], batch_size=self.batch_size)
        for user, profile, _ in staff:
            profile.user = user
        StaffProfile.objects.bulk_create([p for _, p, _ in staff], batch_size=self.batch_size)
        memberships = TeamMembership.objects.bulk_create(
            [
                TeamMembership(organization=org, team=t[0], user=u, role=t[1])
                for u, _, t in staff
                if t is not None
            ],
            batch_size=self.batch_size,
        )
        self.result.staff += len(users)
        self.result.team_memberships += len(memberships)

        members: dict[int, list[int]] = {team.pk: [] for team in teams}
        supervisors: dict[int, int] = {}
        for user, _, place in staff:
            if place is not None and place[1] == TeamRole.MEMBER:
                members[place[0].pk].append(user.pk)
            elif place is not None:
                supervisors[place[0].pk] = user.pk
        by_program: dict[int, list[_Team]] = {p.pk: [] for p in programs}
        for team in teams:
            by_program[team.program_id].append(_Team(team, members[team.pk], supervisors[team.pk]))
        self.org = org
        self.programs = programs
        self.teams = by_program
        self.supervisor_of = {t.team.pk: t.supervisor for ts in by_program.values() for t in ts}
        self.intake_staff = [u.pk for u, p, _ in staff if Role.INTAKE_COORDINATOR in p.roles]
        self.counters = {p.pk: 0 for p in programs}
        before = self.result.counts()
        for size in _chunks(clients, self.batch_size):
            self.clients(size)
        for program in programs:
            program.case_counter = self.counters[program.pk]
        Program.objects.bulk_update(programs, ["case_counter"])
        after = self.result.counts()
        audit.record(
            action="data.generate",
            actor=None,
            organization=org,
            target=org,
            changes={
                "synthetic": True,
                "programs": len(programs),
                "teams": len(teams),
                "staff": len(users),
                **{kind: after[kind] - before.get(kind, 0) for kind in after},
            },
        )

    # --- clients, cases and assignments --------------------------------------------------

    def _day(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _moment(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 13, tzinfo=UTC) + timedelta(
            minutes=self.rng.randint(0, 300)
        )

    def _current_dates(self, status: str) -> tuple[date, date | None]:
        if status == CaseStatus.SCREENING:
            return self._day(0, 14), None
        if status == CaseStatus.WAITLISTED:
            return self._day(7, 180), None
        if status == CaseStatus.CLOSED:
            opened = self._day(60, 2000)
            closed = min(opened + timedelta(days=self.rng.randint(30, 400)), self._day(1, 1))
            return opened, closed
        return self._day(5, 900), None

    def _episode(
        self, program: Program, status: str, opened: date, closed: date | None
    ) -> _Episode:
        """The case and, for most, its application: decided as the case's status says."""
        rng = self.rng
        episode = _Episode(program, status, opened, closed)
        if status == CaseStatus.SCREENING:
            episode.outcome = ApplicationStatus.SCREENING
            return episode
        if status == CaseStatus.WAITLISTED:
            episode.outcome = ApplicationStatus.WAITLISTED
            last = self.today - timedelta(days=1)  # opened at least a week ago
            episode.waitlisted_on = opened + timedelta(
                days=rng.randint(0, min(14, (last - opened).days))
            )
            return episode
        if rng.random() >= APPLICATION_SHARE:
            return episode  # came in before intake was recorded in Casework
        last = max(opened, (closed or self.today) - timedelta(days=1))
        if closed is not None and rng.random() < DECLINED_SHARE:
            # Declined: the case closed on the day of the decision, without a case manager.
            episode.outcome = ApplicationStatus.DECLINED
            decided = min(opened + timedelta(days=rng.randint(2, 45)), closed)
            episode.closed = episode.decided_on = decided
            if rng.random() < 0.25:
                span = (decided - opened).days
                episode.waitlisted_on = opened + timedelta(days=rng.randint(0, span))
            return episode
        episode.outcome = ApplicationStatus.ACCEPTED
        if rng.random() < WAITLISTED_FIRST:
            waitlisted = min(opened + timedelta(days=rng.randint(0, 10)), last)
            decided = waitlisted + timedelta(days=rng.randint(7, 120))
            episode.waitlisted_on = waitlisted
        else:
            decided = opened + timedelta(days=rng.randint(0, 21))
        episode.decided_on = min(decided, last)
        return episode

    def clients(self, size: int) -> None:
        rng = self.rng
        weights = [s.weight for s in PROGRAMS]
        plans: list[tuple[ProgramSpec, list[_Episode], date]] = []
        new_clients: list[Client] = []
        for _ in range(size):
            index = rng.choices(range(len(PROGRAMS)), weights)[0]
            spec, program = PROGRAMS[index], self.programs[index]
            language = rng.choices(self.languages, self.language_weights)[0]
            first, last = self.names.person(spanish=language == "es" or rng.random() < 0.06)
            preferred = NICKNAMES.get(first, "") if rng.random() < 0.5 else ""
            age = rng.randint(*spec.ages)
            status = rng.choices(self.statuses, self.status_weights)[0]
            opened, closed = self._current_dates(status)
            episodes = [self._episode(program, status, opened, closed)]
            if status != CaseStatus.SCREENING and rng.random() < EARLIER_CASE_SHARE:
                other = rng.randrange(len(PROGRAMS))
                earlier_closed = opened - timedelta(days=rng.randint(10, 200))
                earlier_opened = earlier_closed - timedelta(days=rng.randint(30, 400))
                episodes.insert(
                    0,
                    self._episode(
                        self.programs[other], CaseStatus.CLOSED, earlier_opened, earlier_closed
                    ),
                )
            first_seen = episodes[0].opened - timedelta(days=rng.randint(0, 30))
            created = self._moment(first_seen)
            new_clients.append(
                Client(
                    organization_id=self.org.pk,
                    first_name=first,
                    last_name=last,
                    preferred_name=preferred,
                    date_of_birth=self.today - timedelta(days=age * 365 + rng.randint(0, 364)),
                    preferred_language=language,
                    created_at=created,
                    updated_at=created,
                )
            )
            plans.append((spec, episodes, first_seen))
        for new_client in new_clients:
            new_client.refresh_derived()  # search and matching columns; save() does it otherwise
        _insert(new_clients, returning=True)
        self._details(new_clients, [first_seen for _, _, first_seen in plans])

        new_cases: list[Case] = []
        new_episodes: list[_Episode] = []
        history: list[list[tuple[int, datetime, datetime | None]]] = []
        for client, (_, episodes, _) in zip(new_clients, plans, strict=True):
            for episode in episodes:
                case, assignments = self._case(client, episode)
                new_cases.append(case)
                new_episodes.append(episode)
                history.append(assignments)
        _insert(new_cases, returning=True)
        new_assignments = [
            CaseAssignment(
                organization_id=self.org.pk,
                case_id=case.pk,
                case_manager_id=manager,
                team_id=case.team_id,
                started_at=started,
                ended_at=ended,
                reason=("Accepted at intake" if episode.decided_on else "Case opened")
                if n == 0
                else "Caseload balancing",
            )
            for case, episode, assignments in zip(new_cases, new_episodes, history, strict=True)
            for n, (manager, started, ended) in enumerate(assignments)
        ]
        _insert(new_assignments)
        clients_by_pk = {c.pk: c for c in new_clients}
        self._applications(new_cases, new_episodes, history, clients_by_pk)
        self._assessments(new_cases, history)
        self._daily_work(new_cases)
        self.result.clients += len(new_clients)
        self.result.cases += len(new_cases)
        self.result.assignments += len(new_assignments)
        if self.progress is not None:
            self.progress.update(size)

    def _daily_work(self, cases: list[Case]) -> None:
        """Plans, contact notes, then tasks, appointments and the alerts they lead to."""
        common: dict[str, Any] = {
            "organization_id": self.org.pk,
            "cases": cases,
            "rng": self.rng,
            "today": self.today,
            "now": self.now,
            "insert": _insert,
        }
        self.result.work.update(plans_synthetic.generate(**common))
        self.result.work.update(notes_synthetic.generate(**common))
        notes_synthetic.store_last_contact(cases)
        # after the notes: the no-contact alerts follow from the last contact dates
        self.result.work.update(monitoring_synthetic.generate(**common))
        # after the plans: referrals start from approved plans' goals
        self.result.work.update(referrals_synthetic.generate(**common))

    def _case(
        self, client: Client, episode: _Episode
    ) -> tuple[Case, list[tuple[int, datetime, datetime | None]]]:
        rng = self.rng
        program, status, opened, closed = (
            episode.program,
            episode.status,
            episode.opened,
            episode.closed,
        )
        team = rng.choice(self.teams[program.pk])
        self.counters[program.pk] += 1
        manager: int | None = None
        assignments: list[tuple[int, datetime, datetime | None]] = []
        declined = episode.outcome == ApplicationStatus.DECLINED
        if status in (CaseStatus.ACTIVE, CaseStatus.ON_HOLD, CaseStatus.CLOSED) and not declined:
            manager = rng.choice(team.case_managers)
            start = self._moment(episode.decided_on or opened)
            end = self._moment(closed) if closed else None
            if len(team.case_managers) > 1 and rng.random() < REASSIGNED_SHARE:
                previous = rng.choice([m for m in team.case_managers if m != manager])
                handover = start + (((end or timezone.now()) - start) * rng.uniform(0.2, 0.8))
                assignments.append((previous, start, handover))
                start = handover
            assignments.append((manager, start, end))
        opened_at = self._moment(opened)
        self.result.statuses[status] += 1
        case = Case(
            organization_id=self.org.pk,
            client_id=client.pk,
            program_id=program.pk,
            team_id=team.team.pk,
            case_manager_id=manager,
            reference=f"{program.code.upper()}-{self.counters[program.pk]:05d}",
            status=status,
            opened_on=opened,
            closed_on=closed,
            created_at=opened_at,
            updated_at=self._moment(closed) if closed else opened_at,
        )
        return case, assignments

    # --- phones, identifiers and addresses -------------------------------------------------

    def _phone_number(self) -> str:
        # The fictional 555-01xx range, as in the demo agency, behind many area codes.
        area = self.rng.randint(201, 989)
        return f"({area}) 555-01{self.rng.randint(0, 99):02d}"

    def _details(self, clients: list[Client], first_seen: list[date]) -> None:
        rng = self.rng
        phones: list[ClientPhone] = []
        identifiers: list[ClientIdentifier] = []
        addresses: list[ClientAddress] = []
        for client, since in zip(clients, first_seen, strict=True):
            created = client.created_at
            if rng.random() < PHONE_SHARE:
                kind = rng.choices(self.phone_kinds, self.phone_kind_weights)[0]
                started = since
                if rng.random() < EARLIER_PHONE_SHARE:
                    started = since + timedelta(
                        days=rng.randint(1, max(1, (self.today - since).days))
                    )
                    number = self._phone_number()
                    phones.append(
                        ClientPhone(
                            organization_id=self.org.pk,
                            client_id=client.pk,
                            number=number,
                            digits=phone_digits(number),
                            kind=kind,
                            is_current=False,
                            started_on=since,
                            ended_on=started,
                            created_at=created,
                        )
                    )
                number = self._phone_number()
                phones.append(
                    ClientPhone(
                        organization_id=self.org.pk,
                        client_id=client.pk,
                        number=number,
                        digits=phone_digits(number),
                        kind=kind,
                        started_on=started,
                        created_at=created,
                    )
                )
            if rng.random() < MEDICAID_SHARE:
                self.medicaid_serial += 1
                # A permutation of the serial: unique, but not in registration order.
                serial = (self.medicaid_serial * 7_919_031 + 13_579) % 100_000_000
                value = (
                    f"MA {serial // 10_000:04d} {serial % 10_000:04d}"
                    if rng.random() < 0.3
                    else f"MA{serial:08d}"
                )
                identifiers.append(
                    ClientIdentifier(
                        organization_id=self.org.pk,
                        client_id=client.pk,
                        kind=IdentifierKind.MEDICAID,
                        value=value,
                        normalized=normalize_identifier(value),
                        created_at=created,
                    )
                )
            if rng.random() < ADDRESS_SHARE:
                county = rng.choice(COUNTIES)
                city, postal_code = rng.choice(CITIES[county])
                addresses.append(
                    ClientAddress(
                        organization_id=self.org.pk,
                        client_id=client.pk,
                        line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)} "
                        f"{rng.choice(STREET_KINDS)}",
                        line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.35 else "",
                        city=city,
                        state="OR",
                        postal_code=postal_code,
                        county=county,
                        started_on=since,
                        created_at=created,
                    )
                )
        _insert(phones)
        _insert(identifiers)
        _insert(addresses)
        self.result.phones += len(phones)
        self.result.identifiers += len(identifiers)
        self.result.addresses += len(addresses)

    # --- intake: applications and decisions -------------------------------------------------

    def _rule_answer(self, rule: dict[str, Any], passing: bool) -> Any:
        rng, op, value = self.rng, rule["operator"], rule["value"]
        if op == "documented":
            return passing
        if op == "between":
            low, high = value
            return rng.randint(int(low), int(high)) if passing else int(high) + rng.randint(1, 10)
        if op == "at_least":
            return int(value) + rng.randint(0, 20) if passing else max(0, int(value) - 5)
        if op == "at_most":
            return rng.randint(0, int(value)) if passing else int(value) + rng.randint(1, 100)
        if op == "in":
            return rng.choice(value) if passing else "Marion"
        if isinstance(value, bool):
            return value if passing else not value
        return value

    def _screening_answers(self, program: Program, outcome: str) -> dict[str, Any]:
        """Answers keyed by criterion, as ``screening.clean_answers`` keeps them."""
        unanswered, failing = ANSWER_QUALITY[outcome]
        answers: dict[str, Any] = {}
        for rule in program.eligibility_rules:
            criterion = rule["criterion"]
            if criterion == "age" or criterion in answers:  # age comes from the record
                continue
            if self.rng.random() < unanswered:
                continue
            answers[criterion] = self._rule_answer(rule, self.rng.random() >= failing)
        return answers

    def _needs(self, program: Program) -> list[str]:
        rng = self.rng
        usual = PROGRAM_NEEDS.get(program.code, ())
        picked = set(rng.sample(usual, min(len(usual), rng.randint(1, 2))))
        if rng.random() < 0.4:
            picked.add(rng.choice(LifeDomain.values))
        return [d for d in LifeDomain.values if d in picked]  # the services' order

    def _decision(
        self, intake: int, case: Case, kind: str, at: datetime, **fields: Any
    ) -> IntakeDecision:
        """A decision by the intake coordinator or the team's supervisor (both may decide)."""
        decider = self.rng.choice((intake, self.supervisor_of[case.team_id]))
        return IntakeDecision(
            organization_id=self.org.pk,
            decision=kind,
            decided_by_id=decider,
            decided_at=at,
            **fields,
        )

    def _application(
        self,
        case: Case,
        episode: _Episode,
        outcome: str,
        assignments: list[tuple[int, datetime, datetime | None]],
        client: Client,
    ) -> tuple[Application, list[IntakeDecision]]:
        """The application of ``case`` and the intake team's decisions, as services make them."""
        rng = self.rng
        program = episode.program
        source = rng.choices(self.sources, self.source_weights)[0]
        agency, person = rng.choice(REFERRERS) if source == ApplicationSource.AGENCY else ("", "")
        received_at = case.created_at
        answers = self._screening_answers(program, outcome)
        intake = rng.choice(self.intake_staff)
        made: list[IntakeDecision] = []
        priority = Priority.STANDARD
        waitlisted_at: datetime | None = None
        if episode.waitlisted_on is not None:
            priority = rng.choice(PRIORITIES)
            waitlisted_at = max(received_at, self._moment(episode.waitlisted_on))
            made.append(
                self._decision(intake, case, Decision.WAITLIST, waitlisted_at, priority=priority)
            )
            if outcome == ApplicationStatus.WAITLISTED and rng.random() < REPRIORITISED:
                priority = rng.choice(PRIORITIES)  # a change of priority keeps the waiting time
                later = min(waitlisted_at + timedelta(days=rng.randint(1, 7)), timezone.now())
                made.append(
                    self._decision(intake, case, Decision.WAITLIST, later, priority=priority)
                )
        decided_at: datetime | None = None
        decline_reason = referral = ""
        if outcome in (ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED):
            passed = screening.evaluate(
                program.eligibility_rules,
                answers,
                date_of_birth=client.date_of_birth,
                on=episode.opened,
            ).outcome
            if outcome == ApplicationStatus.ACCEPTED:
                manager, decided_at = assignments[0][0], assignments[0][1]
                # The services ask for a note when the team accepts without a passing screen.
                notes = "" if passed == screening.Outcome.PASS else ACCEPT_DESPITE_SCREENING
                made.append(
                    self._decision(
                        intake,
                        case,
                        Decision.ACCEPT,
                        decided_at,
                        case_manager_id=manager,
                        notes=notes,
                    )
                )
            else:
                decided_at = max(received_at, self._moment(episode.decided_on or episode.opened))
                decline_reason = (
                    DeclineReason.NOT_ELIGIBLE
                    if passed == screening.Outcome.FAIL
                    else rng.choice(self.declines)
                )
                referral = rng.choice(REFERRALS_ELSEWHERE)
                made.append(
                    self._decision(
                        intake,
                        case,
                        Decision.DECLINE,
                        decided_at,
                        reason=decline_reason,
                        referral_elsewhere=referral,
                    )
                )
                case.updated_at = decided_at
        application = Application(
            organization_id=self.org.pk,
            case_id=case.pk,
            client_id=client.pk,
            program_id=program.pk,
            source=source,
            referring_agency=agency,
            referring_person=person,
            referring_contact=self._phone_number() if agency else "",
            received_on=episode.opened,
            presenting_needs=self._needs(program),
            applicant_words=rng.choice(APPLICANT_WORDS),
            screening_answers=answers,
            status=outcome,
            priority=priority,
            waitlisted_at=waitlisted_at,
            decided_at=decided_at,
            decided_by_id=made[-1].decided_by_id if decided_at is not None else None,
            decline_reason=decline_reason,
            referral_elsewhere=referral,
            received_by_id=intake,
            version=1 + len(made),  # each decision saves the application once
            created_at=received_at,
            updated_at=made[-1].decided_at if made else received_at,
        )
        return application, made

    def _applications(
        self,
        cases: list[Case],
        episodes: list[_Episode],
        history: list[list[tuple[int, datetime, datetime | None]]],
        clients: dict[int, Client],
    ) -> None:
        applications: list[Application] = []
        made: list[list[IntakeDecision]] = []
        for case, episode, assignments in zip(cases, episodes, history, strict=True):
            if episode.outcome is None:
                continue
            application, rows = self._application(
                case, episode, episode.outcome, assignments, clients[case.client_id]
            )
            applications.append(application)
            made.append(rows)
            self.result.application_statuses[episode.outcome] += 1
        _insert(applications, returning=True)
        decisions: list[IntakeDecision] = []
        for application, rows in zip(applications, made, strict=True):
            for row in rows:
                row.application_id = application.pk
            decisions.extend(rows)
        _insert(decisions)
        self.result.applications += len(applications)
        self.result.intake_decisions += len(decisions)

    # --- assessments -------------------------------------------------------------------------

    def _intake_answer_pool(self) -> list[dict[str, Any]]:
        """Comprehensive-intake answers, cleaned as the services keep them (a pool to draw from)."""
        definition = self.instruments.intake.definition
        benefits = [
            c["value"] for c in definitions.questions_by_id(definition)["benefits"]["choices"]
        ]
        pool: list[dict[str, Any]] = []
        for n in range(64):
            safe = n % 7 != 0
            chosen = set(self.rng.sample(["snap", "medicaid", "ssi", "wic", "ssdi"], k=n % 3))
            answers: dict[str, Any] = {
                "living_situation": self.rng.choice(("own_rent", "with_others", "shelter")),
                "household": self.rng.choice(HOUSEHOLDS),
                "history": self.rng.choice(HISTORIES),
                "safe_tonight": safe,
                "income_monthly": self.rng.choice((0, 650, 1200, 1850)),
                "benefits": [b for b in benefits if b in chosen],
                "strengths": self.rng.choice(STRENGTHS),
                "goals_in_own_words": self.rng.choice(GOALS),
                "client_acknowledgement": True,
            }
            if not safe:
                answers["safe_tonight_plan"] = "Staying with a cousin this week; shelter as backup."
            if not answers["benefits"]:
                del answers["benefits"]  # an empty answer is no answer
            visible = definitions.visible_question_ids(definition, answers)
            pool.append({k: v for k, v in answers.items() if k in visible})
        return pool

    def _needs_answers(self, base: dict[str, int] | None) -> dict[str, Any]:
        rng = self.rng
        answers: dict[str, Any] = {}
        for domain, _label, _asked in LIFE_DOMAINS:
            if base is None:
                score = rng.choice(BASE_SCORES)
            else:
                score = max(1, min(5, base[domain] + rng.choice(SCORE_CHANGES)))
            answers[f"{domain}_score"] = score
            answers[f"{domain}_note"] = rng.choice(NEEDS_NOTES[score])
        answers["reviewed_with_client"] = True
        return answers

    def _assessments(
        self, cases: list[Case], history: list[list[tuple[int, datetime, datetime | None]]]
    ) -> None:
        rng = self.rng
        made: list[tuple[Assessment, datetime, list[definitions.Need]]] = []

        def assess(
            case: Case,
            assignments: list[tuple[int, datetime, datetime | None]],
            version: InstrumentVersion,
            day: date,
            answers: dict[str, Any],
            signed: bool,
        ) -> None:
            latest = self.now - timedelta(hours=3)
            started = max(min(self._moment(day), latest), assignments[0][1])
            # The case manager of the day (who may assess: the case is theirs then).
            assessor = next(m for m, s, _e in reversed(assignments) if s <= started)
            completed = started + timedelta(minutes=rng.randint(20, 90))
            signed_at = completed + timedelta(minutes=rng.randint(1, 60)) if signed else None
            definition = version.definition
            assessment = Assessment(
                organization_id=self.org.pk,
                case_id=case.pk,
                client_id=case.client_id,
                instrument_version_id=version.pk,
                assessor_id=assessor,
                assessed_on=day,
                status=AssessmentStatus.SIGNED if signed else AssessmentStatus.COMPLETED,
                answers=answers,
                scores=definitions.compute_scores(definition, answers),
                completed_at=completed,
                signed_by_id=assessor if signed else None,
                signed_at=signed_at,
                version=3 if signed else 2,
                created_at=started,
                updated_at=signed_at or completed,
            )
            needs = definitions.identified_needs(definition, answers)
            made.append((assessment, completed, needs))

        intake, needs = self.instruments.intake, self.instruments.needs
        for case, assignments in zip(cases, history, strict=True):
            if case.status != CaseStatus.ACTIVE or not assignments:
                continue
            if rng.random() >= ASSESSED_SHARE:
                continue
            start = assignments[0][1].date()
            first = min(start + timedelta(days=rng.randint(3, 21)), self.today)
            assess(case, assignments, intake, first, rng.choice(self.intake_answers), True)
            base = self._needs_answers(None)
            assess(case, assignments, needs, first, base, rng.random() < FIRST_SIGNED)
            room = (self.today - first).days - 91
            if room >= 0 and rng.random() < REASSESSED_SHARE:
                later = first + timedelta(days=91 + rng.randint(0, min(14, room)))
                scores = {d: base[f"{d}_score"] for d, _l, _a in LIFE_DOMAINS}
                answers = self._needs_answers(scores)
                assess(case, assignments, needs, later, answers, rng.random() < REASSESSMENT_SIGNED)
        _insert([a for a, _, _ in made], returning=True)
        identified = [
            IdentifiedNeed(
                organization_id=self.org.pk,
                case_id=assessment.case_id,
                client_id=assessment.client_id,
                assessment_id=assessment.pk,
                domain=need.domain,
                domain_label=need.label,
                score=need.score,
                note=need.note,
                created_at=completed,  # the services identify needs on completion
            )
            for assessment, completed, found in made
            for need in found
        ]
        _insert(identified)
        self.result.assessments += len(made)
        self.result.identified_needs += len(identified)


GENERATED_MODELS = (
    Organization,
    Program,
    Team,
    User,
    StaffProfile,
    TeamMembership,
    Client,
    ClientPhone,
    ClientIdentifier,
    ClientAddress,
    Case,
    CaseAssignment,
    Application,
    IntakeDecision,
    Assessment,
    IdentifiedNeed,
    ServicePlan,
    PlanEvent,
    Goal,
    Objective,
    ActionStep,
    PlanVersion,
    PlanReview,
    GoalRating,
    Note,
    NoteAddendum,
    Task,
    Appointment,
    AppointmentAttendee,
    Alert,
    Referral,
    ReferralEvent,
)


def _shipped_instruments() -> _Instruments:
    """Casework's own instruments, loaded first if this database has not got them yet."""
    load_shipped_instruments(Instrument, InstrumentVersion)

    def published(code: str) -> InstrumentVersion:
        return InstrumentVersion.objects.select_related("instrument").get(
            instrument__organization__isnull=True,
            instrument__code=code,
            status=VersionStatus.PUBLISHED,
        )

    return _Instruments(intake=published("comprehensive-intake"), needs=published("life-domains"))


def _refresh_statistics() -> None:
    """Let the query planner see the new data at once.

    Without statistics SQLite picks the (organization, status) index for a caseload
    query and scans every open case of the agency instead of one team's.
    """
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in GENERATED_MODELS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else f"ANALYZE {tables}")


def generate(
    *,
    clients: int,
    staff_per_team: int = 8,
    seed: int = 1,
    organization_name: str = "",
    organizations: int = 1,
    password: str = DEMO_PASSWORD,
    batch_size: int = BATCH,
    progress: bool = False,
    services: int = 0,
) -> GenerationResult:
    """Generate ``clients`` clients (split over ``organizations``) with staff and cases,
    and ``services`` resource-directory services for each agency.

    Runs in one transaction: a failure leaves the database as it was.
    """
    if clients < 0 or organizations < 1:
        raise ValueError("clients must be 0 or more and organizations 1 or more")
    started = time.monotonic()
    # One argon2 hash for everyone: hashing thousands would take minutes.
    password_hash = make_password(password)
    rng = random.Random(seed)
    bar = tqdm(total=clients, unit="clients", unit_scale=True, disable=not progress)
    try:
        names = Faker("en_US")
        names.seed_instance(seed)
        with transaction.atomic():
            generator = _Generator(
                seed=seed,
                staff_per_team=staff_per_team,
                password_hash=password_hash,
                batch_size=batch_size,
                progress=bar,
                instruments=_shipped_instruments(),
                services=services,
            )
            for index, share in enumerate(_split(clients, [1] * organizations)):
                if organization_name:
                    name = organization_name if index == 0 else f"{organization_name} {index + 1}"
                else:
                    name = f"{names.city()} {rng.choice(['Community', 'Family', 'Human'])} Services"
                generator.organization(name, share)
    finally:
        bar.close()
    _refresh_statistics()
    result = generator.result
    result.seconds = time.monotonic() - started
    return result

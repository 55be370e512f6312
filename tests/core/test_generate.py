"""The synthetic-data generator: counts, invariants the services keep, and access."""

from __future__ import annotations

import itertools
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max

from casework import access
from casework.access import Action
from casework.assessments import definitions
from casework.assessments import queries as assessment_queries
from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    IdentifiedNeed,
    Instrument,
    VersionStatus,
)
from casework.clients.models import (
    INTAKE_STATUSES,
    Case,
    CaseAssignment,
    CaseStatus,
    Client,
    ClientAddress,
    ClientIdentifier,
    ClientPhone,
    IdentifierKind,
)
from casework.clients.search import ClientQuery, search_clients
from casework.clients.services import normalize_identifier, phone_digits
from casework.core import audit
from casework.core.models import (
    AuditEvent,
    Organization,
    Program,
    Role,
    StaffProfile,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from casework.intake import queries as intake_queries
from casework.intake import screening
from casework.intake.models import (
    Application,
    ApplicationSource,
    ApplicationStatus,
    Decision,
    DeclineReason,
    IntakeDecision,
    LifeDomain,
)
from casework.site.demo import DEMO_PASSWORD
from casework.site.generate import GenerationResult, generate

pytestmark = pytest.mark.django_db

CLIENTS = 300


@pytest.fixture
def generated(db: None) -> GenerationResult:
    return generate(clients=CLIENTS, seed=7)


def test_it_creates_what_it_reports(generated: GenerationResult) -> None:
    assert generated.organizations == Organization.objects.count() == 1
    assert generated.clients == Client.objects.count() == CLIENTS
    assert generated.cases == Case.objects.count()
    assert CLIENTS <= generated.cases <= 2 * CLIENTS
    assert generated.assignments == CaseAssignment.objects.count()
    assert generated.staff == User.objects.count() == StaffProfile.objects.count()
    assert generated.teams == Team.objects.count() >= Program.objects.count() == 4
    assert generated.team_memberships == TeamMembership.objects.count() == 8 * generated.teams
    org = Organization.objects.get()
    assert generated.phones == ClientPhone.objects.count()
    assert generated.identifiers == ClientIdentifier.objects.count()
    assert generated.addresses == ClientAddress.objects.count()
    assert generated.applications == Application.objects.count()
    assert generated.intake_decisions == IntakeDecision.objects.count()
    assert generated.assessments == Assessment.objects.count()
    assert generated.identified_needs == IdentifiedNeed.objects.count()
    for model in (
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
    ):
        assert not model.objects.exclude(organization=org).exists(), model


def test_cases_come_in_every_status(generated: GenerationResult) -> None:
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(CaseStatus.values)
    assert statuses[CaseStatus.CLOSED] > statuses[CaseStatus.SCREENING]
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_on__isnull=True).exists()
    assert (
        not Case.objects.exclude(status=CaseStatus.CLOSED).filter(closed_on__isnull=False).exists()
    )
    assert not Case.objects.filter(status=CaseStatus.ACTIVE, case_manager__isnull=True).exists()


def test_every_team_has_a_supervisor_and_case_managers(generated: GenerationResult) -> None:
    for team in Team.objects.all():
        roles = Counter(TeamMembership.objects.filter(team=team).values_list("role", flat=True))
        assert roles == {TeamRole.SUPERVISOR: 1, TeamRole.MEMBER: 7}
    profiles = Counter(role for p in StaffProfile.objects.all() for role in p.roles)
    for role in (Role.AGENCY_ADMIN, Role.AUDITOR, Role.PROGRAM_MANAGER, Role.INTAKE_COORDINATOR):
        assert profiles[role] >= 1


def test_case_references_are_unique_and_follow_the_program_counter(
    generated: GenerationResult,
) -> None:
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    for program in Program.objects.annotate(n=Count("cases"), newest=Max("cases__reference")):
        assert program.case_counter == program.n
        assert program.newest == f"{program.code.upper()}-{program.n:05d}"


def test_every_case_manager_has_an_assignment(generated: GenerationResult) -> None:
    cases = Case.objects.filter(case_manager__isnull=False).prefetch_related("assignments")
    reassigned = 0
    for case in cases:
        history = sorted(case.assignments.all(), key=lambda a: a.started_at)
        assert history, case.reference
        current = history[-1]
        assert current.case_manager_id == case.case_manager_id
        assert current.team_id == case.team_id
        assert (current.ended_at is None) == case.is_open
        for earlier, later in itertools.pairwise(history):
            assert earlier.ended_at == later.started_at
        reassigned += len(history) > 1
    assert reassigned > 0
    assert not CaseAssignment.objects.filter(case__case_manager__isnull=True).exists()


def test_case_managers_belong_to_the_case_team(generated: GenerationResult) -> None:
    members = set(TeamMembership.objects.values_list("team_id", "user_id"))
    for team_id, manager_id in Case.objects.filter(case_manager__isnull=False).values_list(
        "team_id", "case_manager_id"
    ):
        assert (team_id, manager_id) in members


def test_a_generated_case_manager_sees_their_teams_cases(generated: GenerationResult) -> None:
    membership = TeamMembership.objects.filter(role=TeamRole.MEMBER).select_related("user").first()
    assert membership is not None
    case_manager = membership.user
    team_cases = set(Case.objects.filter(team_id=membership.team_id))
    assert team_cases
    assert set(access.cases(case_manager)) == team_cases
    assert not access.cases(case_manager, Action.ASSIGN).exists()
    supervisor = TeamMembership.objects.get(team_id=membership.team_id, role=TeamRole.SUPERVISOR)
    assert set(access.cases(supervisor.user, Action.ASSIGN)) == team_cases


def test_generated_staff_share_one_password_hash(generated: GenerationResult) -> None:
    assert User.objects.values("password").distinct().count() == 1
    assert User.objects.first().check_password(DEMO_PASSWORD)  # type: ignore[union-attr]


def test_it_records_one_audit_event_and_the_chain_verifies(generated: GenerationResult) -> None:
    event = AuditEvent.objects.get()
    assert event.action == "data.generate"
    assert event.actor_id is None
    assert event.changes["clients"] == CLIENTS
    assert event.changes["cases"] == generated.cases
    for kind, count in generated.counts().items():
        assert event.changes[kind] == count, kind
    assert event.changes["applications"] == Application.objects.count() > 0
    assert event.changes["identified_needs"] == IdentifiedNeed.objects.count() > 0
    # Counts only: nothing in the event says anything about a person.
    assert all(isinstance(v, int) for v in event.changes.values())
    assert list(audit.verify()) == []


def test_the_same_seed_gives_the_same_people(db: None) -> None:
    generate(clients=40, seed=3, organization_name="First")
    generate(clients=40, seed=3, organization_name="Second")
    first, second = (
        list(
            Client.objects.filter(organization__name=name)
            .order_by("pk")
            .values_list("first_name", "last_name", "date_of_birth")
        )
        for name in ("First", "Second")
    )
    assert first == second


def test_it_spreads_clients_over_organizations(db: None) -> None:
    result = generate(clients=90, organizations=3, organization_name="Region")
    assert result.organizations == 3
    counts = dict(Organization.objects.annotate(n=Count("clients")).values_list("name", "n"))
    assert counts == {"Region": 30, "Region 2": 30, "Region 3": 30}
    assert AuditEvent.objects.filter(action="data.generate").count() == 3


def test_the_command_reports_counts_and_no_personal_data(db: None) -> None:
    out = StringIO()
    call_command("generate", "--clients=50", "--seed=2", stdout=out, verbosity=0)
    text = out.getvalue()
    assert "  clients: 50\n" in text
    assert "  assessments: " in text
    assert "rows/s" in text
    for first, last in Client.objects.values_list("first_name", "last_name"):
        assert f"{first} {last}" not in text
        assert last not in text.split()


def test_generated_clients_can_be_found_by_search(generated: GenerationResult) -> None:
    from casework.clients.search import ClientQuery, search_clients

    membership = TeamMembership.objects.filter(role=TeamRole.MEMBER).select_related("user").first()
    assert membership is not None
    client = Case.objects.filter(team_id=membership.team_id).select_related("client").first().client
    query = ClientQuery(name=f"{client.last_name[:3]} {client.first_name}")
    assert client in set(search_clients(actor=membership.user, query=query))


# --- client details ---------------------------------------------------------------------------


def test_most_clients_have_a_phone_and_about_half_a_medicaid_id(
    generated: GenerationResult,
) -> None:
    current = ClientPhone.objects.filter(is_current=True)
    with_phone = current.values("client").distinct().count()
    assert with_phone == current.count()  # one current number per client
    assert 0.75 * CLIENTS <= with_phone <= 0.95 * CLIENTS
    assert ClientPhone.objects.filter(is_current=False, ended_on__isnull=False).exists()
    assert not ClientPhone.objects.filter(is_current=False, ended_on__isnull=True).exists()
    for number, digits in ClientPhone.objects.values_list("number", "digits"):
        assert digits == phone_digits(number)
        assert 7 <= len(digits) <= 15
    medicaid = ClientIdentifier.objects.filter(kind=IdentifierKind.MEDICAID)
    assert medicaid.count() == ClientIdentifier.objects.count()
    assert 0.35 * CLIENTS <= medicaid.values("client").distinct().count() <= 0.65 * CLIENTS
    normalized = [n for v, n in medicaid.values_list("value", "normalized") if n]
    assert normalized == [normalize_identifier(v) for v in medicaid.values_list("value", flat=True)]
    assert len(set(normalized)) == len(normalized)
    assert 0.2 * CLIENTS <= ClientAddress.objects.count() <= 0.6 * CLIENTS


def test_generated_clients_can_be_found_by_phone_and_medicaid_id(
    generated: GenerationResult,
) -> None:
    intake = next(
        u
        for u in User.objects.select_related("staff_profile")
        if u.has_role(Role.INTAKE_COORDINATOR)
    )
    applicant = Application.objects.filter(status=ApplicationStatus.SCREENING).first()
    assert applicant is not None
    client = applicant.client
    identifier = ClientIdentifier.objects.filter(client=client).first()
    if identifier is not None:
        found = search_clients(actor=intake, query=ClientQuery(identifier=identifier.value))
        assert client in set(found)
    phone = ClientPhone.objects.filter(client=client, is_current=True).first()
    if phone is not None:
        found = search_clients(actor=intake, query=ClientQuery(phone=phone.number))
        assert client in set(found)


# --- intake -----------------------------------------------------------------------------------


def test_every_case_in_intake_has_exactly_one_application_with_its_status(
    generated: GenerationResult,
) -> None:
    cases = Case.objects.filter(status__in=INTAKE_STATUSES)
    assert cases.count() > 0
    for case in cases:
        application = Application.objects.get(case=case)
        assert application.status == case.status
        assert application.decided_at is None and application.decided_by_id is None
    assert not (
        Application.objects.filter(status__in=INTAKE_STATUSES)
        .exclude(case__status=F("status"))
        .exists()
    )
    assert not (
        Application.objects.exclude(status__in=INTAKE_STATUSES)
        .filter(case__status__in=INTAKE_STATUSES)
        .exists()
    )


def test_applications_agree_with_their_case(generated: GenerationResult) -> None:
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert set(statuses) == set(ApplicationStatus.values)
    decided = Case.objects.exclude(status__in=INTAKE_STATUSES)
    assert 0.4 * decided.count() <= decided.filter(application__isnull=False).count()
    assert decided.filter(application__isnull=True).exists()  # from before intake was recorded
    applications = Application.objects.select_related("case", "client", "program")
    for application in applications.prefetch_related("decisions", "case__assignments"):
        case = application.case
        assert application.client_id == case.client_id
        assert application.program_id == case.program_id
        assert application.organization_id == case.organization_id
        assert application.received_on == case.opened_on
        assert application.received_by.has_role(Role.INTAKE_COORDINATOR)
        assert application.presenting_needs
        assert set(application.presenting_needs) <= set(LifeDomain.values)
        assert application.presenting_needs == [
            d for d in LifeDomain.values if d in application.presenting_needs
        ]
        if application.source == ApplicationSource.AGENCY:
            assert application.referring_agency
        rules = application.program.eligibility_rules
        # Answers as the services keep them: typed, about the program's own criteria.
        assert screening.clean_answers(rules, application.screening_answers) == (
            application.screening_answers
        )
        decisions = sorted(application.decisions.all(), key=lambda d: (d.decided_at, d.pk))
        assert application.version == 1 + len(decisions)
        for decision in decisions:
            assert decision.decided_by_id in (
                application.received_by_id,
                TeamMembership.objects.get(team_id=case.team_id, role=TeamRole.SUPERVISOR).user_id,
            )
        waitlists = [d for d in decisions if d.decision == Decision.WAITLIST]
        assert (application.waitlisted_at is not None) == bool(waitlists)
        if waitlists:
            assert application.waitlisted_at == waitlists[0].decided_at
        result = screening.evaluate(
            rules,
            application.screening_answers,
            date_of_birth=application.client.date_of_birth,
            on=application.received_on,
        ).outcome
        if application.status == ApplicationStatus.WAITLISTED:
            assert decisions and all(d.decision == Decision.WAITLIST for d in decisions)
            assert application.priority == decisions[-1].priority
        elif application.status == ApplicationStatus.SCREENING:
            assert not decisions
        elif application.status == ApplicationStatus.ACCEPTED:
            last = decisions[-1]
            assert last.decision == Decision.ACCEPT
            assert (application.decided_at, application.decided_by_id) == (
                last.decided_at,
                last.decided_by_id,
            )
            assert case.status in (CaseStatus.ACTIVE, CaseStatus.ON_HOLD, CaseStatus.CLOSED)
            first = min(case.assignments.all(), key=lambda a: a.started_at)
            assert (first.case_manager_id, first.started_at) == (
                last.case_manager_id,
                last.decided_at,
            )
            assert bool(last.notes) == (result != screening.Outcome.PASS)
        else:
            last = decisions[-1]
            assert last.decision == Decision.DECLINE
            assert application.decline_reason == last.reason
            assert application.referral_elsewhere == last.referral_elsewhere != ""
            assert application.decline_reason != DeclineReason.OTHER
            assert (application.decline_reason == DeclineReason.NOT_ELIGIBLE) == (
                result == screening.Outcome.FAIL
            )
            assert case.status == CaseStatus.CLOSED
            assert case.case_manager_id is None and not case.assignments.all()
            assert application.decided_at is not None
            assert case.closed_on == application.decided_at.date()


def test_the_intake_queue_shows_the_generated_applications(generated: GenerationResult) -> None:
    intake = next(
        u
        for u in User.objects.select_related("staff_profile")
        if u.has_role(Role.INTAKE_COORDINATOR)
    )
    screening_cases = Case.objects.filter(status=CaseStatus.SCREENING).count()
    assert intake_queries.screening_queue(intake).count() == screening_cases
    line = list(intake_queries.waitlist(intake))
    assert len(line) == Case.objects.filter(status=CaseStatus.WAITLISTED).count()
    for program_id in {a.program_id for a in line}:
        positions = [a.position for a in line if a.program_id == program_id]  # type: ignore[attr-defined]
        assert positions == list(range(1, len(positions) + 1))


# --- assessments ------------------------------------------------------------------------------


def test_active_cases_have_scored_assessments_and_reassessments(
    generated: GenerationResult,
) -> None:
    assert Instrument.objects.filter(organization__isnull=True).count() == 2
    assessments = Assessment.objects.select_related("instrument_version__instrument", "case")
    assert assessments.exists()
    assert {a.case.status for a in assessments} == {CaseStatus.ACTIVE}
    assessed = {a.case_id for a in assessments}
    active = Case.objects.filter(status=CaseStatus.ACTIVE).count()
    assert 0.3 * active <= len(assessed) <= 0.7 * active
    needs_by_case: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        version = assessment.instrument_version
        assert version.status == VersionStatus.PUBLISHED
        assert assessment.status in (AssessmentStatus.COMPLETED, AssessmentStatus.SIGNED)
        assert assessment.completed_at is not None
        assert (assessment.status == AssessmentStatus.SIGNED) == (assessment.signed_at is not None)
        assert assessment.client_id == assessment.case.client_id
        history = CaseAssignment.objects.filter(case_id=assessment.case_id)
        assert assessment.assessor_id in {a.case_manager_id for a in history}
        definition = version.definition
        # Every answer is one the services would keep, and every question asked is answered.
        questions = definitions.questions_by_id(definition)
        for qid, value in assessment.answers.items():
            assert definitions.clean_answer(questions[qid], value) == (value, ""), qid
        visible = definitions.visible_question_ids(definition, assessment.answers)
        assert set(assessment.answers) <= visible
        for qid in visible:
            if questions[qid].get("required"):
                assert qid in assessment.answers, qid
        assert assessment.scores == definitions.compute_scores(definition, assessment.answers)
        if version.instrument.code == "life-domains":
            needs_by_case.setdefault(assessment.case_id, []).append(assessment)
    reassessed = [
        sorted(a, key=lambda x: x.assessed_on) for a in needs_by_case.values() if len(a) > 1
    ]
    assert reassessed
    for first, later in reassessed:
        assert 91 <= (later.assessed_on - first.assessed_on).days <= 105


def test_identified_needs_are_the_domains_scored_two_or_less(generated: GenerationResult) -> None:
    needs_version = Assessment.objects.filter(
        instrument_version__instrument__code="life-domains"
    ).select_related("instrument_version")
    assert needs_version.exists()
    for assessment in needs_version.prefetch_related("identified_needs"):
        expected = {
            (n.domain, float(n.score), n.note)
            for n in definitions.identified_needs(
                assessment.instrument_version.definition, assessment.answers
            )
        }
        low = {
            rule_id
            for rule_id, score in assessment.scores.items()
            if rule_id != "total" and score["value"] is not None and score["value"] <= 2
        }
        found = {(n.domain, float(n.score), n.note) for n in assessment.identified_needs.all()}
        assert found == expected
        assert {domain for domain, _, _ in found} == low
        for need in assessment.identified_needs.all():
            assert (need.case_id, need.client_id) == (assessment.case_id, assessment.client_id)
    assert not IdentifiedNeed.objects.filter(
        assessment__instrument_version__instrument__code="comprehensive-intake"
    ).exists()


def test_a_case_manager_sees_the_assessments_of_their_cases(generated: GenerationResult) -> None:
    assessment = Assessment.objects.select_related("case", "case__case_manager").first()
    assert assessment is not None
    manager = assessment.case.case_manager
    assert manager is not None
    assert assessment in set(assessment_queries.assessments(manager, assessment.case))
    assert set(assessment_queries.identified_needs(manager, assessment.case)) == set(
        IdentifiedNeed.objects.filter(case=assessment.case)
    )

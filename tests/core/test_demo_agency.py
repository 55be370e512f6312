"""The demo agency itself: seeded once for this module (seeding takes seconds), then read.

Every test of the whole seeded agency belongs here, so that it is seeded once per run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from casework import access
from casework.access import Action
from casework.assessments.models import Assessment, AssessmentStatus, IdentifiedNeed
from casework.clients.models import Case, CaseAssignment, CaseStatus, Client
from casework.core import audit
from casework.core.models import (
    AuditEvent,
    Organization,
    OrganizationKind,
    Program,
    Team,
    TeamRole,
    User,
)
from casework.intake.models import Application, ApplicationStatus
from casework.plans import queries as plans_queries
from casework.plans.models import PlanReview, PlanStatus, PlanVersion, ServicePlan
from casework.site import demo

from .test_demo import EXPECTED_ROLES, run_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """``casework demo`` run once; every test here reads the same agency, then it is rolled back.

    Argon2 is slow on purpose; these tests check the demo, not hashing.
    """
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


def test_it_seeds_the_demo_agency_once(demo_output: str) -> None:
    assert "Created 4 programs, 5 teams" in demo_output
    counts = (Organization.objects.count(), User.objects.count(), Client.objects.count())
    cases, events = Case.objects.count(), AuditEvent.objects.count()
    assert counts == (2, 28, demo.CLIENTS + 1)  # + the near-duplicate John Smith

    second = run_demo()
    assert "not seeding it again" in second
    assert "Created" not in second
    assert (Organization.objects.count(), User.objects.count(), Client.objects.count()) == counts
    assert (Case.objects.count(), AuditEvent.objects.count()) == (cases, events)
    assert f"admin@{demo.DEMO_DOMAIN}" in second


def test_the_demo_reports_each_stage_as_it_seeds(demo_output: str) -> None:
    assert f"in {len(demo.STAGES)} stages" in demo_output
    assert "under a minute" not in demo_output
    stages = [line.strip() for line in demo_output.splitlines() if re.match(r"\s*\d+/", line)]
    assert len(stages) == len(demo.STAGES)
    for number, (line, stage) in enumerate(zip(stages, demo.STAGES, strict=True), start=1):
        assert re.fullmatch(rf"{number}/{len(demo.STAGES)}  {re.escape(stage)}… \d+\.\d s", line)


def test_the_demo_agency_looks_like_a_real_one(demo_output: str) -> None:
    agency = Organization.objects.get(name=demo.AGENCY_NAME)
    partner = Organization.objects.get(name=demo.PARTNER_NAME)
    assert partner.kind == OrganizationKind.PARTNER
    programs = {p.name: p for p in Program.objects.filter(organization=agency)}
    assert set(programs) == {
        "Housing Stability",
        "Adult Mental Health",
        "Re-entry Support",
        "Senior Services",
    }
    assert all(p.eligibility_rules for p in programs.values())
    for team in Team.objects.filter(organization=agency).annotate(n=Count("memberships")):
        roles = Counter(team.memberships.values_list("role", flat=True))
        assert roles[TeamRole.SUPERVISOR] == 1
        assert roles[TeamRole.MEMBER] >= 3
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(CaseStatus.values)
    # Only the demo's near-duplicate, John Smith, is registered without any case.
    assert list(Client.objects.filter(cases__isnull=True).values_list("last_name", flat=True)) == [
        "Smith"
    ]
    assert Application.objects.filter(status=ApplicationStatus.WAITLISTED).exists()
    assert Application.objects.filter(status=ApplicationStatus.SCREENING).exists()
    assert Assessment.objects.filter(status=AssessmentStatus.SIGNED).exists()
    assert IdentifiedNeed.objects.exists()
    reassigned = Case.objects.annotate(n=Count("assignments")).filter(n__gt=1)
    assert reassigned.exists()
    for program in programs.values():
        assert program.case_counter == Case.objects.filter(program=program).count()
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_on__isnull=True).exists()
    assert not CaseAssignment.objects.filter(
        case__status=CaseStatus.CLOSED, ended_at__isnull=True
    ).exists()
    # Everything went through services: each case was opened and audited.
    assert AuditEvent.objects.filter(action="case.open").count() == Case.objects.count()
    assert AuditEvent.objects.filter(action="client.create").count() == demo.CLIENTS + 1
    assert AuditEvent.objects.filter(action="case.close").count() == statuses[CaseStatus.CLOSED]


def test_demo_accounts_sign_in_with_the_demo_password(demo_output: str) -> None:
    out = demo_output
    assert f"Password for every demo account: {demo.DEMO_PASSWORD}" in out
    for email, role in EXPECTED_ROLES.items():
        assert email in out
        user = User.objects.select_related("staff_profile").get(email=email)
        assert user.check_password(demo.DEMO_PASSWORD), email
        assert user.is_active
        assert role in user.staff_profile.roles, email
    other = User.objects.exclude(email__in=EXPECTED_ROLES).first()
    assert other is not None and other.check_password(demo.DEMO_PASSWORD)


def test_the_demo_case_manager_works_a_caseload(demo_output: str) -> None:
    case_manager = User.objects.get(email=f"casemanager@{demo.DEMO_DOMAIN}")
    supervisor = User.objects.get(email=f"supervisor@{demo.DEMO_DOMAIN}")
    mine = access.cases(case_manager)
    assert mine.filter(case_manager=case_manager, status=CaseStatus.ACTIVE).exists()
    assert set(mine) == set(access.cases(supervisor))
    assert access.cases(supervisor, Action.ASSIGN).count() == mine.count()
    partner = User.objects.get(email=f"partner@{demo.PARTNER_DOMAIN}")
    assert not access.cases(partner).exists()


def test_the_audit_log_verifies_and_the_output_holds_no_client_data(demo_output: str) -> None:
    out = demo_output
    assert list(audit.verify()) == []
    for first, last, preferred in Client.objects.values_list(
        "first_name", "last_name", "preferred_name"
    ):
        assert f"{first} {last}" not in out
        assert not preferred or f"{preferred} {last}" not in out


def test_the_demo_agency_has_plans_in_every_state(demo_output: str) -> None:
    supervisor = User.objects.get(email=f"supervisor@{demo.DEMO_DOMAIN}")
    agency = Organization.objects.get(pk=supervisor.organization_id)
    active = Case.objects.filter(organization=agency, status=CaseStatus.ACTIVE).count()
    plans = ServicePlan.objects.filter(organization=agency)
    assert active * 0.3 <= plans.values("case").distinct().count() <= active * 0.7
    statuses = set(plans.values_list("status", flat=True))
    assert {PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.RETURNED} <= statuses
    assert PlanReview.objects.filter(organization=agency).exists()
    assert (
        PlanVersion.objects.filter(organization=agency).count()
        == plans.filter(status=PlanStatus.APPROVED).count()
    )
    assert plans_queries.approval_queue(supervisor).exists()

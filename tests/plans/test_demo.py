"""The demo agency's plans: written through the services, in every state a newcomer should see."""

from __future__ import annotations

from typing import Any

import pytest

from casework.clients.models import Case, CaseStatus
from casework.core import demo
from casework.core.models import Organization, User
from casework.plans import demo as plans_demo
from casework.plans import queries
from casework.plans.models import PlanReview, PlanStatus, PlanVersion, ServicePlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_agency_has_plans_in_every_state(fast_hasher: None) -> None:
    demo.seed(seed=1)
    supervisor = User.objects.get(email=f"supervisor@{demo.DEMO_DOMAIN}")
    agency = Organization.objects.get(pk=supervisor.organization_id)
    if not ServicePlan.objects.exists():  # until the lead wires plans into the demo
        plans_demo.seed(organization=agency, seed=1)
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
    assert queries.approval_queue(supervisor).exists()
    case_manager = User.objects.get(email=f"casemanager@{demo.DEMO_DOMAIN}")
    assert queries.returned_plans(case_manager).exists()
    reviewed = Case.objects.filter(organization=agency, plans__status=PlanStatus.APPROVED)
    assert all(c.next_review_on is not None for c in reviewed)

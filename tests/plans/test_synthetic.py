"""Plans at scale: the generator's rows hold the same rules the services keep."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from casework.clients.models import Case
from casework.core.models import User
from casework.plans import queries, synthetic
from casework.plans.models import Goal, PlanReview, PlanStatus, PlanVersion, ServicePlan
from casework.plans.snapshot import plan_diff
from casework.site.generate import _insert
from tests.factories import CaseFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_generated_plans_are_like_real_ones(
    personas: Personas, client_as: Callable[[User], Client]
) -> None:
    p = personas
    old = timezone.localdate() - timedelta(days=400)
    for _ in range(60):
        CaseFactory(team=p.team, case_manager=p.case_manager, opened_on=old)
    cases = list(Case.objects.filter(organization=p.agency).order_by("pk"))
    counts = synthetic.generate(
        organization_id=p.agency.pk,
        cases=cases,
        rng=random.Random(3),
        today=timezone.localdate(),
        now=timezone.now(),
        insert=_insert,
    )
    plans = ServicePlan.objects.filter(organization=p.agency)
    assert counts["plans"] == plans.count() > 10
    assert counts["plan_goals"] == Goal.objects.count()
    assert counts["plan_versions"] == PlanVersion.objects.count()
    assert counts["plan_reviews"] == PlanReview.objects.count() > 0
    assert {PlanStatus.APPROVED, PlanStatus.DRAFT} <= set(plans.values_list("status", flat=True))
    for case in Case.objects.filter(plans__status=PlanStatus.APPROVED):
        assert case.next_review_on is not None
    revised = plans.filter(number=2).first()
    if revised is not None:
        before, after = PlanVersion.objects.filter(case=revised.case).order_by("number")
        assert not plan_diff(before.snapshot, after.snapshot).has_changes
    approved = plans.filter(status=PlanStatus.APPROVED).first()
    assert approved is not None
    page = client_as(p.case_manager).get(f"/cases/{approved.case_id}/plan/")
    assert page.status_code == 200
    assert list(queries.approval_queue(p.supervisor)) == list(
        plans.filter(status=PlanStatus.SUBMITTED).order_by("submitted_at", "pk")
    )

"""The demo referrals and the synthetic ones for ``casework generate``."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.referrals import demo, services, synthetic
from casework.referrals.models import (
    NEXT_STATUSES,
    EventVia,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralStatus,
)
from casework.resources.models import Service
from casework.site.generate import _insert
from tests.factories import CaseFactory, UserFactory
from tests.personas import Personas

from .conftest import Directory, plan_goal

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_referrals_across_the_lifecycle(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    partner = UserFactory(
        organization=directory.harbor_org, email="partner@harbor.demo.test", roles=["partner"]
    )
    for _ in range(3):
        case = CaseFactory(team=p.team, case_manager=p.case_manager, status=CaseStatus.ACTIVE)
        plan_goal(p.case_manager, p.supervisor, case)
    assert demo.seed(organization=p.agency, seed=3) == len(demo.STORIES)
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    for status in ReferralStatus.values:
        assert statuses[status], status
    today = timezone.localdate()
    overdue = Referral.objects.filter(status="sent", answer_due_on__lt=today)
    assert overdue.exists()
    assert Referral.objects.get(status="declined").decline_reason
    for referral in Referral.objects.exclude(status="draft"):
        assert referral.disclosure_id is not None and referral.consent_id is not None
        events = list(referral.events.order_by("recorded_at", "pk"))
        assert [e.happened_on for e in events] == sorted(e.happened_on for e in events)
        assert events[-1].happened_on <= today
    assert services.referral_link_find  # links exist only as hashes
    assert ReferralLink.objects.exists()
    theirs = Referral.objects.filter(recipient_organization=directory.harbor_org)
    assert theirs.exists()
    assert ReferralEvent.objects.filter(via=EventVia.PARTNER, actor=partner).exists()
    assert Referral.objects.filter(follow_up_task__isnull=False).count() >= 8


def test_the_demo_makes_nothing_without_a_directory(personas: Personas) -> None:
    assert demo.seed(organization=personas.agency, seed=1) == 0


def test_the_generator_spreads_referrals_over_the_lifecycle(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    cases = [
        CaseFactory(team=p.team, case_manager=p.case_manager, status=CaseStatus.ACTIVE)
        for _ in range(60)
    ]
    counts = synthetic.generate(
        organization_id=p.agency.pk,
        cases=cases,
        rng=random.Random(5),
        today=timezone.localdate(),
        now=timezone.now(),
        insert=_insert,
    )
    referrals = list(Referral.objects.all())
    assert counts["referrals"] == len(referrals) > 15
    assert counts["referral_events"] == ReferralEvent.objects.count()
    assert len({r.status for r in referrals}) >= 6
    for referral in referrals:
        events = [e.status for e in referral.events.order_by("happened_on", "pk")]
        assert events[-1] == referral.status
        for before, after in itertools.pairwise(events):
            assert after in NEXT_STATUSES[before], (before, after)
        if referral.status != "draft":
            assert referral.disclosure is not None
            assert services.referral_content(referral=referral)[0].allowed
    harbor = [r for r in referrals if r.recipient_organization_id == directory.harbor_org.pk]
    assert all(r.provider_id == directory.harbor.pk for r in harbor)


def test_the_generator_makes_no_referrals_without_a_directory(personas: Personas) -> None:
    assert not Service.objects.exists()
    counts = synthetic.generate(
        organization_id=personas.agency.pk,
        cases=list(Case.objects.all()),
        rng=random.Random(1),
        today=timezone.localdate(),
        now=timezone.now(),
        insert=_insert,
    )
    assert counts == {"referrals": 0}
    assert not Referral.objects.exists()

"""The demo consents: one to the partner agency (seen under "Shared with us"), one expiring
soon, one revoked, one naming substance-use treatment."""

from __future__ import annotations

import pytest

from casework.clients.models import CaseStatus
from casework.consent import demo
from casework.consent.models import Consent, Disclosure
from casework.core.models import OrganizationKind
from tests.factories import CaseFactory, OrganizationFactory, UserFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_consents_and_disclosures(personas: Personas) -> None:
    p = personas
    harbor = OrganizationFactory(name="Harbor Legal Aid", kind=OrganizationKind.PARTNER)
    UserFactory(organization=harbor, email="partner@harbor.demo.test", roles=["partner"])
    for _ in range(2):
        CaseFactory(team=p.team, case_manager=p.case_manager, status=CaseStatus.ACTIVE)
    assert demo.seed(organization=p.agency, seed=3) == 5
    statuses = {c.status for c in Consent.objects.all()}
    assert statuses == {"active", "revoked"}
    assert any("substance_use" in c.categories for c in Consent.objects.all())
    soon = [c for c in Consent.objects.all() if (c.expires_on - c.effective_on).days == 365]
    assert soon, "a consent expiring soon (in ten days)"
    assert Disclosure.objects.filter(party_organization=harbor).count() == 1
    assert Disclosure.objects.count() == 3

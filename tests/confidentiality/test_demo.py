"""The demo agency shows a restricted record and a past break-glass grant."""

from __future__ import annotations

import pytest

from casework import access
from casework.clients.models import Client
from casework.confidentiality import demo
from casework.confidentiality.models import BreakGlassGrant
from casework.core.models import AuditEvent, User
from casework.monitoring.models import Alert
from tests.factories import CaseFactory, UserFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_restricts_a_client_and_leaves_an_ended_grant(personas: Personas) -> None:
    p = personas
    cm = UserFactory(organization=p.agency, email="casemanager@demo.test", roles=["case_manager"])
    UserFactory(organization=p.agency, email="programs@demo.test", roles=["program_manager"])
    p.team.memberships.create(organization=p.agency, user=cm)
    case = CaseFactory(team=p.team, case_manager=cm)
    assert demo.seed(organization=p.agency) == 2
    assert Client.objects.get(pk=case.client_id).is_restricted
    grant = BreakGlassGrant.objects.get()
    assert not grant.is_active
    assert grant.client_id != case.client_id
    assert AuditEvent.objects.filter(action="client.view", client_id=grant.client_id).exists()
    assert Alert.objects.filter(recipient=p.auditor, kind="break_glass").exists()
    assert not access.clients(User.objects.get(pk=p.intake.pk)).filter(pk=case.client_id).exists()

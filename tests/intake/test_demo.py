from __future__ import annotations

import random

import pytest

from casework.clients.models import Case, CaseStatus
from casework.core.models import Program
from casework.intake import demo
from casework.intake.models import Application
from tests.factories import ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_applications_in_every_state(personas: Personas, program: Program) -> None:
    p = personas
    clients = [ClientFactory(organization=p.agency) for _ in range(24)]
    made = demo.seed(intake=p.intake, clients=clients, rng=random.Random(3))
    assert set(made) == {"screening", "waitlisted", "accepted", "declined"}
    assert Application.objects.count() == sum(made.values()) == 24
    for application in Application.objects.select_related("case"):
        expected = {
            "screening": CaseStatus.SCREENING,
            "waitlisted": CaseStatus.WAITLISTED,
            "accepted": CaseStatus.ACTIVE,
            "declined": CaseStatus.CLOSED,
        }[application.status]
        assert application.case.status == expected
    assert Case.objects.filter(status=CaseStatus.ACTIVE, case_manager__isnull=True).count() == 0

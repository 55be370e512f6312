"""Reading a note, a plan or an assessment is logged, so the privacy officer's report shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from casework.assessments.models import Instrument, InstrumentVersion
from casework.assessments.shipped import load_shipped_instruments
from casework.core.models import AuditEvent, User
from casework.plans import services as plan_services
from tests.assessments.conftest import complete_needs, published
from tests.factories import NoteFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]


def test_reads_of_notes_plans_and_assessments_reach_the_access_report(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    load_shipped_instruments(Instrument, InstrumentVersion)
    note = NoteFactory(case=p.case)
    plan_services.plan_create(actor=p.case_manager, case=p.case)
    assessment = complete_needs(p.case_manager, p.case, published("life-domains"), {"food": 2})
    web = client_as(p.supervisor)
    assert web.get(reverse("case-note", args=[note.pk])).status_code == 200
    assert web.get(reverse("case-plan", args=[p.case.pk])).status_code == 200
    assert web.get(reverse("case-assessment", args=[assessment.pk])).status_code == 200
    assert web.get(f"/api/v1/notes/{note.pk}").status_code == 200
    assert web.get(f"/api/v1/assessments/{assessment.pk}").status_code == 200

    reads = AuditEvent.objects.filter(actor=p.supervisor, client_id=p.case.client_id)
    assert sorted(reads.values_list("action", "changes__via")) == [
        ("assessment.view", "api"),
        ("assessment.view", "web"),
        ("note.view", "api"),
        ("note.view", "web"),
        ("plan.view", "web"),
    ]
    report = client_as(p.auditor).get(reverse("client-access-report", args=[p.case.client_id]))
    html = report.content.decode()
    for action in ("note.view", "plan.view", "assessment.view"):
        assert action in html


def test_a_colleague_who_may_not_read_leaves_no_read_event(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    note = NoteFactory(case=p.case)
    assert client_as(p.colleague).get(reverse("case-note", args=[note.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="note.view").exists()

"""Demo and synthetic data: believable tasks, appointments, flags and alerts."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from casework.clients.models import Case
from casework.monitoring import demo, synthetic
from casework.monitoring.models import Alert, Appointment, CalendarFeed, Task
from casework.site.generate import _insert
from tests.factories import CaseFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_gives_the_demo_case_manager_a_busy_week_and_raises_alerts(
    personas: Personas,
) -> None:
    p = personas
    p.case_manager.email = "casemanager@demo.test"
    p.case_manager.save()
    CaseFactory.create_batch(3, team=p.team, case_manager=p.case_manager)
    made = demo.seed(organization=p.agency, seed=2)
    mine = Task.objects.filter(assignee=p.case_manager)
    today = timezone.localdate()
    assert mine.filter(status="open", due_on__lt=today).exists()
    assert mine.filter(status="open", due_on=today).exists()
    assert mine.filter(status="done").exists()
    assert Appointment.objects.filter(organizer=p.case_manager, starts_at__date=today).exists()
    assert Alert.objects.filter(recipient=p.case_manager).exists()
    assert Task.objects.filter(assignee=p.colleague).exists()
    assert not CalendarFeed.objects.exists()
    assert made >= Task.objects.count() + Appointment.objects.count()


def test_synthetic_rows_are_built_in_memory_and_inserted_in_bulk(personas: Personas) -> None:
    p = personas
    CaseFactory.create_batch(20, team=p.team, case_manager=p.case_manager)
    cases = list(Case.objects.filter(organization=p.agency))
    calls: list[Any] = []

    def insert(objs: Any, returning: bool = False) -> None:
        calls.append(len(objs))
        _insert(objs, returning=returning)

    counts = synthetic.generate(
        organization_id=p.agency.pk,
        cases=cases,
        rng=random.Random(1),
        today=timezone.localdate(),
        now=timezone.now(),
        insert=insert,
    )
    assert counts["tasks"] == Task.objects.count() > 0
    assert counts["appointments"] == Appointment.objects.count() > 0
    assert counts["alerts"] == Alert.objects.count() > 0
    assert len(calls) == 3

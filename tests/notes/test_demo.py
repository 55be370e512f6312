from __future__ import annotations

import pytest

from casework.monitoring.models import Alert, AlertKind
from casework.notes import demo
from casework.notes.models import Note, NoteAddendum, NoteSettings, NoteStatus
from tests.factories import CaseFactory, UserFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_demo_writes_a_believable_history_of_notes(personas: Personas) -> None:
    p = personas
    UserFactory(organization=p.agency, email="programs@riverside.test", roles=["program_manager"])
    demo_manager = UserFactory(
        organization=p.agency, email="casemanager@demo.test", roles=["case_manager"]
    )
    for _ in range(4):
        CaseFactory(team=p.team, case_manager=demo_manager)
    made = demo.seed(organization=p.agency, seed=2)
    assert made == Note.objects.count() > 10
    assert NoteSettings.objects.filter(program=p.program).exists()
    drafts = Note.objects.filter(status=NoteStatus.DRAFT)
    assert drafts.count() == 3
    assert {n.author for n in drafts} == {demo_manager}
    assert Note.objects.filter(status=NoteStatus.SIGNED).count() > drafts.count()
    assert NoteAddendum.objects.count() == 1
    assert Note.objects.filter(contact_type="emergency").count() == 1
    assert Alert.objects.filter(kind=AlertKind.EMERGENCY_NOTE, recipient=p.supervisor).exists()
    assert len({n.contact_type for n in Note.objects.all()}) > 3

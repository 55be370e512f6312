from __future__ import annotations

import pytest
from django.db.models import Max
from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.notes.models import CLIENT_CONTACT_TYPES, Note, NoteAddendum, NoteStatus
from casework.site.generate import generate

pytestmark = pytest.mark.django_db


def test_synthetic_notes_follow_the_rules_the_services_keep() -> None:
    result = generate(clients=120, seed=4)  # the generator writes notes through ``synthetic``
    assert result.work["notes"] == Note.objects.count() > 120 * 5
    assert result.work["note_addenda"] == NoteAddendum.objects.count()
    assert not Note.objects.filter(
        case__status__in=(CaseStatus.SCREENING, CaseStatus.WAITLISTED)
    ).exists()
    assert not Note.objects.filter(contact_at__gt=timezone.now()).exists()
    assert not Note.objects.filter(status=NoteStatus.DRAFT, case__status=CaseStatus.CLOSED).exists()
    latest = dict(
        Note.objects.filter(status=NoteStatus.SIGNED, contact_type__in=CLIENT_CONTACT_TYPES)
        .values("case_id")
        .annotate(last=Max("contact_at"))
        .values_list("case_id", "last")
    )
    for case in Case.objects.all():
        expected = timezone.localdate(latest[case.pk]) if case.pk in latest else None
        assert case.last_contact_on == expected, case.pk
    for note in Note.objects.all()[:50]:
        assert note.organization_id == note.case.organization_id
        assert note.client_id == note.case.client_id

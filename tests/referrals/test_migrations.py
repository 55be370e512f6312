"""The step a completed service marked done leaves the note for a field of its own."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from casework.referrals.models import ReferralEvent
from tests.personas import Personas

from .conftest import Directory, sent

pytestmark = pytest.mark.django_db

migration = import_module("casework.referrals.migrations.0002_event_step_done")


def test_a_step_written_into_the_note_moves_to_its_own_field_and_back(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.pantry)

    def event(status: str, note: str) -> ReferralEvent:
        return ReferralEvent.objects.create(
            organization_id=referral.organization_id,
            referral=referral,
            status=status,
            happened_on=referral.sent_at.date() if referral.sent_at else None,
            via="link",
            note=note,
        )

    with_note = event("completed", "All done.\n\nAction step marked done: Register here")
    only_step = event("completed", "Action step marked done: Register here")
    untouched = event("accepted", "Action step marked done: not a completion")
    migration.split_step_from_note(apps, None)
    for row in (with_note, only_step, untouched):
        row.refresh_from_db()
    assert (with_note.note, with_note.step_done) == ("All done.", "Register here")
    assert (only_step.note, only_step.step_done) == ("", "Register here")
    assert untouched.step_done == ""
    migration.join_step_to_note(apps, None)
    with_note.refresh_from_db()
    assert with_note.note == "All done.\n\nAction step marked done: Register here"

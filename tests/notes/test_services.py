"""Writing, saving, signing and adding to notes through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.core.errors import ConflictError, PermissionDenied
from casework.core.models import AuditEvent
from casework.monitoring.models import Alert, AlertKind
from casework.notes import services
from casework.notes.models import Note, NoteAttachment, NoteStatus
from tests.factories import UserFactory
from tests.personas import Personas

from .conftest import approved_goal, draft, fields, signed

pytestmark = pytest.mark.django_db


def test_a_draft_is_created_then_updated_with_each_save(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "Half a thought")
    assert note.status == NoteStatus.DRAFT
    assert note.version == 1
    again = services.note_update(
        actor=p.case_manager,
        note=note,
        fields=fields("Half a thought, now finished."),
        expected_version=note.version,
    )
    assert again.version == 2
    assert Note.objects.get(pk=note.pk).sections == {"body": "Half a thought, now finished."}


def test_saving_unchanged_text_does_not_bump_the_version(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "Same")
    kept = services.note_update(
        actor=p.case_manager,
        note=note,
        fields=fields("Same", contact_at=note.contact_at),
        expected_version=1,
    )
    assert kept.version == 1


def test_a_save_from_an_out_of_date_copy_is_refused(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    services.note_update(
        actor=p.case_manager, note=note, fields=fields("From window one"), expected_version=1
    )
    with pytest.raises(ConflictError) as exc:
        services.note_update(
            actor=p.case_manager, note=note, fields=fields("From window two"), expected_version=1
        )
    assert exc.value.current_version == 2
    assert Note.objects.get(pk=note.pk).sections == {"body": "From window one"}


def test_a_signed_note_can_no_longer_change(personas: Personas) -> None:
    p = personas
    note = signed(p.case_manager, p.case, "As it happened.")
    with pytest.raises(ValidationError) as exc:
        services.note_update(
            actor=p.case_manager, note=note, fields=fields("Rewritten"), expected_version=None
        )
    assert "signed" in str(exc.value)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.note_sign(actor=p.case_manager, note=note, expected_version=None)
    fresh = Note.objects.get(pk=note.pk)
    assert fresh.sections == {"body": "As it happened."}
    assert fresh.status == NoteStatus.SIGNED


def test_an_empty_note_cannot_be_signed(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "")
    with pytest.raises(ValidationError) as exc:
        services.note_sign(actor=p.case_manager, note=note, expected_version=note.version)
    assert "sections" in exc.value.message_dict


def test_only_the_author_changes_or_signs_a_draft(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    with pytest.raises(PermissionDenied):
        services.note_update(actor=p.supervisor, note=note, fields=fields(), expected_version=1)
    with pytest.raises(PermissionDenied):
        services.note_sign(actor=p.supervisor, note=note, expected_version=1)


def test_who_may_change_the_case_may_write_notes_and_no_one_else(personas: Personas) -> None:
    p = personas
    assert draft(p.supervisor, p.case).author == p.supervisor
    for outsider in (p.colleague, p.auditor, p.admin, p.outsider):
        with pytest.raises(PermissionDenied):
            draft(outsider, p.case)


def test_signing_a_client_contact_moves_the_last_contact_forward_only(
    personas: Personas,
) -> None:
    p = personas
    now = timezone.now()
    signed(p.case_manager, p.case, contact_at=now - timedelta(days=3))
    p.case.refresh_from_db()
    assert p.case.last_contact_on == timezone.localdate(now - timedelta(days=3))
    signed(p.case_manager, p.case, contact_at=now - timedelta(days=10))
    p.case.refresh_from_db()
    assert p.case.last_contact_on == timezone.localdate(now - timedelta(days=3))


def test_team_meetings_and_collateral_contacts_are_not_client_contact(
    personas: Personas,
) -> None:
    p = personas
    signed(p.case_manager, p.case, contact_type="team_meeting")
    signed(p.case_manager, p.case, contact_type="collateral")
    p.case.refresh_from_db()
    assert p.case.last_contact_on is None


def test_a_draft_does_not_count_as_contact(personas: Personas) -> None:
    p = personas
    draft(p.case_manager, p.case)
    p.case.refresh_from_db()
    assert p.case.last_contact_on is None


def test_dates_in_the_future_or_before_the_case_are_refused(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        draft(p.case_manager, p.case, contact_at=timezone.now() + timedelta(days=1))
    assert "contact_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        draft(p.case_manager, p.case, contact_at=timezone.now() - timedelta(days=400))
    assert "contact_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        draft(p.case_manager, p.case, sections={"nonsense": "x"})
    assert "sections" in exc.value.message_dict


def test_an_emergency_note_alerts_the_supervisors_once_even_as_a_draft(
    personas: Personas,
) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "Client called in crisis.", contact_type="emergency")
    alerts = Alert.objects.filter(kind=AlertKind.EMERGENCY_NOTE)
    assert [a.recipient for a in alerts] == [p.supervisor]
    assert p.case.reference in alerts[0].message
    assert "crisis" not in alerts[0].message
    services.note_update(
        actor=p.case_manager,
        note=note,
        fields=fields("Client called in crisis; safe now.", contact_type="emergency"),
        expected_version=note.version,
    )
    services.note_sign(actor=p.case_manager, note=note, expected_version=note.version + 1)
    assert Alert.objects.filter(kind=AlertKind.EMERGENCY_NOTE).count() == 1


def test_an_ordinary_note_raises_no_alert(personas: Personas) -> None:
    draft(personas.case_manager, personas.case)
    assert not Alert.objects.exists()


def test_an_addendum_keeps_the_original_and_is_signed_by_its_author(
    personas: Personas,
) -> None:
    p = personas
    note = signed(p.case_manager, p.case, "Met at the library.")
    addendum = services.note_addendum_add(
        actor=p.supervisor, note=note, text="It was the community centre."
    )
    assert addendum.author == p.supervisor
    assert addendum.created_at is not None
    assert Note.objects.get(pk=note.pk).sections == {"body": "Met at the library."}


def test_only_a_signed_note_takes_an_addendum_and_it_needs_text(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError):
        services.note_addendum_add(
            actor=p.case_manager, note=draft(p.case_manager, p.case), text="x"
        )
    with pytest.raises(ValidationError) as exc:
        services.note_addendum_add(
            actor=p.case_manager, note=signed(p.case_manager, p.case), text=" "
        )
    assert "text" in exc.value.message_dict


def test_goals_of_the_approved_plan_can_be_linked(personas: Personas) -> None:
    p = personas
    goal = approved_goal(p.case, p.case_manager)
    note = draft(p.case_manager, p.case, goals=[goal])
    assert list(note.goals.all()) == [goal]
    other = approved_goal(p.colleague_case, p.colleague)
    with pytest.raises(ValidationError) as exc:
        draft(p.case_manager, p.case, goals=[other])
    assert "goals" in exc.value.message_dict


def test_the_audit_log_names_ids_never_the_text(personas: Personas) -> None:
    p = personas
    note = signed(p.case_manager, p.case, "Very private words")
    services.note_addendum_add(actor=p.case_manager, note=note, text="More private words")
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", "changes"))
    assert [a for a, _ in actions if a.startswith("note")] == [
        "note.create",
        "note.sign",
        "note.addendum",
    ]
    assert "private" not in str(actions)


# --- attachments ------------------------------------------------------------------------


def test_an_attachment_is_stored_under_a_random_name(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    upload = SimpleUploadedFile("Jane Doe psych eval.pdf", b"%PDF-1.7 report", "application/pdf")
    attachment = services.note_attachment_add(
        actor=p.case_manager, note=note, kind="report", upload=upload
    )
    assert attachment.content_type == "application/pdf"
    assert "Jane" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="note.attachment.upload").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", "Upload a PDF"),
        ("fake.pdf", b"GIF89a", "contents are not a .pdf"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"abc\x00def", "contents are not a .txt"),
        ("zip.docx", b"PK\x03\x04not really", "contents are not a .docx"),
    ],
)
def test_attachments_of_the_wrong_type_are_refused_naming_the_field(
    personas: Personas, name: str, content: bytes, message: str
) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    with pytest.raises(ValidationError) as exc:
        services.note_attachment_add(
            actor=p.case_manager,
            note=note,
            kind="report",
            upload=SimpleUploadedFile(name, content),
        )
    assert message in exc.value.message_dict["file"][0]
    assert not NoteAttachment.objects.exists()


def test_attachments_over_the_size_limit_are_refused(personas: Personas, settings: object) -> None:
    p = personas
    settings.CASEWORK_MAX_UPLOAD_MB = 1  # type: ignore[attr-defined]
    note = draft(p.case_manager, p.case)
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError) as exc:
        services.note_attachment_add(actor=p.case_manager, note=note, kind="report", upload=big)
    assert exc.value.message_dict["file"] == ["The file is larger than 1 MB."]


def test_a_colleague_cannot_attach_to_someone_elses_draft(personas: Personas) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    other = UserFactory(organization=p.agency, email="other@riverside.test")
    with pytest.raises(PermissionDenied):
        services.note_attachment_add(
            actor=other,
            note=note,
            kind="report",
            upload=SimpleUploadedFile("a.txt", b"hello"),
        )


def test_note_formats_per_program(personas: Personas) -> None:
    p = personas
    manager = UserFactory(
        organization=p.agency, email="pm@riverside.test", roles=["program_manager"]
    )
    row = services.note_settings_update(
        actor=manager, program=p.program, formats=["soap", "free_text"], default_format="soap"
    )
    assert row.formats == ["free_text", "soap"]
    note = services.note_create(
        actor=p.case_manager,
        case=p.case,
        fields=fields(sections={"subjective": "Feels better."}),
    )
    assert note.note_format == "soap"
    with pytest.raises(ValidationError) as exc:
        services.note_create(actor=p.case_manager, case=p.case, note_format="birp", fields=fields())
    assert "note_format" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.note_settings_update(
            actor=manager, program=p.program, formats=["dap"], default_format="soap"
        )
    assert "default_format" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.note_settings_update(
            actor=p.case_manager, program=p.program, formats=["dap"], default_format="dap"
        )

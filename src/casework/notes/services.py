"""Every change to case notes goes through these functions.

A note is a draft while its author writes it (saved as they type) and is locked
once signed: nothing here changes a signed note; an addendum corrects it and
keeps the original. Audit events carry ids, field names and statuses only,
never what a note says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.clients.models import Case
from casework.core import audit, uploads
from casework.core.models import Program, User
from casework.core.services import check_version
from casework.monitoring.alerts import alert_raise, case_supervisors
from casework.monitoring.models import AlertKind

from .formats import FORMATS, get_format
from .models import (
    CLIENT_CONTACT_TYPES,
    AttachmentKind,
    ContactType,
    Note,
    NoteAddendum,
    NoteAttachment,
    NoteGoal,
    NoteSettings,
    NoteStatus,
)
from .queries import note_addendum_allows, note_attach_allows, note_edit_allows

if TYPE_CHECKING:
    from casework.plans.models import Goal

MAX_SECTION_CHARS = 20_000
MAX_DURATION_MINUTES = 24 * 60
# A clock a few minutes fast on the writer's device is not a note about the future.
FUTURE_LEEWAY = timedelta(minutes=10)
ATTACHMENT_KINDS_DESCRIBED = "PDF, Word (.docx), PNG, JPEG or plain text"


@dataclass
class NoteFields:
    """What the writer of a note fills in (everything but the format and the case)."""

    contact_type: str = ContactType.FACE_TO_FACE
    contact_at: datetime | None = None
    duration_minutes: int | None = None
    participants: str = ""
    location: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    barriers: str = ""
    next_steps: str = ""
    goals: Sequence[Goal] | None = None  # None: leave the links as they are


# --- settings per program ---------------------------------------------------------------------


def formats_for(program: Program) -> tuple[list[str], str]:
    """(format codes in use, default format) for the program: free text until chosen."""
    settings_row = getattr(program, "_note_settings_cache", None)
    if settings_row is None:
        settings_row = NoteSettings.objects.filter(program=program).first()
        program._note_settings_cache = settings_row  # type: ignore[attr-defined]
    if settings_row is None or not settings_row.formats:
        return ["free_text"], "free_text"
    return list(settings_row.formats), settings_row.default_format


def note_settings_update(
    *,
    actor: User,
    program: Program,
    formats: list[str],
    default_format: str,
    expected_version: int | None = None,
) -> NoteSettings:
    """Choose the formats a program's notes are written in and the one they start in."""
    access.require(
        access.can_configure_note_formats(actor)
        and program.organization_id == actor.organization_id,
        _("Only program managers and agency admins choose note formats."),
    )
    chosen = [code for code in FORMATS if code in formats]
    errors: dict[str, str] = {}
    if not chosen or len(chosen) != len(set(formats)):
        errors["formats"] = _("Choose at least one format from the list.")
    elif default_format not in chosen:
        errors["default_format"] = _("The default format must be one of the formats in use.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row, created = NoteSettings.objects.select_for_update().get_or_create(
            program=program,
            defaults={"organization_id": program.organization_id, "formats": chosen},
        )
        if not created:
            check_version(row, expected_version, _("note settings"))
        before = {"formats": row.formats, "default_format": row.default_format}
        row.formats = chosen
        row.default_format = default_format
        row.version = row.version if created else row.version + 1
        row.updated_at = timezone.now()
        row.save()
        audit.record(
            action="note_settings.update",
            actor=actor,
            target=row,
            changes={
                "program_id": program.pk,
                "formats": [before["formats"], chosen],
                "default_format": [before["default_format"], default_format],
            },
        )
    program._note_settings_cache = row  # type: ignore[attr-defined]
    return row


# --- drafts -----------------------------------------------------------------------------------


def _check_fields(case: Case, note_format: str, fields: NoteFields) -> dict[str, Any]:
    """Problems with what was written, keyed by field: checked on every save, draft or not."""
    errors: dict[str, Any] = {}
    if fields.contact_type not in ContactType.values:
        errors["contact_type"] = _("Choose the type of contact.")
    if fields.contact_at is None:
        errors["contact_at"] = _("Enter the date and time of the contact.")
    elif fields.contact_at > timezone.now() + FUTURE_LEEWAY:
        errors["contact_at"] = _("The contact cannot be in the future.")
    elif timezone.localdate(fields.contact_at) < case.opened_on:
        errors["contact_at"] = _("The contact is before the case was opened (%(day)s).") % {
            "day": case.opened_on.isoformat()
        }
    if fields.duration_minutes is not None and not (
        0 <= fields.duration_minutes <= MAX_DURATION_MINUTES
    ):
        errors["duration_minutes"] = _("Enter a duration from 0 to 1440 minutes.")
    if len(fields.participants) > 300:
        errors["participants"] = _("Keep the participants under 300 characters.")
    if len(fields.location) > 200:
        errors["location"] = _("Keep the location under 200 characters.")
    known = {s.id for s in get_format(note_format).sections}
    for key, text in fields.sections.items():
        if key not in known:
            errors["sections"] = _("%(key)s is not a section of this note's format.") % {"key": key}
        elif not isinstance(text, str) or len(text) > MAX_SECTION_CHARS:
            errors["sections"] = _("Each section holds at most 20,000 characters of text.")
    if fields.goals is not None and any(g.case_id != case.pk for g in fields.goals):
        errors["goals"] = _("Link goals of this case's plan only.")
    return errors


def _apply(note: Note, fields: NoteFields) -> list[str]:
    """Set the fields on ``note``; return the names of those that changed."""
    values: dict[str, Any] = {
        "contact_type": fields.contact_type,
        "contact_at": fields.contact_at,
        "duration_minutes": fields.duration_minutes,
        "participants": fields.participants.strip(),
        "location": fields.location.strip(),
        "sections": {k: v.rstrip() for k, v in fields.sections.items() if v.strip()},
        "barriers": fields.barriers.strip(),
        "next_steps": fields.next_steps.strip(),
    }
    changed = []
    for name, value in values.items():
        if getattr(note, name) != value:
            setattr(note, name, value)
            changed.append(name)
    return changed


def _set_goals(note: Note, goals: Sequence[Goal] | None) -> bool:
    if goals is None:
        return False
    wanted = {g.pk for g in goals}
    current = set(NoteGoal.objects.filter(note=note).values_list("goal_id", flat=True))
    if wanted == current:
        return False
    NoteGoal.objects.filter(note=note).exclude(goal_id__in=wanted).delete()
    NoteGoal.objects.bulk_create(
        NoteGoal(organization_id=note.organization_id, note=note, goal_id=pk)
        for pk in sorted(wanted - current)
    )
    return True


def _alert_emergency(actor: User, note: Note) -> None:
    """Tell the team's supervisors, once per note, that an emergency contact was recorded.

    Raised on the first save of that type, draft or signed: an emergency cannot wait
    for the note to be finished. The alert leads to the case (a draft is its
    author's until signed) and names the case number and the writer only.
    """
    if note.contact_type != ContactType.EMERGENCY or note.emergency_alerted_at is not None:
        return
    case = note.case
    alert_raise(
        recipients=case_supervisors(case),
        kind=AlertKind.EMERGENCY_NOTE,
        key=f"emergency_note:note:{note.pk}",
        message=_("Emergency contact on case %(ref)s, recorded by %(name)s.")
        % {"ref": case.reference, "name": actor.get_full_name() or actor.email},
        case=case,
        link=reverse("case-detail", args=[case.pk]),
    )
    note.emergency_alerted_at = timezone.now()
    Note.objects.filter(pk=note.pk).update(emergency_alerted_at=note.emergency_alerted_at)


def note_create(*, actor: User, case: Case, note_format: str = "", fields: NoteFields) -> Note:
    """Start a draft note on the case (the first autosave, or a form saved at once)."""
    access.require(
        access.note_write_allowed(actor, case), _("You may not write notes on this case.")
    )
    in_use, default = formats_for(case.program)
    note_format = note_format or default
    errors = _check_fields(case, note_format, fields)
    if note_format not in in_use:
        errors["note_format"] = _("Choose one of the formats this program uses.")
    if not case.is_open:
        errors[NON_FIELD_ERRORS] = _("A closed case takes no new notes; add to a signed one.")
    if errors:
        raise ValidationError(errors)
    note = Note(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        author=actor,
        note_format=note_format,
    )
    _apply(note, fields)
    with transaction.atomic():
        note.save()
        _set_goals(note, fields.goals)
        _alert_emergency(actor, note)
        audit.record(
            action="note.create",
            actor=actor,
            target=note,
            client_id=case.client_id,
            changes={
                "case_id": case.pk,
                "contact_type": note.contact_type,
                "note_format": note_format,
            },
        )
    return note


def _lock_draft(actor: User, note: Note, expected_version: int | None) -> Note:
    locked = Note.objects.select_for_update().get(pk=note.pk)
    locked.case = note.case
    check_version(locked, expected_version, _("note"))
    if not locked.is_draft:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This note is signed and can no longer change; add an addendum.")}
        )
    access.require(note_edit_allows(actor, locked), _("Only the author changes a draft note."))
    return locked


def note_update(
    *, actor: User, note: Note, fields: NoteFields, expected_version: int | None
) -> Note:
    """Save a draft again (autosave while typing): refused if another save came first."""
    access.require(
        note_edit_allows(actor, note) or note.is_signed,
        _("Only the author changes a draft note."),
    )
    errors = _check_fields(note.case, note.note_format, fields)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_draft(actor, note, expected_version)
        changed = _apply(locked, fields)
        if changed:
            locked.updated_at = timezone.now()
            locked.version = F("version") + 1
            locked.save(update_fields=[*changed, "updated_at", "version"])
            locked.refresh_from_db(fields=["version"])
        if _set_goals(locked, fields.goals):
            changed.append("goals")
        _alert_emergency(actor, locked)
    return locked


# --- signing ---------------------------------------------------------------------------------


def _record_contact(note: Note) -> None:
    """Keep the case's last contact current: the later of what it says and this contact.

    Only contact with the client counts (``CLIENT_CONTACT_TYPES``): face-to-face, phone,
    video, email, text, home visits and emergencies. Collateral contacts, team meetings
    and court are about the client without being contact with them.
    """
    if note.contact_type not in CLIENT_CONTACT_TYPES:
        return
    day = timezone.localdate(note.contact_at)
    Case.objects.filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day), pk=note.case_id
    ).update(last_contact_on=day)
    if note.case.last_contact_on is None or note.case.last_contact_on < day:
        note.case.last_contact_on = day


def note_sign(*, actor: User, note: Note, expected_version: int | None) -> Note:
    """Sign a draft: it is locked from then on. The author signs their own note."""
    access.require(note_edit_allows(actor, note), _("Only the author signs a note."))
    with transaction.atomic():
        locked = _lock_draft(actor, note, expected_version)
        if not any(text.strip() for text in locked.sections.values()):
            raise ValidationError({"sections": _("Write the note before signing it.")})
        locked.status = NoteStatus.SIGNED
        locked.signed_at = timezone.now()
        locked.updated_at = locked.signed_at
        locked.version = F("version") + 1
        locked.save(update_fields=["status", "signed_at", "updated_at", "version"])
        locked.refresh_from_db(fields=["version"])
        _record_contact(locked)
        audit.record(
            action="note.sign",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"case_id": locked.case_id, "contact_type": locked.contact_type},
        )
    return locked


# --- addenda and attachments -----------------------------------------------------------------


def note_addendum_add(*, actor: User, note: Note, text: str) -> NoteAddendum:
    """Correct or add to a signed note. Signed by its author as it is written."""
    if not note.is_signed:
        raise ValidationError({NON_FIELD_ERRORS: _("Only a signed note takes an addendum.")})
    access.require(note_addendum_allows(actor, note), _("You may not add to notes on this case."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the addendum.")})
    if len(text) > MAX_SECTION_CHARS:
        raise ValidationError({"text": _("Keep the addendum under 20,000 characters.")})
    addendum = NoteAddendum(
        organization_id=note.organization_id,
        note=note,
        case_id=note.case_id,
        author=actor,
        text=text,
    )
    with transaction.atomic():
        addendum.save()
        audit.record(
            action="note.addendum",
            actor=actor,
            target=addendum,
            client_id=note.client_id,
            changes={"note_id": note.pk, "case_id": note.case_id},
        )
    return addendum


def note_attachment_add(
    *, actor: User, note: Note, kind: str, upload: UploadedFile
) -> NoteAttachment:
    """Attach a file to a note: to one's own draft, or to a signed note as an addition.

    The type is checked by extension and content; the file is stored under a random
    name; attachments are never replaced or removed (the record stays whole).
    """
    access.require(note_attach_allows(actor, note), _("You may not attach files to this note."))
    errors: dict[str, str] = {}
    if kind not in AttachmentKind.values:
        errors["kind"] = _("Choose the type of attachment.")
    content_type = ""
    try:
        content_type = uploads.check_upload(
            upload,
            field="file",
            types=uploads.DOCUMENT_TYPES,
            max_bytes=uploads.max_upload_bytes(),
            described_as=ATTACHMENT_KINDS_DESCRIBED,
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    attachment = NoteAttachment(
        organization_id=note.organization_id,
        note=note,
        case_id=note.case_id,
        kind=kind,
        original_name=uploads.safe_name(upload.name or "", "attachment"),
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor,
    )
    with transaction.atomic():
        attachment.file.save(upload.name or "attachment", upload, save=False)
        try:
            attachment.save()
            audit.record(
                action="note.attachment.upload",
                actor=actor,
                target=attachment,
                client_id=note.client_id,
                changes={"note_id": note.pk, "kind": kind, "size": attachment.size},
            )
        except BaseException:
            attachment.file.delete(save=False)
            raise
    return attachment


def note_attachment_opened(*, actor: User, attachment: NoteAttachment, via: str) -> None:
    """Write a download to the audit log (reads of client records are logged)."""
    access.require(access.note_text_allowed(actor))
    audit.record(
        action="note.attachment.download",
        actor=actor,
        target=attachment,
        client_id=attachment.note.client_id,
        changes={"note_id": attachment.note_id, "via": via},
    )


def note_viewed(*, actor: User, note: Note, via: str) -> None:
    """Log that someone read a note (access is checked by the caller's query): the privacy
    officer's "who has seen this record" report lists it with the client's other reads."""
    audit.record(
        action="note.view",
        actor=actor,
        target=note,
        client_id=note.client_id,
        changes={"via": via},
    )

"""REST API for case notes: list, read, write and sign them, addenda and attachments.

Drafts are their author's own: nobody else lists or reads them. Auditors get the
notes' dates, types and authors, never their text (the text fields are null).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.clients.services import case_viewed
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, services
from .models import Note
from .schemas import (
    AddendumIn,
    AddendumOut,
    AttachmentOut,
    NoteCreateIn,
    NoteFilters,
    NoteOut,
    NoteSignIn,
    NoteUpdateIn,
    NoteWriteIn,
)
from .views import attachment_response, linkable_goals

router = Router(tags=["notes"])


def _fields(case: Case, payload: NoteWriteIn) -> services.NoteFields:
    goals = None
    if payload.goal_ids is not None:
        wanted = set(payload.goal_ids)
        goals = list(linkable_goals(case).filter(pk__in=wanted))
        if len(goals) != len(wanted):
            raise ValidationError({"goal_ids": _("Link goals of this case's approved plan only.")})
    return services.NoteFields(
        contact_type=payload.contact_type,
        contact_at=payload.contact_at,
        duration_minutes=payload.duration_minutes,
        participants=payload.participants,
        location=payload.location,
        sections=payload.sections,
        barriers=payload.barriers,
        next_steps=payload.next_steps,
        goals=goals,
    )


def _note(user: Any, note_id: int) -> Note:
    note = (
        queries.with_details(queries.notes(user))
        .select_related("case__program")
        .filter(pk=note_id)
        .first()
    )
    if note is None:
        raise NotFound("No such note.")
    return note


def _fresh(user: Any, note: Note) -> Note:
    return _note(user, note.pk)


@router.get("/cases/{case_id}/notes", response=with_errors({200: list[NoteOut]}, 404))
@paginate(PageNumberPagination)
def list_notes(request: HttpRequest, case_id: int, filters: Query[NoteFilters]) -> QuerySet[Note]:
    """Signed notes of the case and your own drafts, newest contact first."""
    user = request_user(request)
    case = access.get_case(user, case_id)
    case_viewed(actor=user, case=case, via="api", part="notes")
    notes = queries.filtered(
        queries.notes(user, case),
        contact_type=filters.contact_type or "",
        author_id=filters.author,
        since=filters.since,
        until=filters.until,
    )
    return queries.with_details(notes).order_by("-contact_at", "-pk")


@router.post("/cases/{case_id}/notes", response=with_errors({201: NoteOut}, 403, 404))
def create_note(request: HttpRequest, case_id: int, payload: NoteCreateIn) -> Status[Note]:
    """Start a draft. Save it again with PATCH (sending ``version``), then sign it."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    note = services.note_create(
        actor=user, case=case, note_format=payload.note_format, fields=_fields(case, payload)
    )
    return Status(201, _fresh(user, note))


@router.get("/notes/{note_id}", response=with_errors({200: NoteOut}, 404))
def get_note(request: HttpRequest, note_id: int) -> Note:
    user = request_user(request)
    note = _note(user, note_id)
    services.note_viewed(actor=user, note=note, via="api")
    return note


@router.patch("/notes/{note_id}", response=with_errors({200: NoteOut}, 403, 404, 409))
def update_note(request: HttpRequest, note_id: int, payload: NoteUpdateIn) -> Note:
    """Replace a draft's fields. A signed note never changes: add an addendum instead."""
    user = request_user(request)
    note = _note(user, note_id)
    services.note_update(
        actor=user,
        note=note,
        fields=_fields(note.case, payload),
        expected_version=payload.version,
    )
    return _fresh(user, note)


@router.post("/notes/{note_id}/sign", response=with_errors({200: NoteOut}, 403, 404, 409))
def sign_note(request: HttpRequest, note_id: int, payload: NoteSignIn) -> Note:
    user = request_user(request)
    note = _note(user, note_id)
    services.note_sign(actor=user, note=note, expected_version=payload.version)
    return _fresh(user, note)


@router.post("/notes/{note_id}/addenda", response=with_errors({201: AddendumOut}, 403, 404))
def add_addendum(request: HttpRequest, note_id: int, payload: AddendumIn) -> Status[Any]:
    """Correct or add to a signed note; the addendum is signed by you as it is written."""
    user = request_user(request)
    note = _note(user, note_id)
    return Status(201, services.note_addendum_add(actor=user, note=note, text=payload.text))


@router.post("/notes/{note_id}/attachments", response=with_errors({201: AttachmentOut}, 403, 404))
def upload_attachment(
    request: HttpRequest, note_id: int, kind: Form[str], file: File[UploadedFile]
) -> Status[Any]:
    """Multipart form: ``kind`` and ``file`` (PDF, .docx, PNG, JPEG or text; size limit
    from ``CASEWORK_MAX_UPLOAD_MB``)."""
    user = request_user(request)
    note = _note(user, note_id)
    attachment = services.note_attachment_add(actor=user, note=note, kind=kind, upload=file)
    return Status(201, attachment)


@router.get("/notes/attachments/{attachment_id}", response=with_errors({200: None}, 404))
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """The file, streamed. Every download is written to the audit log."""
    return attachment_response(request_user(request), attachment_id, via="api")

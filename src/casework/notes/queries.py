"""Reads of case notes, already filtered by the access policy (``access.notes``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import NotFound
from casework.core.models import User

from .models import Note, NoteAddendum, NoteAttachment, NoteStatus


def notes(user: User, case: Case | None = None) -> QuerySet[Note]:
    return _notes_base(user, case).select_related("author")


def filtered(
    qs: QuerySet[Note],
    *,
    contact_type: str = "",
    author_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Note]:
    """Narrow a list of notes by type, author and a range of contact dates (inclusive)."""
    if contact_type:
        qs = qs.filter(contact_type=contact_type)
    if author_id:
        qs = qs.filter(author_id=author_id)
    if since:
        qs = qs.filter(contact_at__gte=_start_of(since))
    if until:
        qs = qs.filter(contact_at__lt=_start_of(until + timedelta(days=1)))
    return qs


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def with_details(qs: QuerySet[Note]) -> QuerySet[Note]:
    """Addenda, attachments and linked goals, each in one query whatever their number."""
    return qs.prefetch_related(
        Prefetch("addenda", queryset=NoteAddendum.objects.select_related("author")),
        Prefetch("attachments", queryset=NoteAttachment.objects.select_related("uploaded_by")),
        "goals",
    )


def get_note(user: User, pk: int) -> Note:
    """The note, if the user may read it (its case visible; a draft only to its author)."""
    note = (
        notes(user)
        .select_related("case__client", "case__program", "case__team", "case__case_manager")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise NotFound("No such note.")
    return note


def drafts(user: User, case: Case | None = None) -> QuerySet[Note]:
    """The user's own unsigned notes, most recently saved first."""
    return (
        notes(user, case)
        .filter(author=user, status=NoteStatus.DRAFT)
        .select_related("case")
        .order_by("-updated_at", "-pk")
    )


def get_attachment(user: User, pk: int) -> NoteAttachment:
    attachment = (
        NoteAttachment.objects.filter(pk=pk, note__in=_notes_base(user))
        .select_related("note")
        .first()
    )
    if attachment is None or not access.note_text_allowed(user):
        raise NotFound("No such attachment.")
    return attachment


def case_authors(case: Case) -> QuerySet[User]:
    """Staff who signed notes on the case (for the author filter)."""
    return User.objects.filter(
        pk__in=Note.objects.filter(case=case, status=NoteStatus.SIGNED).values("author_id")
    ).order_by("last_name", "first_name", "pk")


def _notes_base(user: User, case: Case | None = None) -> QuerySet[Note]:
    """Signed notes of cases the user may view, and the user's own drafts."""
    if not access.is_staff_member(user):
        return Note.objects.none()
    mine_or_signed = Q(status=NoteStatus.SIGNED) | Q(author=user)
    if case is not None:
        if not access.case_allows(user, case, Action.VIEW):
            return Note.objects.none()
        return Note.objects.filter(mine_or_signed, case=case)
    return Note.objects.filter(
        mine_or_signed, organization_id=access.organization_id(user), case__in=access.cases(user)
    )


def note_edit_allows(user: User, note: Note) -> bool:
    """Change or sign a draft: its author only, while they may still document the case."""
    return (
        note.is_draft and note.author_id == user.pk and access.note_write_allowed(user, note.case)
    )


def note_addendum_allows(user: User, note: Note) -> bool:
    """Correct or add to a signed note (the original stays as it was)."""
    return note.is_signed and access.note_write_allowed(user, note.case)


def note_attach_allows(user: User, note: Note) -> bool:
    """Attach a file: to one's own draft, or to a signed note as an addition."""
    return note_edit_allows(user, note) or note_addendum_allows(user, note)

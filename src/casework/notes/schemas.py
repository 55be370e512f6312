"""Request and response shapes of the notes API.

What a note says (its sections, participants, location, barriers, next steps, the
addenda's text) comes back as null for auditors: they may see that a note exists,
never what it says.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework import access
from casework.core.schemas import Input, StaffRef

from .models import AttachmentKind, ContactType, NoteStatus


def _text_allowed(context: Any) -> bool:
    request = (context or {}).get("request")
    user = getattr(request, "auth", None)
    return user is not None and access.note_text_allowed(user)


class AddendumOut(Schema):
    id: int
    note_id: int
    author: StaffRef
    text: str | None
    created_at: datetime

    @staticmethod
    def resolve_text(obj: Any, context: Any) -> str | None:
        return str(obj.text) if _text_allowed(context) else None


class AttachmentOut(Schema):
    id: int
    note_id: int
    kind: AttachmentKind
    content_type: str
    size: int
    uploaded_by: StaffRef
    uploaded_at: datetime


class NoteOut(Schema):
    id: int
    case_id: int
    author: StaffRef
    contact_type: ContactType
    note_format: str
    contact_at: datetime
    duration_minutes: int | None
    status: NoteStatus
    signed_at: datetime | None
    version: int = Field(description="Edit version of a draft, for optimistic concurrency.")
    created_at: datetime
    updated_at: datetime
    text_visible: bool = Field(description="False for auditors: the text fields are null.")
    participants: str | None
    location: str | None
    sections: dict[str, str] | None = Field(description="The note's text by section id.")
    barriers: str | None
    next_steps: str | None
    goal_ids: list[int]
    addenda: list[AddendumOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_text_visible(obj: Any, context: Any) -> bool:
        return _text_allowed(context)

    @staticmethod
    def resolve_participants(obj: Any, context: Any) -> str | None:
        return str(obj.participants) if _text_allowed(context) else None

    @staticmethod
    def resolve_location(obj: Any, context: Any) -> str | None:
        return str(obj.location) if _text_allowed(context) else None

    @staticmethod
    def resolve_sections(obj: Any, context: Any) -> dict[str, str] | None:
        return dict(obj.sections) if _text_allowed(context) else None

    @staticmethod
    def resolve_barriers(obj: Any, context: Any) -> str | None:
        return str(obj.barriers) if _text_allowed(context) else None

    @staticmethod
    def resolve_next_steps(obj: Any, context: Any) -> str | None:
        return str(obj.next_steps) if _text_allowed(context) else None

    @staticmethod
    def resolve_goal_ids(obj: Any) -> list[int]:
        return [g.pk for g in obj.goals.all()]

    @staticmethod
    def resolve_addenda(obj: Any) -> list[Any]:
        return list(obj.addenda.all())

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class NoteWriteIn(Input):
    contact_type: ContactType
    contact_at: datetime
    duration_minutes: int | None = Field(None, ge=0, le=1440)
    participants: str = Field("", max_length=300)
    location: str = Field("", max_length=200)
    sections: dict[str, str] = Field(
        default_factory=dict, description="Text by section id of the note's format."
    )
    barriers: str = ""
    next_steps: str = ""
    goal_ids: list[int] | None = Field(
        None, description="Goals of the case's approved plan; null leaves the links as they are."
    )


class NoteCreateIn(NoteWriteIn):
    note_format: str = Field("", description="A format the program uses; empty for its default.")


class NoteUpdateIn(NoteWriteIn):
    version: int = Field(description="The draft version you loaded; a newer saved one gives 409.")


class NoteSignIn(Input):
    version: int = Field(description="The draft version you are signing.")


class AddendumIn(Input):
    text: str


class NoteFilters(Schema):
    contact_type: ContactType | None = None
    author: int | None = Field(None, description="Id of the staff member who wrote the note.")
    since: date | None = Field(None, description="Contacts on or after this day.")
    until: date | None = Field(None, description="Contacts on or before this day.")

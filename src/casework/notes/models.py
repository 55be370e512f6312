"""Case notes: contact notes written in a program's formats, drafted then signed,
corrected only by addenda, with attachments; and each program's note settings."""

from __future__ import annotations

import secrets
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case, Client
from casework.core.models import Organization, Program

from .formats import FORMAT_CHOICES, FREE_TEXT, get_format


class ContactType(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face-to-face")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    EMAIL = "email", _("Email")
    TEXT = "text", _("Text message")
    HOME_VISIT = "home_visit", _("Home visit")
    COLLATERAL = "collateral", _("Collateral contact")
    TEAM_MEETING = "team_meeting", _("Team meeting")
    COURT = "court", _("Court")
    EMERGENCY = "emergency", _("Emergency contact")


# Contact with the client themself: what keeps a case's "last contact" current.
# Collateral contacts (family, other professionals), team meetings and court dates
# are about the client but not with them, so they do not count.
CLIENT_CONTACT_TYPES = frozenset(
    {
        ContactType.FACE_TO_FACE,
        ContactType.PHONE,
        ContactType.VIDEO,
        ContactType.EMAIL,
        ContactType.TEXT,
        ContactType.HOME_VISIT,
        ContactType.EMERGENCY,
    }
)


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class Note(models.Model):
    """One contact or piece of documentation on a case. Signed notes never change."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notes_written"
    )
    contact_type = models.CharField(_("type of contact"), max_length=20, choices=ContactType)
    note_format = models.CharField(
        _("format"), max_length=20, choices=FORMAT_CHOICES, default=FREE_TEXT
    )
    contact_at = models.DateTimeField(_("date and time of the contact"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    sections = models.JSONField(_("note"), default=dict, blank=True)
    barriers = models.TextField(_("barriers met"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    goals: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "plans.Goal",
        through="NoteGoal",
        related_name="notes",
        blank=True,
        verbose_name=_("linked goals"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    emergency_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-contact_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "case", "contact_at"]),
            models.Index(fields=["author", "status", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} note {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == NoteStatus.DRAFT

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED

    @property
    def preview(self) -> str:
        """The first section with text, for lists."""
        for section in get_format(self.note_format).sections:
            text = self.sections.get(section.id, "")
            if text:
                return str(text)
        return ""

    def section_texts(self) -> list[tuple[str, str]]:
        """(section label, text) in the format's order, empty sections left out."""
        note_format = get_format(self.note_format)
        return [
            (str(s.label), self.sections.get(s.id, ""))
            for s in note_format.sections
            if self.sections.get(s.id)
        ]


class NoteGoal(models.Model):
    """A plan goal a note is about (the link carries the organization like all case data)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="goal_links")
    goal = models.ForeignKey("plans.Goal", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "goal"], name="note_goal_unique")]

    def __str__(self) -> str:
        return f"Note {self.note_id} → goal {self.goal_id}"


class NoteAddendum(models.Model):
    """A correction or addition to a signed note; signed by its author when written."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("addendum"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["note", "created_at", "id"]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to note {self.note_id}"


class AttachmentKind(models.TextChoices):
    REPORT = "report", _("Report from another professional")
    SIGNED_FORM = "signed_form", _("Signed form")
    CORRESPONDENCE = "correspondence", _("Letter or correspondence")
    OTHER = "other", _("Other")


def attachment_path(instance: NoteAttachment, filename: str) -> str:
    """A name nobody can guess, keeping nothing of the original but its extension."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"notes/{instance.organization_id}/{secrets.token_urlsafe(32)}{suffix}"


class NoteAttachment(models.Model):
    """A file on a note, downloaded only through an access-checked, audited view."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="attachments")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type of attachment"), max_length=20, choices=AttachmentKind)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["note", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.pk})"


class NoteSettings(models.Model):
    """Which formats a program's notes are written in, and which one a note starts in."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="note_settings")
    formats = models.JSONField(_("formats in use"), default=list)
    default_format = models.CharField(
        _("default format"), max_length=20, choices=FORMAT_CHOICES, default=FREE_TEXT
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "note settings"

    def __str__(self) -> str:
        return f"Note settings of {self.program}"

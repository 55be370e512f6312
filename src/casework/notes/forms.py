"""Forms for notes. They parse what was typed; the services decide what may be saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.core.models import User

from .formats import FORMAT_CHOICES, get_format
from .models import AttachmentKind, ContactType
from .services import NoteFields

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def section_field_name(section_id: str) -> str:
    return f"section_{section_id}"


class GoalChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.client_words)[:120]


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.get_full_name() or user.email


class NoteForm(forms.Form):
    """A note in its program's format: one text box per section of the format."""

    note = forms.IntegerField(widget=forms.HiddenInput, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note_format = forms.ChoiceField(widget=forms.HiddenInput, choices=FORMAT_CHOICES)
    contact_type = forms.ChoiceField(label=_("Type of contact"), choices=ContactType.choices)
    contact_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        required=False,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=300,
        help_text=_("Who took part, e.g. client, mother, probation officer."),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    barriers = forms.CharField(
        label=_("Barriers met"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = GoalChoiceField(
        label=_("Plan goals this note is about"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, note_format: str, goals: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.format = get_format(note_format)
        fields: dict[str, Any] = dict(self.fields)
        fields["goals"].queryset = goals
        # Without a plan to link to, saving leaves any earlier links alone.
        self.links_goals = goals.exists()
        if not self.links_goals:
            del self.fields["goals"]
        for section in self.format.sections:
            self.fields[section_field_name(section.id)] = forms.CharField(
                label=section.label,
                help_text=section.help,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8 if len(self.format.sections) == 1 else 4}),
            )

    def section_fields(self) -> list[forms.BoundField]:
        return [self[section_field_name(s.id)] for s in self.format.sections]

    def note_fields(self) -> NoteFields:
        data = self.cleaned_data
        return NoteFields(
            contact_type=data["contact_type"],
            contact_at=data["contact_at"],
            duration_minutes=data["duration_minutes"],
            participants=data["participants"],
            location=data["location"],
            sections={
                s.id: data.get(section_field_name(s.id), "") or "" for s in self.format.sections
            },
            barriers=data["barriers"],
            next_steps=data["next_steps"],
            goals=list(data["goals"]) if self.links_goals else None,
        )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Addendum"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The note stays as it was signed; this is added below it, signed by you."),
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of attachment"), choices=[("", _("Choose a type")), *AttachmentKind.choices]
    )
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word (.docx), PNG, JPEG or plain text.")
    )


class SignForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteFilterForm(forms.Form):
    contact_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *ContactType.choices]
    )
    author = StaffChoiceField(
        label=_("Written by"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, authors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["author"].queryset = authors


class NoteSettingsForm(forms.Form):
    formats = forms.MultipleChoiceField(
        label=_("Formats in use"), choices=FORMAT_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    default_format = forms.ChoiceField(label=_("Notes start in"), choices=FORMAT_CHOICES)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

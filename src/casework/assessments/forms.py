"""Forms of the assessment pages. They parse what was typed; the services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.forms import version_field
from casework.core.models import User

from . import queries
from .models import ExternalKind, InstrumentPurpose, InstrumentVersion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        version: InstrumentVersion = obj
        return f"{version.instrument.name} (version {version.number})"


class StartForm(forms.Form):
    instrument_version = VersionChoiceField(
        label=_("Instrument"), queryset=InstrumentVersion.objects.none(), empty_label=None
    )
    assessed_on = forms.DateField(
        label=_("Date of the assessment"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("The day you met with the client. Today, or earlier."),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: VersionChoiceField = self.fields["instrument_version"]  # type: ignore[assignment]
        field.queryset = queries.startable_versions(viewer)


class SignForm(forms.Form):
    expected_version = version_field()
    acknowledged = forms.BooleanField(
        label=_("I confirm that this assessment is accurate and complete."),
        required=False,
    )


class ExternalAssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of professional"), choices=ExternalKind.choices)
    professional_name = forms.CharField(label=_("Professional's name"), max_length=200)
    professional_organization = forms.CharField(
        label=_("Their organization"), max_length=200, required=False
    )
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DateInput())
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 6}))
    client_summary = forms.CharField(
        label=_("Summary for the client"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The findings in plain words, as you would explain them to the client."),
    )
    report = forms.FileField(
        label=_("Report"),
        required=False,
        help_text=_("PDF, Word (.docx), PNG or JPEG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.png,.jpg,.jpeg"}),
    )


class InstrumentCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Short, lower-case, e.g. housing-screen.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=InstrumentPurpose.choices)


class DraftForm(forms.Form):
    """The JSON editor: every problem of the definition is named by its path."""

    expected_version = version_field()
    definition = forms.CharField(
        label=_("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code-editor"}),
    )

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(problem)s (line %(line)s, column %(col)s).")
                % {"problem": exc.msg, "line": exc.lineno, "col": exc.colno}
            ) from exc

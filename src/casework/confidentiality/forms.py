from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.clients.models import RestrictionReason

from .services import MAX_REASON_CHARS


class RestrictionForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is this record restricted?"),
        choices=[("", _("Choose a reason")), *RestrictionReason.choices],
        help_text=_(
            "Only the teams of this client's open cases will see the record. Intake, "
            "other teams and program managers will not find it."
        ),
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need this record now?"),
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your reason, your name and everything you open are recorded, and the privacy "
            "officer is told at once."
        ),
    )


class AccessReportFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day comes before the first."))
        return data


class ReportLookupForm(forms.Form):
    client = forms.IntegerField(
        label=_("Client record number"),
        min_value=1,
        help_text=_("The number shown as “Client #…” on the record and in the audit log."),
    )

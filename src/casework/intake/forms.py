"""Forms of intake: they parse what was typed; the services decide what may be saved."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.clients.models import Client
from casework.core.forms import StaffChoiceField, version_field
from casework.core.models import Program, Team, User

from . import screening
from .models import (
    ApplicationSource,
    DeclineReason,
    DocumentKind,
    LifeDomain,
    Priority,
)

YES_NO = [("", _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))]

TABS = {
    "screening": _("Screening"),
    "waitlist": _("Waitlist"),
    "decided": _("Recently decided"),
}


class QueueFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(TABS.items()), required=False, widget=forms.HiddenInput)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(), required=False, empty_label=_("All programs")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any priority")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field: Any = self.fields["program"]
        program_field.queryset = access.programs(viewer).filter(is_active=True)
        program_field.label = _("Program")

    @property
    def current_tab(self) -> str:
        tab = self.cleaned_data.get("tab") if self.is_bound and self.is_valid() else ""
        return tab or "screening"


class ClientChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        born = obj.date_of_birth.isoformat() if obj.date_of_birth else "—"
        return f"{obj.display_name} (#{obj.pk}, {born})"


class ApplicationForm(forms.Form):
    client = ClientChoiceField(queryset=Client.objects.none(), label=_("Client"))
    program = forms.ModelChoiceField(queryset=Program.objects.none(), label=_("Program"))
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label=_("Team to screen with"),
        required=False,
        empty_label=_("The program's first team"),
        help_text=_("The team whose staff may see the case while it is screened."),
    )
    source = forms.ChoiceField(label=_("How it came in"), choices=ApplicationSource.choices)
    received_on = forms.DateField(
        label=_("Received"), widget=forms.DateInput(attrs={"type": "date"})
    )
    referring_agency = forms.CharField(label=_("Referring agency"), required=False, max_length=200)
    referring_person = forms.CharField(label=_("Referring person"), required=False, max_length=200)
    referring_contact = forms.CharField(
        label=_("Referrer's phone or email"), required=False, max_length=200
    )
    presenting_needs = forms.MultipleChoiceField(
        label=_("Presenting needs"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    applicant_words = forms.CharField(
        label=_("In the applicant's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What they want help with, as they said it."),
    )

    def __init__(
        self, *args: Any, clients: QuerySet[Client], programs: QuerySet[Program], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["client"].queryset = clients
        fields["program"].queryset = programs
        fields["team"].queryset = Team.objects.filter(
            program__in=programs, is_active=True
        ).select_related("program")


class ScreeningForm(forms.Form):
    """One field per criterion the program's rules ask about."""

    expected_version = version_field()
    presenting_needs = forms.MultipleChoiceField(
        label=_("Presenting needs"),
        choices=LifeDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    applicant_words = forms.CharField(
        label=_("In the applicant's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, rules: list[dict[str, Any]], has_birth_date: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: dict[str, str] = {}
        for criterion, kind, label in screening.questions(rules):
            if criterion == "age" and has_birth_date:
                continue
            name = f"answer_{criterion}"
            self.kinds[name] = kind
            field: forms.Field
            if kind == "number":
                field = forms.DecimalField(label=label, required=False, min_value=0)
            elif kind == "yes_no":
                field = forms.ChoiceField(label=label, choices=YES_NO, required=False)
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=200,
                    help_text=_("Separate several answers with commas."),
                )
            self.fields[name] = field

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.kinds]

    @staticmethod
    def initial_for(answers: Mapping[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for criterion, value in answers.items():
            if isinstance(value, bool):
                initial[f"answer_{criterion}"] = "yes" if value else "no"
            elif isinstance(value, list):
                initial[f"answer_{criterion}"] = ", ".join(value)
            else:
                initial[f"answer_{criterion}"] = value
        return initial

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, kind in self.kinds.items():
            value = self.cleaned_data.get(name)
            criterion = name.removeprefix("answer_")
            if value in (None, ""):
                continue
            if kind == "yes_no":
                result[criterion] = value == "yes"
            elif kind == "number":
                number = Decimal(str(value))
                result[criterion] = int(number) if number == number.to_integral() else float(number)
            else:
                words = [w.strip() for w in str(value).split(",") if w.strip()]
                result[criterion] = words[0] if len(words) == 1 else words
        return result


class WaitlistForm(forms.Form):
    expected_version = version_field()
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.STANDARD
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcceptForm(forms.Form):
    expected_version = version_field()
    case_manager = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("Case manager"),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when screening does not show the applicant as eligible: say why."),
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["case_manager"]
        field.queryset = User.objects.filter(pk__in=[u.pk for u in candidates])
        # Keep the suggestions' ranking, not the model's default order.
        field.choices = [(u.pk, u.get_full_name() or u.email) for u in candidates]


class DeclineForm(forms.Form):
    expected_version = version_field()
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason")), *DeclineReason.choices]
    )
    referral_elsewhere = forms.CharField(
        label=_("Suggested referral elsewhere"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where else the applicant can get help."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of document"), choices=[("", _("Choose a type")), *DocumentKind.choices]
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

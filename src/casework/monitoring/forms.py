"""Forms of tasks, appointments and case flags. Services do the checking that matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Case
from casework.core.forms import StaffChoiceField, version_field
from casework.core.models import User

from .models import AppointmentKind, AppointmentStatus

TASK_VIEWS = (
    ("open", _("Open")),
    ("due", _("Due this week")),
    ("overdue", _("Overdue")),
    ("done", _("Done")),
    ("cancelled", _("Cancelled")),
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class GoalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.summary or obj.client_words)[:80]


def _staff(organization_id: int) -> Any:
    return User.objects.filter(organization_id=organization_id, is_active=True).order_by(
        "last_name", "first_name", "email"
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What has to be done"), max_length=200)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in Casework only; calendars show the case number alone."),
    )
    assignee = StaffChoiceField(label=_("Assigned to"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    remind_on = forms.DateField(label=_("Remind me on"), required=False, widget=DateInput())
    goal = GoalChoiceField(
        label=_("Goal"), required=False, queryset=User.objects.none(), empty_label=_("No goal")
    )
    expected_version = version_field()

    def __init__(self, *args: Any, viewer: User, case: Case | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee: Any = self.fields["assignee"]
        assignee.queryset = _staff(viewer.organization_id or -1)
        goal: Any = self.fields["goal"]
        if case is None:
            del self.fields["goal"]
        else:
            from casework.plans.models import Goal

            goal.queryset = Goal.objects.filter(case=case).order_by("plan_id", "position", "pk")
        self.fields["expected_version"].required = False


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Shown in Casework only; calendars show the kind and case number alone."),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Other staff attending"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    expected_version = version_field()

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees: Any = self.fields["attendees"]
        attendees.queryset = _staff(viewer.organization_id or -1).exclude(pk=viewer.pk)
        attendees.label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["expected_version"].required = False


class AppointmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AppointmentStatus.choices)
    expected_version = version_field()


class CaseFlagsForm(forms.Form):
    legal_involvement = forms.BooleanField(label=_("Legal involvement"), required=False)
    cps_involvement = forms.BooleanField(label=_("CPS involvement"), required=False)
    aps_involvement = forms.BooleanField(label=_("APS involvement"), required=False)
    high_risk = forms.BooleanField(label=_("High risk"), required=False)
    expected_version = version_field()

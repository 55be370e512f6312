"""Forms of the plan pages. They parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.core.forms import version_field
from casework.core.models import User

from .models import (
    Acknowledgement,
    Attainment,
    ClientAgreement,
    Goal,
    Priority,
    Progress,
    ReviewOutcome,
    StepOwner,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _text(label: Any, *, rows: int = 3, required: bool = False, help_text: Any = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class VersionForm(forms.Form):
    """A workflow button: only the version the person saw."""

    expected_version = version_field()


class EditForm(forms.Form):
    """Editing an existing row carries the version it was loaded at; adding does not."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["expected_version"] = version_field()


class PlanForm(forms.Form):
    expected_version = version_field()
    strengths = _text(
        _("The client's strengths"),
        help_text=_("What the client is good at and can build on."),
    )
    supports = _text(
        _("Supports"), help_text=_("People, groups and services the client can count on.")
    )


class ParticipationForm(forms.Form):
    expected_version = version_field()
    reviewed_with_client_on = forms.DateField(
        label=_("Reviewed with the client on"), required=False, widget=DateInput()
    )
    client_agreement = forms.ChoiceField(
        label=_("Does the client agree with the plan?"),
        choices=[("", _("Not asked yet")), *ClientAgreement.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    client_comments = _text(
        _("What the client said, in their own words"),
        rows=4,
        help_text=_("Needed when the client does not fully agree."),
    )
    acknowledgement = forms.ChoiceField(
        label=_("How the client signed or agreed"),
        choices=[("", _("Not yet")), *Acknowledgement.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    acknowledged_on = forms.DateField(label=_("On"), required=False, widget=DateInput())
    signature_name = forms.CharField(
        label=_("Client's name, typed by the client to sign on screen"),
        max_length=200,
        required=False,
    )


class GoalForm(EditForm):
    need = forms.TypedChoiceField(
        label=_("Assessed need it answers"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("The needs from the case's latest assessment."),
    )
    client_words = _text(
        _("The goal in the client's words"),
        required=True,
        help_text=_("Write it the way the client said it."),
    )
    summary = _text(
        _("Professional summary"), help_text=_("The goal in professional terms, for the team.")
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    strengths_used = _text(
        _("Strengths and supports used"),
        rows=2,
        help_text=_("Which of the client's strengths and supports help with this goal."),
    )

    def __init__(
        self, *args: Any, needs: list[Any], goal: Goal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, editing=goal is not None, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("None"))]
        choices += [(n.pk, str(n)) for n in needs]
        if goal is not None and goal.need_id and goal.need_id not in {n.pk for n in needs}:
            choices.append((goal.need_id, goal.domain_label))
        field: forms.TypedChoiceField = self.fields["need"]  # type: ignore[assignment]
        field.choices = choices


class ObjectiveForm(EditForm):
    description = _text(_("Objective"), required=True, rows=2)
    measure = forms.CharField(
        label=_("How we will know"),
        max_length=300,
        required=False,
        help_text=_("What will be counted or seen when it is done."),
    )
    target_date = forms.DateField(label=_("Target date"), widget=DateInput())


class ObjectiveProgressForm(forms.Form):
    expected_version = version_field()
    status = forms.ChoiceField(label=_("Progress"), choices=Progress.choices)
    achieved_on = forms.DateField(
        label=_("Achieved on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty."),
    )


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.email)


class StepForm(EditForm):
    description = _text(_("Action step"), required=True, rows=2)
    owner_kind = forms.ChoiceField(
        label=_("Who does it"), choices=StepOwner.choices, widget=forms.RadioSelect
    )
    owner_user = StaffChoiceField(
        label=_("Colleague"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("When a colleague does it."),
    )
    owner_name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("The family member's name, or the provider."),
    )
    due_date = forms.DateField(label=_("By when"), required=False, widget=DateInput())

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: StaffChoiceField = self.fields["owner_user"]  # type: ignore[assignment]
        field.queryset = (
            access.users(viewer).filter(is_active=True).order_by("last_name", "first_name", "pk")
        )


class DecisionForm(forms.Form):
    expected_version = version_field()
    comment = _text(
        _("Comments for the case manager"),
        rows=4,
        help_text=_("Needed when you return the plan: say what should change."),
    )


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"), widget=DateInput(), initial=timezone.localdate
    )
    summary = _text(_("Summary of the review"), rows=4)
    outcome = forms.ChoiceField(
        label=_("What happens next"),
        choices=ReviewOutcome.choices,
        initial=ReviewOutcome.CONTINUE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"attainment_{goal.pk}"] = forms.TypedChoiceField(
                label=_("Goal attainment"),
                choices=[("", _("Choose")), *Attainment.choices],
                coerce=int,
            )
            self.fields[f"status_{goal.pk}"] = forms.ChoiceField(
                label=_("Progress"), choices=Progress.choices, initial=goal.status
            )
            self.fields[f"comment_{goal.pk}"] = _text(_("Comment"), rows=2)

    def goal_fields(self) -> list[tuple[Goal, list[forms.BoundField]]]:
        return [
            (g, [self[f"attainment_{g.pk}"], self[f"status_{g.pk}"], self[f"comment_{g.pk}"]])
            for g in self.goals
        ]

"""Forms for referrals. They parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from casework.consent.models import Category
from casework.core.forms import version_field
from casework.plans.models import ActionStep, Goal
from casework.resources.forms import LANGUAGE_CHOICES
from casework.resources.models import Service, ServiceAtLocation

from .matching import Preferences
from .models import NEXT_STATUSES, PROVIDER_STATUSES, EventVia, ReferralStatus, Urgency


class GoalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        goal: Goal = obj
        return f"“{goal.client_words}”"


class StepChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        step: ActionStep = obj
        return step.description


class PlaceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        place: ServiceAtLocation = obj
        return str(place.location)


class ReferralForm(forms.Form):
    """A draft referral. ``goals`` are the case's current plan goals, one per goal key."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), widget=forms.HiddenInput)
    goal = GoalChoiceField(
        label=_("Plan goal"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("Not for a plan goal"),
    )
    action_step = StepChoiceField(
        label=_("Action step"),
        queryset=ActionStep.objects.none(),
        required=False,
        empty_label=_("No particular step"),
        help_text=_("The step that is done when the service is completed."),
    )
    location = PlaceChoiceField(
        label=_("Where"),
        queryset=ServiceAtLocation.objects.none(),
        required=False,
        empty_label=_("Any of the provider's places"),
    )
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In plain words the provider understands; the client's own words are best."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    eligibility_note = forms.CharField(
        label=_("Is the client eligible?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the client fits the service's eligibility, and what is still to check."),
    )
    in_house_note = forms.CharField(
        label=_("Why not in-house?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Could our own agency provide this? If not, why not."),
    )
    self_help_note = forms.CharField(
        label=_("What will the client and family do themselves?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    categories = forms.MultipleChoiceField(
        label=_("Information the referral carries"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Identity and contact details always go with a referral. Choose only what the "
            "provider needs; each kind must be covered by the client's consent to send."
        ),
    )

    def __init__(
        self,
        *args: Any,
        services: Any,
        goals: list[Goal],
        service: Service | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["service"].queryset = services
        fields["goal"].queryset = Goal.objects.filter(pk__in=[g.pk for g in goals]).order_by(
            "priority", "position", "pk"
        )
        fields["action_step"].queryset = ActionStep.objects.filter(
            goal_id__in=[g.pk for g in goals]
        ).order_by("goal_id", "position", "pk")
        fields["location"].queryset = (
            ServiceAtLocation.objects.filter(service=service).select_related("location")
            if service is not None
            else ServiceAtLocation.objects.none()
        )

    def clean_categories(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["categories"]
        return [c for c in Category.values if c in chosen or c == Category.IDENTITY_CONTACT]


class ReferralEditForm(ReferralForm):
    expected_version = version_field()


class SendForm(forms.Form):
    expected_version = version_field()


class RecordForm(forms.Form):
    """What the provider said, from a phone call (or a letter)."""

    expected_version = version_field()
    status = forms.ChoiceField(label=_("What the provider said"), choices=())
    happened_on = forms.DateField(
        label=_("On"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    via = forms.ChoiceField(
        label=_("How you heard"),
        choices=[(v, EventVia(v).label) for v in (EventVia.PHONE, EventVia.STAFF)],
        initial=EventVia.PHONE,
    )
    first_appointment_at = forms.DateTimeField(
        label=_("First appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the first appointment is scheduled."),
    )
    decline_reason = forms.CharField(
        label=_("Why the provider declined"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When the service ended: what came of it. Needed if not completed."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s for s in PROVIDER_STATUSES if s in NEXT_STATUSES.get(current, ())]
        field: Any = self.fields["status"]
        field.choices = [(s, ReferralStatus(s).label) for s in allowed]


class CloseForm(forms.Form):
    expected_version = version_field()
    note = forms.CharField(
        label=_("Closing note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was followed up with the client."),
    )


class CancelForm(forms.Form):
    expected_version = version_field()
    reason = forms.CharField(
        label=_("Why cancel the referral"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("The link works for (days)"),
        min_value=1,
        max_value=90,
        help_text=_("After that, or once you revoke it, the link shows nothing."),
    )


# --- the match page: the client's preferences -------------------------------------------


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)
    max_km = forms.FloatField(
        label=_("At most this far (km)"), required=False, min_value=0.5, max_value=500
    )
    free_only = forms.BooleanField(label=_("Only services with no fee"), required=False)
    days = forms.TypedMultipleChoiceField(
        label=_("Days the client can go"),
        required=False,
        coerce=int,
        choices=list(WEEKDAYS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    in_house_first = forms.BooleanField(label=_("Our own services first"), required=False)
    accessible = forms.BooleanField(label=_("Needs an accessible location"), required=False)
    words = forms.CharField(label=_("Words"), required=False, max_length=200)

    def preferences(self) -> Preferences:
        data = self.cleaned_data
        return Preferences(
            language=data.get("language") or "",
            max_km=data.get("max_km"),
            free_only=bool(data.get("free_only")),
            days=tuple(sorted(data.get("days") or ())),
            in_house_first=bool(data.get("in_house_first")),
            accessible=bool(data.get("accessible")),
            words=data.get("words") or "",
        )

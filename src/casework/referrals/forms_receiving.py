"""The receiving side's status update: what the provider says happened with a referral.

The form only parses what was typed; which status may follow which, and which
details each status needs, is ``services.referral_provider_update``'s to decide.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PROVIDER_STATUSES, Referral, ReferralStatus

#: The detail fields each status asks for (shown only then, when scripts run).
NEEDED_FOR = {
    "decline_reason": (ReferralStatus.DECLINED,),
    "first_appointment_at": (ReferralStatus.APPOINTMENT,),
    "outcome": (ReferralStatus.NOT_COMPLETED, ReferralStatus.COMPLETED),
}


def provider_next_statuses(referral: Referral) -> list[tuple[str, str]]:
    """The statuses the receiving side may record next, with their labels."""
    return [
        (status, str(ReferralStatus(status).label))
        for status in referral.next_statuses()
        if status in PROVIDER_STATUSES
    ]


class ProviderUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("What happened"), widget=forms.RadioSelect)
    happened_on = forms.DateField(
        label=_("On which day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    first_appointment_at = forms.DateTimeField(
        label=_("Date and time of the first appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Only when a first appointment is scheduled."),
    )
    decline_reason = forms.CharField(
        label=_("Why you cannot take this referral"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when declining. It helps the case manager find another service."),
    )
    outcome = forms.CharField(
        label=_("How it ended"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When the service ended: what was done, or why it was not completed."),
    )
    note = forms.CharField(
        label=_("Note for the case manager"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, referral: Referral, ask_name: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"happened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        choices = provider_next_statuses(referral)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)  # noqa: S101 - declared above
        status_field.choices = choices
        if len(choices) == 1:
            status_field.initial = choices[0][0]
        for name, statuses in NEEDED_FOR.items():
            self.fields[name].widget.attrs["data-needed-for"] = " ".join(statuses)
        if ask_name:
            # A secure link is not a person: whoever answers through it says who they are.
            self.fields["actor_name"] = forms.CharField(
                label=_("Your name"),
                max_length=200,
                help_text=_("So the case manager knows whom to call back."),
            )
            self.order_fields(["actor_name"])

    def update_values(self) -> dict[str, Any]:
        """The keyword arguments for ``services.referral_provider_update``."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "happened_on": data["happened_on"],
            "note": data["note"],
            "decline_reason": data["decline_reason"],
            "first_appointment_at": data["first_appointment_at"],
            "outcome": data["outcome"],
        }

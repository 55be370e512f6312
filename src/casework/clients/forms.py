"""Forms for cases and client records. Services decide what may be saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.core import languages
from casework.core.forms import StaffChoiceField, version_field
from casework.core.models import Role, Team, TeamMembership, User
from casework.core.web import organization_of

from .models import (
    Case,
    CaseStatus,
    Client,
    DataQuality,
    Gender,
    IdentifierKind,
    PhoneKind,
    RaceEthnicity,
    RelationshipType,
    Sex,
    VeteranStatus,
)
from .services import RECORD_FIELDS

CASE_SORTS: dict[str, tuple[str, ...]] = {
    "-opened": ("-opened_on", "-pk"),
    "opened": ("opened_on", "pk"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    # Longest without contact first; reviews soonest due first.
    "last_contact": ("last_contact_on", "pk"),
    "-last_contact": ("-last_contact_on", "-pk"),
    "next_review": ("next_review_on", "pk"),
    "-next_review": ("-next_review_on", "-pk"),
}
DEFAULT_CASE_SORT = "-opened"
CASE_FLAG_CHOICES = [
    ("high_risk", _("High risk")),
    ("legal_involvement", _("Legal involvement")),
    ("cps_involvement", _("CPS involvement")),
    ("aps_involvement", _("APS involvement")),
]
NO_CONTACT_FILTER_DAYS = 30
REVIEW_DUE_FILTER_DAYS = 7


class TeamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class CaseFilterForm(forms.Form):
    """Filters for the case list. Only ids and codes: never personal data in a URL."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any open status")), *CaseStatus.choices, ("all", _("Any status"))],
    )
    team = TeamChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("All teams")
    )
    mine = forms.BooleanField(label=_("Only cases I manage"), required=False)
    flags = forms.MultipleChoiceField(
        label=_("Flagged"),
        required=False,
        choices=CASE_FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cases with any of these flags."),
    )
    no_contact = forms.BooleanField(
        label=_("No contact for %(days)s+ days") % {"days": NO_CONTACT_FILTER_DAYS},
        required=False,
    )
    review_due = forms.BooleanField(label=_("Plan review due"), required=False)
    # Set by the sortable column headings; kept in the form so filtering keeps the order.
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in CASE_SORTS],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(organization_id=organization_of(viewer))
        if not viewer.has_role(Role.INTAKE_COORDINATOR):
            # Intake works across the agency; everyone else only sees their teams' cases.
            teams = teams.filter(pk__in=access.team_ids(viewer))
        team_field: Any = self.fields["team"]
        team_field.queryset = teams.order_by("name")

    def sort_key(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("sort") or DEFAULT_CASE_SORT
        return DEFAULT_CASE_SORT


class CaseAssignForm(forms.Form):
    case_manager = StaffChoiceField(label=_("New case manager"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Kept in the assignment history, such as “caseload balancing”."),
    )
    expected_version = version_field()

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        # The case's own team first, then the program's other teams: choosing someone of
        # another team moves the case there, and the choice says so.
        memberships = list(
            TeamMembership.objects.filter(
                organization_id=case.organization_id,
                team__program_id=case.program_id,
                team__is_active=True,
                user__is_active=True,
            )
            .select_related("team", "user")
            .order_by("team__name", "user__last_name", "user__first_name", "user__email")
        )
        self.teams: dict[int, Team] = {}
        for membership in sorted(memberships, key=lambda m: m.team_id != case.team_id):
            self.teams.setdefault(membership.user_id, membership.team)
        field: Any = self.fields["case_manager"]
        field.queryset = User.objects.filter(pk__in=list(self.teams))
        choices: dict[str, list[tuple[int, str]]] = {}
        for user_id, team in self.teams.items():
            user = next(m.user for m in memberships if m.user_id == user_id)
            label = field.label_from_instance(user)
            if team.pk != case.team_id:
                label = _("%(name)s (moves the case to %(team)s)") % {
                    "name": label,
                    "team": team.name,
                }
            choices.setdefault(team.name, []).append((user_id, label))
        own = case.team.name
        field.choices = [("", "---------")] + [
            (team_name, options)
            for team_name, options in sorted(choices.items(), key=lambda kv: kv[0] != own)
        ]
        field.help_text = _(
            "Members of %(team)s first, then of the program's other teams: choosing someone "
            "of another team moves the case to their team."
        ) % {"team": own}

    def team(self) -> Team:
        """The team the case goes to with the chosen case manager."""
        return self.teams[self.cleaned_data["case_manager"].pk]


def _language_choices(current: str | None = None) -> list[tuple[str, Any]]:
    return list(languages.choices(current))


class ClientForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=100,
        required=False,
        help_text=_("The name to use with the person, if it differs from their first name."),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=[], initial="en")
    expected_version = version_field()

    def __init__(self, *args: Any, current_language: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language: Any = self.fields["preferred_language"]
        language.choices = _language_choices(current_language)

    @staticmethod
    def initial_for(client: Client) -> dict[str, Any]:
        return {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "preferred_name": client.preferred_name,
            "date_of_birth": client.date_of_birth,
            "preferred_language": client.preferred_language,
            "expected_version": client.version,
        }


# --- the whole client record ---------------------------------------------------------------


class CodesField(forms.TypedMultipleChoiceField):
    """Several HMIS codes, shown as checkboxes in a fieldset."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        super().__init__(
            choices=choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


def _quality_field(label: Any) -> forms.TypedChoiceField:
    # Not required: a form posted without it (an older page) keeps the saved value.
    return forms.TypedChoiceField(
        label=label, choices=DataQuality.choices, coerce=int, required=False, empty_value=None
    )


class ClientRecordForm(ClientForm):
    """Every field of the record. The SSN box is empty: typing in it replaces the number."""

    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    suffix = forms.CharField(label=_("Suffix"), max_length=20, required=False)
    name_data_quality = _quality_field(_("Name data quality"))
    dob_data_quality = _quality_field(_("Date of birth data quality"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    gender = CodesField(label=_("Gender"), choices=Gender.choices)
    gender_detail = forms.CharField(
        label=_("Gender, in their words"), max_length=100, required=False
    )
    pronouns = forms.CharField(label=_("Pronouns"), max_length=40, required=False)
    race_ethnicity = CodesField(label=_("Race and ethnicity"), choices=RaceEthnicity.choices)
    race_ethnicity_detail = forms.CharField(
        label=_("Race and ethnicity, in their words"), max_length=200, required=False
    )
    veteran_status = forms.TypedChoiceField(
        label=_("Veteran status"),
        choices=VeteranStatus.choices,
        coerce=int,
        required=False,
        empty_value=None,
    )
    interpreter_needed = forms.BooleanField(label=_("Needs an interpreter"), required=False)
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=forms.Textarea)
    values_preferences = forms.CharField(
        label=_("Cultural and personal values and preferences"),
        required=False,
        widget=forms.Textarea,
    )
    no_voicemail = forms.BooleanField(label=_("Do not leave voicemail"), required=False)
    no_contact_at_home = forms.BooleanField(label=_("Do not contact at home"), required=False)
    no_mail = forms.BooleanField(label=_("Do not send mail"), required=False)
    safe_contact_times = forms.CharField(
        label=_("Safe times to contact"), max_length=200, required=False
    )
    safe_contact_note = forms.CharField(
        label=_("Safe-contact note"), required=False, widget=forms.Textarea
    )
    ssn = forms.CharField(
        label=_("Social Security number"),
        max_length=11,
        required=False,
        help_text=_("Last four digits or all nine. Leave empty to keep what is on file."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    clear_ssn = forms.BooleanField(label=_("Remove the SSN on file"), required=False)
    ssn_data_quality = _quality_field(_("SSN data quality"))

    @staticmethod
    def initial_for(client: Client) -> dict[str, Any]:
        initial = ClientForm.initial_for(client)
        for name in RECORD_FIELDS:
            if name != "ssn":
                initial[name] = getattr(client, name)
        return initial

    def details(self) -> dict[str, Any]:
        """What to hand to the service besides the five names."""
        data = self.cleaned_data
        details = {
            name: data[name]
            for name in RECORD_FIELDS
            if name != "ssn" and data.get(name) is not None
        }
        if data["clear_ssn"]:
            details["ssn"] = ""
        elif data["ssn"].strip():
            details["ssn"] = data["ssn"]
        return details


class RegisterForm(ClientRecordForm):
    """A new person: the record, plus what the duplicate check can use."""

    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    medicaid_id = forms.CharField(label=_("Medicaid id"), max_length=100, required=False)
    confirmed_new = forms.BooleanField(required=False, widget=forms.HiddenInput)
    expected_version = None  # type: ignore[assignment]
    clear_ssn = None  # type: ignore[assignment]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        details = {
            name: data[name]
            for name in RECORD_FIELDS
            if name != "ssn" and data.get(name) is not None
        }
        details["ssn"] = data["ssn"]
        return details


class ClientSearchForm(forms.Form):
    """Find a client. Sent by POST: names never travel in a URL."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("The start of any of their names, in any order: “smi jo”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=100,
        required=False,
        help_text=_("Medicaid, Medicare, HMIS or other id, or the SSN's last four."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone number"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=PhoneKind.choices)


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))


class AddressForm(forms.Form):
    line1 = forms.CharField(label=_("Address line 1"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.CharField(label=_("State"), max_length=50, required=False)
    postal_code = forms.CharField(label=_("ZIP code"), max_length=20, required=False)
    county = forms.CharField(label=_("County"), max_length=100, required=False)


class IdentifierForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    system = forms.CharField(
        label=_("System"),
        max_length=100,
        required=False,
        help_text=_("For another system's id: its name."),
    )
    value = forms.CharField(label=_("Identifier"), max_length=100)


class RelationshipForm(forms.Form):
    relationship_type = forms.ChoiceField(label=_("Relationship"), choices=RelationshipType.choices)
    related_client = forms.IntegerField(
        label=_("Client number"),
        required=False,
        min_value=1,
        help_text=_("If the person is a client of the agency: their client number."),
    )
    contact_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_organization = forms.CharField(label=_("Organization"), max_length=200, required=False)
    contact_role = forms.CharField(label=_("Role"), max_length=100, required=False)
    household_member = forms.BooleanField(label=_("Lives in the household"), required=False)
    head_of_household = forms.BooleanField(label=_("Head of household"), required=False)
    emergency_contact = forms.BooleanField(label=_("Emergency contact"), required=False)


class RelationshipEditForm(RelationshipForm):
    """The same details, without the person: to name someone else, remove and add."""

    related_client = None  # type: ignore[assignment]


class MergeForm(forms.Form):
    other = forms.IntegerField(
        label=_("Client number of the duplicate record"),
        min_value=1,
        help_text=_("Its cases, contacts, identifiers and relationships move to this record."),
    )
    # Set by the comparison page's button: the two records were seen side by side.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

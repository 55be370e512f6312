"""Forms for the agency admin area and the audit log.

Forms only parse what a person typed; every rule about what may be saved lives
in the services, whose ``ValidationError``s are put back next to their fields
with ``add_service_errors``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import eligibility, permissions
from .models import ExpertiseArea, Program, Role, Team, TeamRole, User


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, elsewhere: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """Show a service's ValidationError on ``form``, each message next to its field.

    Messages for fields the form does not have go to the top of the form, except
    those named in ``elsewhere``: they are returned for the page to place.
    """
    kept: dict[str, list[str]] = {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return kept
    for field, messages in exc.message_dict.items():
        if field in elsewhere:
            kept[field] = messages
        elif field in form.fields and field != NON_FIELD_ERRORS:
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)
    return kept


def version_field() -> forms.IntegerField:
    """The version the person started editing from (optimistic concurrency)."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _staff_choice_label(user: User) -> str:
    return user.get_full_name() or user.email


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _staff_choice_label(obj)


# --- organization ---------------------------------------------------------------------


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Agency name"), max_length=200)
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in"),
        required=False,
        help_text=_(
            "Everyone must set up an authenticator app before they can use Casework. "
            "Recommended: pages hold clients' personal information."
        ),
    )
    store_full_ssn = forms.BooleanField(
        label=_("Keep full Social Security numbers"),
        required=False,
        help_text=_(
            "Off (recommended): only the last four digits are kept. Turning it off "
            "erases the full numbers already kept."
        ),
    )


# --- programs and their eligibility rules --------------------------------------------------


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("A short code used in case numbers, such as hs for Housing Stability."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=0,
        help_text=_("The most active cases at once. Leave empty for no limit."),
    )
    review_interval_days = forms.IntegerField(
        label=_("Review service plans every (days)"), min_value=1, initial=90
    )
    no_contact_alert_days = forms.IntegerField(
        label=_("Alert after this many days without contact"), min_value=1, initial=30
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive programs take no new cases; their existing cases stay."),
    )
    expected_version = version_field()

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]
            del self.fields["expected_version"]

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        return {
            "name": program.name,
            "code": program.code,
            "description": program.description,
            "capacity": program.capacity,
            "review_interval_days": program.review_interval_days,
            "no_contact_alert_days": program.no_contact_alert_days,
            "is_active": program.is_active,
            "expected_version": program.version,
        }


CRITERION_LABELS: dict[str, Any] = {
    "age": _("Age (years)"),
    "household_income_percent_fpl": _("Household income (% of poverty level)"),
    "monthly_income": _("Monthly income"),
    "county": _("County"),
    "zip_code": _("ZIP code"),
    "diagnosis": _("Diagnosis"),
    "need": _("Need"),
    "veteran": _("Veteran"),
    "homeless": _("Experiencing homelessness"),
    "household_has_children": _("Household has children"),
    "other": _("Other"),
}

OPERATOR_LABELS: dict[str, Any] = {
    "between": _("is between"),
    "at_least": _("is at least"),
    "at_most": _("is at most"),
    "equals": _("is"),
    "in": _("is one of"),
    "documented": _("is documented"),
}

# "18 to 64", "18-64", "18–64", "18, 64", "18 and 64"
_RANGE_SPLIT = re.compile(r"\s*(?:,|;|–|—|\.\.|\bto\b|\band\b)\s*|(?<=\d)\s*-\s*(?=\d)")


def _number(text: str) -> int | float | str:
    cleaned = text.strip()
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        return cleaned


def parse_rule_value(criterion: str, operator: str, raw: str) -> Any:
    """Turn what was typed into the value a rule stores; validate_rules judges it."""
    raw = raw.strip()
    kind = eligibility.CRITERIA.get(criterion, "text")
    if operator == "documented":
        return None
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in {"yes", "true", "y", "1", gettext("yes").lower()}:
            return True
        if lowered in {"no", "false", "n", "0", gettext("no").lower()}:
            return False
        return raw
    if kind == "number":
        if operator == "between":
            return [_number(part) for part in _RANGE_SPLIT.split(raw) if part and part.strip()]
        return _number(raw)
    if operator == "in":
        return [word.strip() for word in raw.split(",") if word.strip()]
    return raw


def rule_value_text(operator: str, value: Any) -> str:
    """The stored value as a person would type it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        if operator == "between" and len(value) == 2:
            return gettext("%(low)s to %(high)s") % {"low": value[0], "high": value[1]}
        return ", ".join(str(v) for v in value)
    return str(value)


def describe_rule(rule: dict[str, Any]) -> str:
    """'Age (years) is between 18 to 64' — for lists where the label is not enough."""
    criterion = CRITERION_LABELS.get(rule.get("criterion", ""), rule.get("criterion", ""))
    operator = OPERATOR_LABELS.get(rule.get("operator", ""), rule.get("operator", ""))
    value = rule_value_text(rule.get("operator", ""), rule.get("value"))
    return f"{criterion} {operator} {value}".strip()


class EligibilityRuleForm(forms.Form):
    criterion = forms.ChoiceField(
        label=_("Criterion"), choices=[("", "—"), *CRITERION_LABELS.items()]
    )
    operator = forms.ChoiceField(label=_("Test"), choices=[("", "—"), *OPERATOR_LABELS.items()])
    value = forms.CharField(label=_("Value"), required=False, max_length=500)
    label = forms.CharField(
        label=_("What intake staff read"),
        max_length=200,
        error_messages={"required": _("Write the rule in words for intake staff.")},
    )

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "criterion": data["criterion"],
            "operator": data["operator"],
            "value": parse_rule_value(data["criterion"], data["operator"], data.get("value", "")),
            "label": data["label"],
        }

    @staticmethod
    def initial_for(rule: dict[str, Any]) -> dict[str, Any]:
        return {
            "criterion": rule.get("criterion", ""),
            "operator": rule.get("operator", ""),
            "value": rule_value_text(rule.get("operator", ""), rule.get("value")),
            "label": rule.get("label", ""),
        }


EligibilityRuleFormSet = forms.formset_factory(
    EligibilityRuleForm, extra=1, can_delete=True, max_num=50, validate_max=True
)

RULES_PREFIX = "rules"

RULES_HELP = _(
    "Each rule reads criterion, test, value — for example Age is between 18 to 64. "
    "Numbers: 18, or 18 to 64 for “is between”. Lists: words separated by commas. "
    "Yes/no criteria: yes or no. Leave the value empty for “is documented”."
)


def rules_formset(data: Any = None, rules: list[dict[str, Any]] | None = None) -> forms.BaseFormSet:  # type: ignore[type-arg]
    initial = [EligibilityRuleForm.initial_for(rule) for rule in rules or []]
    return EligibilityRuleFormSet(data, initial=initial, prefix=RULES_PREFIX)


def rules_from_formset(formset: forms.BaseFormSet) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """The rules in row order, leaving out blank and removed rows. Call after is_valid()."""
    rules = []
    for form in formset.forms:
        # A blank extra row is not validated and has no cleaned data.
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        rules.append(form.rule())
    return rules


# --- teams -------------------------------------------------------------------------------------


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)
    expected_version = version_field()

    def __init__(self, *args: Any, viewer: User, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program_field: Any = self.fields["program"]
        program_field.queryset = permissions.programs(viewer)
        if creating:
            del self.fields["is_active"]
            del self.fields["expected_version"]

    @staticmethod
    def initial_for(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "program": team.program_id,
            "description": team.description,
            "is_active": team.is_active,
            "expected_version": team.version,
        }


class TeamMemberForm(forms.Form):
    user = StaffChoiceField(label=_("Staff member"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role in team"), choices=TeamRole.choices)

    def __init__(
        self, *args: Any, actor: User, not_in_team: Team | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        staff: QuerySet[User] = permissions.users(actor).filter(is_active=True)
        if not_in_team is not None:
            staff = staff.exclude(team_memberships__team=not_in_team)
        user_field: Any = self.fields["user"]
        user_field.queryset = staff.order_by("last_name", "first_name", "email")


# --- staff ---------------------------------------------------------------------------------------


def _split_languages(raw: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", raw) if code]


class StaffForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Give the person at least one role.")},
        help_text=_("Roles decide what the person may see and do."),
    )
    expertise_areas = forms.MultipleChoiceField(
        label=_("Expertise areas"),
        choices=ExpertiseArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Shown in the staff expertise directory."),
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Language codes separated by commas, such as en, es, zh-hant."),
    )
    phone = forms.CharField(label=_("Work phone"), max_length=40, required=False)
    credentials = forms.CharField(
        label=_("Credentials"),
        max_length=200,
        required=False,
        help_text=_("Licences and degrees, such as LCSW."),
    )
    caseload_capacity = forms.IntegerField(
        label=_("Caseload capacity"),
        min_value=0,
        initial=30,
        help_text=_("How many open cases this person can carry."),
    )
    expected_version = version_field()

    def clean_languages(self) -> list[str]:
        return _split_languages(self.cleaned_data.get("languages", ""))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "roles": list(data["roles"]),
            "job_title": data["job_title"],
            "phone": data["phone"],
            "languages": data["languages"],
            "expertise_areas": list(data["expertise_areas"]),
            "credentials": data["credentials"],
            "caseload_capacity": data["caseload_capacity"],
        }

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        profile = user.staff_profile
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": profile.job_title,
            "roles": list(profile.roles),
            "expertise_areas": list(profile.expertise_areas),
            "languages": ", ".join(profile.languages),
            "phone": profile.phone,
            "credentials": profile.credentials,
            "caseload_capacity": profile.caseload_capacity,
            "expected_version": profile.version,
        }


class StaffCreateForm(StaffForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The person signs in with this address."),
    )
    send_invitation = forms.BooleanField(
        label=_("Email an invitation to set a password"),
        required=False,
        initial=True,
        help_text=_("Without it, the person uses “Forgot your password?” on the sign-in page."),
    )

    field_order = ["email", "first_name", "last_name", "job_title", "roles"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["expected_version"]


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("all", _("All"))],
    )


# --- audit log -----------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_("Such as client.view, or the start of one such as client."),
    )
    actor = StaffChoiceField(
        label=_("Who"), required=False, queryset=User.objects.none(), empty_label=_("Anyone")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor_field: Any = self.fields["actor"]
        actor_field.queryset = permissions.users(viewer).order_by(
            "last_name", "first_name", "email"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

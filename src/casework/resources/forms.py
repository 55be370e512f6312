"""Forms of the directory pages: search filters, match preferences, notes, settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.core.models import Organization, OrganizationKind, Program, User

from . import categories
from .geo import Point
from .models import CASEWORK_TAXONOMY_ID, ProviderNoteKind, TaxonomyTerm
from .search import DirectoryQuery, Sort

#: Languages offered as filters: those most often spoken at services in our regions.
LANGUAGE_CHOICES = [
    ("", _("Any language")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ko", _("Korean")),
    ("tl", _("Tagalog")),
    ("ru", _("Russian")),
    ("uk", _("Ukrainian")),
    ("ar", _("Arabic")),
    ("so", _("Somali")),
    ("fa", _("Persian")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("pt", _("Portuguese")),
    ("asl", _("American Sign Language")),
]
RADIUS_CHOICES = [("2", "2 km"), ("5", "5 km"), ("10", "10 km"), ("25", "25 km"), ("50", "50 km")]
EXTERNAL_TERMS_SHOWN = 200


class NearChoice:
    ANYWHERE = ""
    CLIENT = "client"
    POSTAL_CODE = "postal_code"
    LOCATION = "location"


def category_choices(organization_id: int) -> list[tuple[Any, Any]]:
    """Our categories, then terms of external taxonomies an import brought (one query)."""
    ours: list[tuple[str, str]] = categories.choices()
    external = (
        TaxonomyTerm.objects.filter(organization_id=organization_id)
        .exclude(taxonomy__hsds_id=CASEWORK_TAXONOMY_ID)
        .order_by("taxonomy_name", "name")
        .values_list("pk", "name", "taxonomy_name")[:EXTERNAL_TERMS_SHOWN]
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for pk, name, taxonomy in external:
        groups.setdefault(taxonomy or str(_("Other categories")), []).append((str(pk), name))
    return [("", _("Any category")), (_("Service categories"), ours), *groups.items()]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False)
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=LANGUAGE_CHOICES
    )
    age = forms.IntegerField(label=_("Client's age"), required=False, min_value=0, max_value=120)
    free = forms.BooleanField(label=_("No fee"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    accepting = forms.BooleanField(label=_("Taking new referrals"), required=False)
    in_house = forms.BooleanField(label=_("Our own services only"), required=False)
    near = forms.ChoiceField(
        label=_("Near"),
        required=False,
        choices=[
            (NearChoice.ANYWHERE, _("Anywhere")),
            (NearChoice.CLIENT, _("The client's address")),
            (NearChoice.POSTAL_CODE, _("A postal code")),
            (NearChoice.LOCATION, _("A directory location")),
        ],
    )
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    location = forms.IntegerField(required=False, widget=forms.HiddenInput)
    radius = forms.ChoiceField(
        label=_("Within"), required=False, choices=RADIUS_CHOICES, initial="10"
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            (Sort.RELEVANCE, _("Best match")),
            (Sort.DISTANCE, _("Nearest first")),
            (Sort.NAME, _("Name")),
        ],
    )

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(organization_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        near = data.get("near")
        if near == NearChoice.POSTAL_CODE and not (data.get("postal_code") or "").strip():
            self.add_error("postal_code", _("Enter a postal code."))
        if near == NearChoice.CLIENT and not data.get("case"):
            self.add_error("near", _("Open the directory from a case to search near the client."))
        if near == NearChoice.LOCATION and not data.get("location"):
            self.add_error("near", _("Choose a location from a service's page."))
        if data.get("sort") == Sort.DISTANCE and not near:
            self.add_error("sort", _("Choose where to measure from to sort by distance."))
        return data

    @staticmethod
    def blank_query(page: int) -> DirectoryQuery:
        return DirectoryQuery(page=page)

    def query(self, near: Point | None, page: int) -> DirectoryQuery:
        data = self.cleaned_data
        return DirectoryQuery(
            words=data.get("q") or "",
            category=data.get("category") or "",
            language=data.get("language") or "",
            age=data.get("age"),
            free_only=bool(data.get("free")),
            open_now=bool(data.get("open_now")),
            near=near,
            radius_km=float(data["radius"]) if near and data.get("radius") else None,
            accepting_only=bool(data.get("accepting")),
            in_house_only=bool(data.get("in_house")),
            sort=data.get("sort") or Sort.RELEVANCE,
            page=page,
        )


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of note"), choices=ProviderNoteKind.choices)
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("About the provider, never about a client."),
    )
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Their phone"), required=False, max_length=50)
    contact_email = forms.CharField(label=_("Their email"), required=False, max_length=254)


class SettingsForm(forms.Form):
    accepting_referrals = forms.BooleanField(label=_("Taking new referrals"), required=False)
    in_house_program = forms.ModelChoiceField(
        label=_("Our program that runs it"), required=False, queryset=Program.objects.none()
    )
    partner_organization = forms.ModelChoiceField(
        label=_("Partner agency using Casework"),
        required=False,
        queryset=Organization.objects.none(),
        help_text=_("Referrals to this provider then reach that agency's staff in Casework."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = Program.objects.filter(organization_id=access.organization_id(user))
        self.fields["in_house_program"].queryset = programs.order_by("name")  # type: ignore[attr-defined]
        self.fields["partner_organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            kind=OrganizationKind.PARTNER, is_active=True
        ).order_by("name")

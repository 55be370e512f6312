"""Forms for consents and sharing. They parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Client, Relationship
from casework.core.models import Organization, OrganizationKind, User
from casework.resources.models import Provider
from casework.resources.queries import directory_providers

from .models import Category, PartyKind, Purpose, SignatureMethod
from .policy import Party
from .services import ConsentFields


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class RelationshipChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        rel: Relationship = obj
        return f"{rel.name} ({rel.get_relationship_type_display()})"


class PartyForm(forms.Form):
    """Who receives the information: choose the kind, then fill that kind's field(s)."""

    party_kind = forms.ChoiceField(
        label=_("Who receives the information"),
        choices=PartyKind.choices,
        widget=forms.RadioSelect,
    )
    party_organization = forms.ModelChoiceField(
        label=_("Partner agency"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For a partner agency that uses Casework."),
    )
    party_relationship = RelationshipChoiceField(
        label=_("Person"),
        queryset=Relationship.objects.none(),
        required=False,
        help_text=_("From the client's household and contacts."),
    )
    party_provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Provider.objects.none(),
        required=False,
        help_text=_("From the agency's resource directory."),
    )
    party_name = forms.CharField(
        label=_("Name of the organization or professional"), required=False, max_length=200
    )
    party_role = forms.CharField(
        label=_("Their role or organization"),
        required=False,
        max_length=200,
        help_text=_("e.g. probation officer, County Court; family doctor, Eastside Clinic."),
    )

    def __init__(self, *args: Any, client: Client, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = dict(self.fields)
        fields["party_provider"].queryset = directory_providers(user).order_by("name")
        fields["party_organization"].queryset = Organization.objects.filter(
            kind=OrganizationKind.PARTNER, is_active=True
        ).order_by("name")
        fields["party_relationship"].queryset = (
            Relationship.objects.filter(client=client)
            .select_related("related_client")
            .order_by("pk")
        )

    def party(self) -> Party:
        data = self.cleaned_data
        org = data.get("party_organization")
        rel = data.get("party_relationship")
        provider = data.get("party_provider")
        return Party(
            kind=data.get("party_kind") or "",
            organization_id=org.pk if org else None,
            relationship_id=rel.pk if rel else None,
            provider_id=provider.pk if provider else None,
            name=data.get("party_name") or "",
            role=data.get("party_role") or "",
        )


class ConsentForm(PartyForm):
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"), choices=Purpose.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose_other = forms.CharField(
        label=_("Other purpose"), required=False, max_length=200, help_text=_("If “Other”.")
    )
    categories = forms.MultipleChoiceField(
        label=_("Information it covers"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Sensitive kinds (substance-use treatment, HIV/STI, mental health, domestic "
            "violence, criminal justice) are covered only when checked by name."
        ),
    )
    effective_on = _date(_("Effective from"))
    expires_on = _date(_("Expires on"))
    signature_method = forms.ChoiceField(
        label=_("How the client gave consent"),
        choices=SignatureMethod.choices,
        widget=forms.RadioSelect,
    )
    document = forms.FileField(
        label=_("Scan of the signed form"),
        required=False,
        help_text=_("PDF, PNG or JPEG. Needed when signed on paper."),
    )
    signed_name = forms.CharField(
        label=_("Client's typed name"),
        required=False,
        max_length=200,
        help_text=_("When signed on screen: the client types their own name."),
    )
    signed_confirmed = forms.BooleanField(
        label=_("The client read (or had read to them) this consent and signed it themself."),
        required=False,
    )
    signed_on = _date(_("Signed on"))
    witness_name = forms.CharField(
        label=_("Witnessed by"), required=False, max_length=200, help_text=_("Name and role.")
    )

    def consent_fields(self) -> ConsentFields:
        data = self.cleaned_data
        return ConsentFields(
            purposes=data["purposes"],
            purpose_other=data["purpose_other"],
            categories=data["categories"],
            effective_on=data["effective_on"],
            expires_on=data["expires_on"],
            signature_method=data["signature_method"],
            signed_name=data["signed_name"],
            signed_confirmed=data["signed_confirmed"],
            signed_on=data["signed_on"],
            witness_name=data["witness_name"],
            document=data.get("document"),
        )


class ShareForm(PartyForm):
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=Purpose.choices, widget=forms.RadioSelect
    )
    categories = forms.MultipleChoiceField(
        label=_("Information to share"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Share only what the purpose needs."),
    )


class RevokeForm(forms.Form):
    revoked_on = _date(_("Revoked on"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The client's words are fine."),
    )

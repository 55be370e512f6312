"""Reads of consents and disclosures, filtered by the access policy (``casework.access``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from casework import access
from casework.clients.models import Client
from casework.consent.models import PartyKind
from casework.core.errors import NotFound
from casework.core.models import User

from .models import Consent, Disclosure
from .policy import Party, decide

_PARTY = ("party_organization", "party_relationship__related_client")


def get_client(user: User, pk: int, *, write: bool = False) -> Client:
    """The client whose consents the user may read (or record, with ``write``); 404 otherwise."""
    client = Client.objects.filter(pk=pk, organization_id=access.organization_id(user)).first()
    if client is None or not access.consent_read_allowed(user, client):
        raise NotFound("No such client.")
    access.require(
        not write or access.consent_write_allowed(user, client),
        "You may read this client's consents but not record or share.",
    )
    return client


def consents(user: User, client: Client) -> QuerySet[Consent]:
    if not access.consent_read_allowed(user, client):
        return Consent.objects.none()
    return client_consents(client)


def client_consents(client: Client) -> QuerySet[Consent]:
    """The client's consents, for a caller that has checked ``access.consent_read_allowed``."""
    return (
        Consent.objects.filter(organization_id=client.organization_id, client=client)
        .select_related(*_PARTY, "recorded_by", "revoked_by")
        .order_by("-effective_on", "-pk")
    )


def get_consent(user: User, pk: int) -> Consent:
    consent = (
        Consent.objects.filter(pk=pk, organization_id=access.organization_id(user))
        .select_related("client", *_PARTY, "recorded_by", "revoked_by")
        .first()
    )
    if consent is None or not access.consent_read_allowed(user, consent.client):
        raise NotFound("No such consent.")
    return consent


def disclosures(user: User, client: Client) -> QuerySet[Disclosure]:
    if not access.consent_read_allowed(user, client):
        return Disclosure.objects.none()
    return (
        Disclosure.objects.filter(organization_id=client.organization_id, client=client)
        .select_related(*_PARTY, "disclosed_by", "consent")
        .order_by("-disclosed_at", "-pk")
    )


def get_disclosure(user: User, pk: int) -> Disclosure:
    disclosure = (
        Disclosure.objects.filter(pk=pk, organization_id=access.organization_id(user))
        .select_related("client", *_PARTY, "disclosed_by", "consent")
        .first()
    )
    if disclosure is None or not access.consent_read_allowed(user, disclosure.client):
        raise NotFound("No such disclosure.")
    return disclosure


def shared_with_us(user: User) -> QuerySet[Disclosure]:
    """Disclosures to the user's partner agency, newest first (content: ask the policy)."""
    return (
        _shared_base(user)
        .select_related("client", "organization", "party_organization", "consent")
        .order_by("-disclosed_at", "-pk")
    )


def get_shared(user: User, pk: int) -> Disclosure:
    disclosure = shared_with_us(user).filter(pk=pk).first()
    if disclosure is None:
        raise NotFound("No such disclosure.")
    return disclosure


def viewable_ids(disclosures: list[Disclosure]) -> set[int]:
    """Of these disclosures, those whose content the policy still allows (one query)."""
    if not disclosures:
        return set()
    loaded = list(
        Consent.objects.filter(
            client_id__in={d.client_id for d in disclosures},
            party_key__in={d.party_key for d in disclosures},
        )
    )
    today = timezone.localdate()
    return {
        d.pk
        for d in disclosures
        if decide(
            client=d.client,
            party=Party.of(d),
            purpose=d.purpose,
            categories=d.categories,
            on=today,
            consents=loaded,
        ).allowed
    }


def _shared_base(user: User) -> QuerySet[Disclosure]:
    """Disclosures made to the user's partner agency (the records; content is the policy's)."""
    if not access.is_partner_staff(user):
        return Disclosure.objects.none()
    return Disclosure.objects.filter(
        party_kind=PartyKind.PARTNER_AGENCY, party_organization_id=user.organization_id
    )

"""Consent fixtures: a partner agency that uses Casework, and consents made the short way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.clients.models import Client, Relationship, RelationshipType
from casework.consent import services
from casework.consent.models import Consent, PartyKind
from casework.consent.policy import Party
from casework.core.models import Organization, OrganizationKind, User
from tests.factories import OrganizationFactory, UserFactory
from tests.personas import Personas

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Harbor:
    """A partner agency using Casework, one of its staff, and the persona's client."""

    organization: Organization
    staff: User
    party: Party


@pytest.fixture
def harbor(personas: Personas) -> Harbor:
    org = OrganizationFactory(name="Harbor Legal Aid", slug="harbor", kind=OrganizationKind.PARTNER)
    staff = UserFactory(
        organization=org,
        email="staff@harbor.test",
        first_name="Hana",
        last_name="Bor",
        roles=["partner"],
    )
    return Harbor(organization=org, staff=staff, party=Party.partner(org.pk))


def today() -> date:
    return timezone.localdate()


def sister_of(client: Client) -> Relationship:
    return Relationship.objects.create(
        organization_id=client.organization_id,
        client=client,
        contact_name="Rosa Example",
        relationship_type=RelationshipType.SIBLING,
    )


def consent(
    actor: User,
    client: Client,
    party: Party,
    *,
    purposes: Sequence[str] = ("referral",),
    categories: Sequence[str] = ("identity_contact", "plan"),
    starts: int = -30,
    ends: int = 335,
) -> Consent:
    """A consent signed on screen, effective ``starts`` days from today until ``ends``."""
    return services.consent_record(
        actor=actor,
        client=client,
        party=party,
        fields=services.ConsentFields(
            purposes=purposes,
            categories=categories,
            effective_on=today() + timedelta(days=starts),
            expires_on=today() + timedelta(days=ends),
            signature_method="on_screen",
            signed_name="Client Signature",
            signed_confirmed=True,
            signed_on=today() + timedelta(days=min(starts, 0)),
            witness_name="Casey Manning, case manager",
        ),
    )


def other_party(
    name: str = "Dr. Ada Lovelace", role: str = "Family doctor, Eastside Clinic"
) -> Party:
    return Party(kind=PartyKind.OTHER, name=name, role=role)

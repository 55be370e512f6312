"""Demo consents and disclosures, recorded through the services by each case's manager.

What the demo shows: on the demo case manager's first cases, a consent to share with
the demo partner agency (Harbor Legal Aid) and a disclosure to it, so that
partner@harbor.demo.casework.test sees it under "Shared with us"; a consent to a
family doctor that expires in ten days; a consent to a recovery program that names
substance-use treatment, with a disclosure under it; and a revoked consent whose
earlier disclosure stays on the client's disclosure report.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from casework.clients.models import Case, CaseStatus, Client
from casework.core.models import Organization, OrganizationKind, User

from . import services
from .models import PartyKind
from .policy import Party

DEMO_CASE_MANAGER = "casemanager@"
PARTNER_EMAIL_PREFIX = "partner@"


def _consent(
    actor: User,
    client: Client,
    party: Party,
    *,
    purposes: list[str],
    categories: list[str],
    started_days_ago: int,
    expires_in_days: int,
    witness: str,
) -> None:
    today = timezone.localdate()
    services.consent_record(
        actor=actor,
        client=client,
        party=party,
        fields=services.ConsentFields(
            purposes=purposes,
            categories=categories,
            effective_on=today - timedelta(days=started_days_ago),
            expires_on=today + timedelta(days=expires_in_days),
            signature_method="on_screen",
            signed_name=client.legal_name,
            signed_confirmed=True,
            signed_on=today - timedelta(days=started_days_ago),
            witness_name=witness,
        ),
    )


def _partner(organization: Organization) -> Organization | None:
    partner = (
        User.objects.filter(
            email__startswith=PARTNER_EMAIL_PREFIX,
            organization__kind=OrganizationKind.PARTNER,
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    return partner.organization if partner is not None else None


def seed(*, organization: Organization, seed: int = 1) -> int:
    """Consents on a few active cases and disclosures under them; returns how many consents."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    cases = list(
        Case.objects.filter(
            organization=organization, status=CaseStatus.ACTIVE, case_manager__isnull=False
        )
        .select_related("client", "case_manager")
        .order_by("pk")
    )
    # The demo case manager's cases first: that is whom a newcomer signs in as.
    cases.sort(
        key=lambda c: not (c.case_manager and c.case_manager.email.startswith(DEMO_CASE_MANAGER))
    )
    if len(cases) < 4:
        return 0
    partner = _partner(organization)
    made = 0
    first, second, third, fourth = cases[:4]

    def manager(case: Case) -> User:
        assert case.case_manager is not None  # noqa: S101 - filtered above
        return case.case_manager

    witness = "{name}, case manager"
    if partner is not None:
        harbor = Party.partner(partner.pk)
        _consent(
            manager(first),
            first.client,
            harbor,
            purposes=["referral", "care_coordination"],
            categories=["identity_contact", "assessments", "plan"],
            started_days_ago=rng.randint(20, 60),
            expires_in_days=335,
            witness=witness.format(name=manager(first).get_full_name()),
        )
        services.disclosure_make(
            actor=manager(first),
            client=first.client,
            party=harbor,
            purpose="referral",
            categories=["identity_contact", "plan"],
        )
        made += 1
    doctor = Party(
        kind=PartyKind.OTHER, name="Dr. Priya Raman", role="Family doctor, Eastside Clinic"
    )
    _consent(
        manager(first),
        first.client,
        doctor,
        purposes=["care_coordination"],
        categories=["identity_contact", "plan"],
        started_days_ago=355,
        expires_in_days=10,
        witness=witness.format(name=manager(first).get_full_name()),
    )
    made += 1
    recovery = Party(
        kind=PartyKind.OTHER, name="Northside Recovery Center", role="Outpatient counselor"
    )
    _consent(
        manager(second),
        second.client,
        recovery,
        purposes=["care_coordination"],
        categories=["identity_contact", "plan", "substance_use"],
        started_days_ago=rng.randint(10, 40),
        expires_in_days=180,
        witness=witness.format(name=manager(second).get_full_name()),
    )
    services.disclosure_make(
        actor=manager(second),
        client=second.client,
        party=recovery,
        purpose="care_coordination",
        categories=["identity_contact", "substance_use"],
    )
    made += 1
    housing = Party(kind=PartyKind.OTHER, name="County Housing Authority", role="Intake office")
    _consent(
        manager(third),
        third.client,
        housing,
        purposes=["housing_application"],
        categories=["identity_contact", "assessments"],
        started_days_ago=90,
        expires_in_days=275,
        witness="",
    )
    services.disclosure_make(
        actor=manager(third),
        client=third.client,
        party=housing,
        purpose="housing_application",
        categories=["identity_contact"],
    )
    revoked = third.client.consents.order_by("-pk").first()
    if revoked is not None:
        services.consent_revoke(
            actor=manager(third),
            consent=revoked,
            revoked_on=timezone.localdate(),
            reason="The client found housing elsewhere and asked us to stop sharing.",
        )
    made += 1
    if partner is not None:
        _consent(
            manager(fourth),
            fourth.client,
            Party.partner(partner.pk),
            purposes=["court_report"],
            categories=["identity_contact", "notes"],
            started_days_ago=5,
            expires_in_days=120,
            witness=witness.format(name=manager(fourth).get_full_name()),
        )
        made += 1
    return made

"""Referral fixtures: a small directory, a plan goal with a step, consents made the short way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.clients.models import Case
from casework.consent import services as consent_services
from casework.consent.models import Consent
from casework.consent.policy import Party
from casework.core.models import Organization, OrganizationKind, User
from casework.plans import services as plan_services
from casework.plans.models import ActionStep, Goal, ServicePlan, StepOwner
from casework.referrals import services
from casework.referrals.models import Referral
from casework.resources.models import Location, Provider, Service, ServiceAtLocation
from tests.factories import OrganizationFactory, UserFactory
from tests.personas import Personas


def today() -> date:
    return timezone.localdate()


@dataclass
class Directory:
    """Two providers of the agency's directory: one outside Casework, one a partner agency."""

    food_bank: Provider
    pantry: Service
    pantry_here: ServiceAtLocation
    harbor_org: Organization  # the partner agency using Casework
    harbor_staff: User
    harbor: Provider
    legal_aid: Service


def provider(org: Organization, hsds_id: str, name: str, **extra: object) -> Provider:
    return Provider.objects.create(organization=org, hsds_id=hsds_id, name=name, **extra)


def service(prov: Provider, hsds_id: str, name: str, **extra: object) -> Service:
    return Service.objects.create(
        organization_id=prov.organization_id,
        provider=prov,
        hsds_id=hsds_id,
        name=name,
        description="Groceries once a week",
        **extra,
    )


@pytest.fixture
def directory(personas: Personas) -> Directory:
    agency = personas.agency
    food_bank = provider(agency, "org-food", "Eastside Food Bank")
    pantry = service(food_bank, "svc-pantry", "Weekly pantry")
    place = Location.objects.create(
        organization=agency, hsds_id="loc-1", provider=food_bank, name="Main hall"
    )
    pantry_here = ServiceAtLocation.objects.create(
        organization=agency, hsds_id="sal-1", service=pantry, location=place
    )
    harbor_org = OrganizationFactory(
        name="Harbor Legal Aid", slug="harbor", kind=OrganizationKind.PARTNER
    )
    harbor_staff = UserFactory(
        organization=harbor_org,
        email="staff@harbor.test",
        first_name="Hana",
        last_name="Bor",
        roles=["partner"],
    )
    harbor = provider(agency, "org-harbor", "Harbor Legal Aid", partner_organization=harbor_org)
    legal_aid = service(harbor, "svc-legal", "Tenant legal advice")
    return Directory(
        food_bank=food_bank,
        pantry=pantry,
        pantry_here=pantry_here,
        harbor_org=harbor_org,
        harbor_staff=harbor_staff,
        harbor=harbor,
        legal_aid=legal_aid,
    )


@dataclass
class PlanGoal:
    plan: ServicePlan
    goal: Goal
    step: ActionStep


def plan_goal(
    case_manager: User, supervisor: User, case: Case, *, approve: bool = True
) -> PlanGoal:
    """A plan with a goal and a step for the provider (approved unless told otherwise)."""
    plan = plan_services.plan_create(actor=case_manager, case=case)
    goal = plan_services.goal_add(
        actor=case_manager, plan=plan, client_words="Enough food for the kids", summary="Food"
    )
    plan_services.objective_add(
        actor=case_manager,
        goal=goal,
        description="Groceries every week",
        target_date=today() + timedelta(days=60),
    )
    step = plan_services.step_add(
        actor=case_manager,
        goal=goal,
        description="Register with the food bank",
        owner_kind=StepOwner.PROVIDER,
        owner_name="Eastside Food Bank",
    )
    if approve:
        plan = plan_services.plan_submit(
            actor=case_manager, plan=plan, expected_version=plan.version
        )
        plan = plan_services.plan_approve(
            actor=supervisor, plan=plan, expected_version=plan.version
        )
    return PlanGoal(plan=plan, goal=goal, step=step)


@pytest.fixture
def goal(personas: Personas) -> PlanGoal:
    return plan_goal(personas.case_manager, personas.supervisor, personas.case)


def consent_for(
    actor: User,
    case: Case,
    party: Party,
    *,
    categories: Sequence[str] = ("identity_contact", "plan"),
    purposes: Sequence[str] = ("referral",),
) -> Consent:
    return consent_services.consent_record(
        actor=actor,
        client=case.client,
        party=party,
        fields=consent_services.ConsentFields(
            purposes=purposes,
            categories=categories,
            effective_on=today() - timedelta(days=1),
            expires_on=today() + timedelta(days=365),
            signature_method="on_screen",
            signed_name="Client Signature",
            signed_confirmed=True,
            signed_on=today() - timedelta(days=1),
        ),
    )


def draft(
    personas: Personas,
    svc: Service,
    goal: PlanGoal | None = None,
    *,
    categories: Sequence[str] = ("identity_contact", "plan"),
) -> Referral:
    return services.referral_create(
        actor=personas.case_manager,
        case=personas.case,
        service=svc,
        reason="The family runs out of food at the end of the month.",
        categories=categories,
        goal=goal.goal if goal else None,
        action_step=goal.step if goal else None,
    )


def sent(
    personas: Personas,
    svc: Service,
    goal: PlanGoal | None = None,
    *,
    categories: Sequence[str] = ("identity_contact", "plan"),
) -> Referral:
    """A referral sent under a consent that covers it."""
    consent_for(
        personas.case_manager, personas.case, services.referral_party(svc), categories=categories
    )
    referral = draft(personas, svc, goal, categories=categories)
    return services.referral_send(
        actor=personas.case_manager, referral=referral, expected_version=referral.version
    )

"""Closed-loop referrals in a real browser: from a plan goal to a matched service, consent
found missing and recorded, the referral sent, the provider answering through the secure
link until the service is completed, the loop closed and the goal's step done; and a partner
agency that sees only the consented information, until the consent is revoked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casework.assessments.models import IdentifiedNeed
from casework.consent import services as consent_services
from casework.consent.models import Consent
from casework.core.models import OrganizationKind, User
from casework.plans import services as plan_services
from casework.plans.models import ActionStep, Goal, StepOwner
from casework.referrals.models import Referral, ReferralStatus
from tests.factories import OrganizationFactory, UserFactory
from tests.personas import Personas
from tests.referrals.conftest import plan_goal, provider, sent, service
from tests.resources.conftest import assess_needs, build_directory, place_client

from .test_shell import watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def housing_goal(p: Personas) -> tuple[Goal, ActionStep]:
    """An approved plan whose housing goal has a step owned by the provider."""
    plan = plan_services.plan_create(actor=p.case_manager, case=p.case)
    need = IdentifiedNeed.objects.get(case=p.case, domain="housing")
    goal = plan_services.goal_add(
        actor=p.case_manager,
        plan=plan,
        client_words="A safe place to live with my son",
        summary="Stable housing",
        need_id=need.pk,
    )
    plan_services.objective_add(
        actor=p.case_manager,
        goal=goal,
        description="Move into a shelter room",
        target_date=timezone.localdate() + timedelta(days=60),
    )
    step = plan_services.step_add(
        actor=p.case_manager,
        goal=goal,
        description="Shelter intake interview",
        owner_kind=StepOwner.PROVIDER,
        owner_name="Harbor House",
    )
    plan = plan_services.plan_submit(actor=p.case_manager, plan=plan, expected_version=plan.version)
    plan_services.plan_approve(actor=p.supervisor, plan=plan, expected_version=plan.version)
    return goal, step


def provider_update(page: Page, status: str, *, name: str = "", **details: str) -> None:
    """Answer through the secure link's form, as the provider would."""
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label(status, exact=True).check()
    for label, value in details.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Send the update").click()


def test_from_a_plan_goal_to_a_completed_referral_through_the_secure_link(
    live_server: Any, sign_in_page: SignIn, personas: Personas, browser: Browser
) -> None:
    p = personas
    base = live_server.url
    d = build_directory(p)
    place_client(p, age=34, language="es")
    assess_needs(p, "housing")
    goal, step = housing_goal(p)
    page = sign_in_page(p.case_manager)
    problems = watch_console(page)

    # From the goal on the plan page to the ranked matches, with their reasons.
    page.goto(f"{base}/cases/{p.case.pk}/plan/")
    page.locator(f"#goal-{goal.pk}").get_by_role("link", name="Find a service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matched services")
    expect(page.get_by_text("For the goal “A safe place to live with my son”.")).to_be_visible()
    matches = page.locator("#match-results .match")
    expect(matches.first.get_by_role("heading", level=2)).to_have_text("Family Shelter")
    shelter = matches.filter(has=page.get_by_role("heading", name="Family Shelter"))
    expect(shelter).to_contain_text("Harbor House")
    expect(shelter.locator(".match__reasons")).to_contain_text("34")
    expect(shelter.locator(".match__reasons")).to_contain_text("Spanish")
    expect(page.get_by_role("heading", name="Senior Housing Help")).to_be_visible()
    shelter.get_by_role("link", name="Refer").click()

    # The new referral: consent is missing, and the panel says what.
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    expect(page.get_by_role("heading", name="Family Shelter", level=2)).to_be_visible()
    panel = page.locator("#consent-panel")
    expect(panel).to_contain_text(
        "This referral cannot be sent yet: the client's consent does not cover it."
    )
    expect(panel).to_contain_text(
        "There is no consent from this client for sharing with this party."
    )
    expect(panel).to_contain_text("For sharing with Harbor House, for a referral")
    panel.get_by_role("link", name="Record consent").click()

    # The consent form comes prefilled for this provider and purpose.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent")
    expect(page.get_by_label("Provider", exact=True)).to_have_value(str(d.shelter.provider_id))
    expect(page.get_by_label("Referral", exact=True)).to_be_checked()
    expect(page.get_by_label("Identity and contact details", exact=True)).to_be_checked()
    page.get_by_label("Service plan", exact=True).check()
    page.get_by_label("Signed on screen", exact=True).check()
    page.get_by_label("Client's typed name").fill("Client Signature")
    page.get_by_label(
        "The client read (or had read to them) this consent and signed it themself."
    ).check()
    page.get_by_role("button", name="Record consent").click()

    # Back on the referral: consent now in force; fill it in, save and send.
    expect(page.get_by_role("heading", level=1)).to_have_text("New referral")
    expect(page.get_by_text("The consent is recorded.")).to_be_visible()
    expect(page.get_by_label("Plan goal")).to_have_value(str(goal.pk))
    page.get_by_label("Action step").select_option(str(step.pk))
    page.get_by_label("Service plan", exact=True).check()
    expect(page.locator("#consent-panel")).to_contain_text("Consent in force until")
    page.get_by_label("Reason for the referral").fill(
        "The family must leave their flat at the end of the month."
    )
    page.get_by_role("button", name="Save and send").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral to Family Shelter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent")
    referral = Referral.objects.get()
    assert referral.goal_id == goal.pk and referral.action_step_id == step.pk

    # The secure link for the provider, shown once.
    page.get_by_role("button", name="Make a secure link").click()
    expect(page.get_by_text("Copy it now: it is shown only this once.")).to_be_visible()
    link = page.get_by_label("Link", exact=True).input_value()
    assert link.startswith(f"{base}/r/")

    # The provider, without an account, answers through the link in a browser of their own.
    outside = browser.new_context()
    provider_page = outside.new_page()
    outside_problems = watch_console(provider_page)
    provider_page.goto(link)
    expect(provider_page.get_by_role("heading", level=1)).to_have_text("Referral to Family Shelter")
    expect(provider_page.get_by_role("button", name="Sign out")).to_have_count(0)
    client_section = provider_page.get_by_role("region", name="The client")
    expect(client_section).to_contain_text(p.case.client.last_name)
    provider_update(provider_page, "Accepted", name="Rosa Intake")
    expect(provider_page.get_by_role("region", name="The referral")).to_contain_text("Accepted")
    appointment = (timezone.localtime() + timedelta(days=3)).replace(hour=10, minute=0)
    provider_update(
        provider_page,
        "First appointment scheduled",
        name="Rosa Intake",
        **{"Date and time of the first appointment": appointment.strftime("%Y-%m-%dT%H:%M")},
    )
    expect(provider_page.get_by_role("region", name="The referral")).to_contain_text(
        "First appointment scheduled"
    )
    provider_update(provider_page, "Service started", name="Rosa Intake")
    expect(provider_page.get_by_role("region", name="The referral")).to_contain_text(
        "Service started"
    )
    provider_update(
        provider_page,
        "Service completed",
        name="Rosa Intake",
        **{"How it ended": "The family moved into a shelter room."},
    )
    expect(provider_page.get_by_role("region", name="The referral")).to_contain_text(
        "Service completed"
    )
    expect(provider_page.get_by_text("There is nothing more for you to record.")).to_be_visible()
    timeline = provider_page.get_by_role("region", name="What happened so far")
    expect(timeline).to_contain_text("Rosa Intake")
    outside.close()
    assert outside_problems == []

    # Back at the agency: completed, every step in the timeline; the case manager closes it.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Service completed")
    events = page.get_by_role("region", name="What happened")
    for status in ("Sent", "Accepted", "First appointment scheduled", "Service started"):
        expect(events).to_contain_text(status)
    expect(events).to_contain_text("Rosa Intake")
    page.get_by_label("Closing note").fill("The client confirmed she moved in.")
    page.get_by_role("button", name="Close the referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(page.get_by_role("region", name="The referral")).to_contain_text("done")

    # The plan shows the goal's step done and the referral closed.
    page.get_by_role("region", name="The referral").get_by_role(
        "link", name="“A safe place to live with my son”"
    ).click()
    the_goal = page.locator(f"#goal-{goal.pk}")
    expect(the_goal.locator(f"#step-{step.pk}")).to_contain_text("done")
    expect(the_goal).to_contain_text("Closed")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert problems == []


def test_a_partner_agency_sees_only_the_consented_information_until_consent_is_revoked(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    harbor_org = OrganizationFactory(
        name="Harbor Legal Aid", slug="harbor", kind=OrganizationKind.PARTNER
    )
    harbor_staff: User = UserFactory(
        organization=harbor_org, email="staff@harbor.test", roles=["partner"]
    )
    harbor = provider(p.agency, "org-harbor", "Harbor Legal Aid", partner_organization=harbor_org)
    legal_aid = service(harbor, "svc-legal", "Tenant legal advice")
    other = service(provider(p.agency, "org-food", "Eastside Food Bank"), "svc-food", "Pantry")
    plan_goal(p.case_manager, p.supervisor, p.case)
    sent(p, other)  # to another provider: never shown to Harbor
    referral = sent(p, legal_aid, categories=("identity_contact",))
    client = p.case.client
    page = sign_in_page(harbor_staff)
    problems = watch_console(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals to us").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals to us")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Tenant legal advice")
    expect(rows).to_contain_text("Consent in force")
    expect(rows).not_to_contain_text(client.last_name)
    rows.get_by_role("link", name=f"Referral {referral.pk}").click()

    client_section = page.get_by_role("region", name="The client")
    expect(client_section).to_contain_text(client.last_name)
    expect(client_section.get_by_role("heading", level=3)).to_have_count(1)
    expect(client_section).not_to_contain_text(
        "Enough food for the kids"
    )  # the plan: not consented
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_role("button", name="Send the update").click()
    expect(page.get_by_role("region", name="The referral")).to_contain_text("Accepted")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED

    consent = Consent.objects.get(party_organization=harbor_org)
    consent_services.consent_revoke(
        actor=p.case_manager,
        consent=consent,
        revoked_on=timezone.localdate(),
        reason="The client asked us to stop sharing.",
    )
    page.reload()
    client_section = page.get_by_role("region", name="The client")
    expect(client_section.get_by_role("status")).to_contain_text(
        "The client's consent no longer allows us to show their information."
    )
    expect(page.locator("main")).not_to_contain_text(client.last_name)
    expect(page.locator("main")).not_to_contain_text("The family runs out of food")
    page.get_by_role("link", name="Referrals to us").first.click()
    expect(page.get_by_role("table").locator("tbody tr")).to_contain_text(
        "Consent ended: withdrawn"
    )
    assert problems == []

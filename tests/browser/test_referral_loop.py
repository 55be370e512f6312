"""The loop closes by itself, in a real browser: the case manager sends a referral, the
provider gets the secure link by email, opens it, accepts, and the case manager finds
the answer among the alerts on their home page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from casework.core.models import User
from casework.referrals import services
from casework.referrals.models import Referral, ReferralStatus
from tests.personas import Personas
from tests.referrals.conftest import consent_for, draft, plan_goal, provider, service

from .test_shell import watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def test_the_provider_answers_from_the_emailed_link_and_the_case_manager_is_alerted(
    live_server: Any,
    sign_in_page: SignIn,
    personas: Personas,
    browser: Browser,
    run_tasks: Callable[[], None],
) -> None:
    p = personas
    base = live_server.url
    food_bank = provider(p.agency, "org-food", "Eastside Food Bank")
    pantry = service(food_bank, "svc-pantry", "Weekly pantry", email="intake@eastside-food.test")
    goal = plan_goal(p.case_manager, p.supervisor, p.case)
    consent_for(p.case_manager, p.case, services.referral_party(pantry))
    referral: Referral = draft(p, pantry, goal)

    # The case manager sends the referral; the page says where the link goes.
    page = sign_in_page(p.case_manager)
    problems = watch_console(page)
    page.goto(f"{base}/referrals/{referral.pk}/")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent")
    expect(page.get_by_text("A secure link goes to the provider by email")).to_be_visible()

    # The worker sends the email: a link, and nothing about the client.
    run_tasks()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["intake@eastside-food.test"]
    assert p.case.client.last_name not in email.body
    found = re.search(r"(http\S+/r/[\w-]+/)", email.body)
    assert found is not None, email.body
    assert found[1].startswith(f"{base}/r/")

    # The provider, without an account, opens the link from the email and accepts.
    outside = browser.new_context()
    provider_page = outside.new_page()
    outside_problems = watch_console(provider_page)
    provider_page.goto(found[1])
    expect(provider_page.get_by_role("heading", level=1)).to_have_text("Referral to Weekly pantry")
    expect(provider_page.get_by_role("region", name="The client")).to_contain_text(
        p.case.client.last_name
    )
    provider_page.get_by_label("Your name").fill("Ann Intake")
    provider_page.get_by_label("Accepted", exact=True).check()
    provider_page.get_by_role("button", name="Send the update").click()
    expect(provider_page.get_by_role("region", name="The referral")).to_contain_text("Accepted")
    outside.close()
    assert outside_problems == []

    # The case manager's home page shows the answer as an alert leading to the referral.
    page.goto(f"{base}/")
    alerts = page.get_by_role("region", name="Alerts")
    message = f"Referral {referral.pk} on case {p.case.reference}: the provider answered"
    alert = alerts.get_by_role("link", name=f"{message} “Accepted”.")
    expect(alert).to_be_visible()
    expect(alerts).not_to_contain_text(p.case.client.last_name)
    alert.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accepted")
    expect(page.get_by_role("region", name="What happened")).to_contain_text("Ann Intake")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert problems == []

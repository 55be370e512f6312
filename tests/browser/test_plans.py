"""Service plans in a real browser: a case manager writes a plan and submits it, the
supervisor returns it with a comment, the case manager revises and resubmits, and the
supervisor approves it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.core.models import User
from casework.plans.models import PlanStatus, ServicePlan
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/**")


def test_write_submit_return_revise_and_approve_a_plan(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    base = live_server.url
    page = sign_in_page(p.case_manager)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())

    # The case manager writes the plan, each part added in place.
    page.goto(f"{base}/cases/{p.case.pk}/plan/")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", name="Plan version 1")).to_be_visible()
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal in the client's words").fill("I want my kids home with me.")
    page.get_by_label("Professional summary").fill("Family reunification.")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("heading", name="“I want my kids home with me.”")).to_be_visible()

    page.get_by_role("link", name="Add an objective").click()
    page.get_by_role("textbox", name="Objective", exact=True).fill("Complete the parenting course")
    page.get_by_label("Target date").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Add the objective").click()
    expect(
        page.locator(".plan-item__text", has_text="Complete the parenting course")
    ).to_be_visible()

    page.get_by_role("link", name="Add an action step").click()
    page.get_by_role("textbox", name="Action step", exact=True).fill("Enrol at the family center")
    page.get_by_label("The client", exact=True).check()
    page.get_by_role("button", name="Add the step").click()
    expect(page.locator(".plan-item__text", has_text="Enrol at the family center")).to_be_visible()

    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("The plan is sent to your supervisor for approval.")).to_be_visible()
    expect(page.get_by_text("Waiting for approval").first).to_be_visible()
    sign_out(page)

    # The supervisor finds it on their home page and returns it with a comment.
    sign_in_page(p.supervisor)
    waiting = page.get_by_role("region", name="Plans waiting for your approval")
    waiting.get_by_role("link", name=p.case.reference, exact=False).click()
    page.get_by_label("Comments for the case manager").fill(
        "Please add how progress on the course will be checked."
    )
    page.get_by_role("button", name="Return for revision").click()
    expect(page.get_by_text("The plan is returned to the case manager.")).to_be_visible()
    sign_out(page)

    # The case manager sees it returned, revises the objective and resubmits.
    sign_in_page(p.case_manager)
    returned = page.get_by_role("region", name="Plans returned for revision")
    expect(returned).to_contain_text("Please add how progress on the course will be checked.")
    returned.get_by_role("link", name=p.case.reference, exact=False).click()
    expect(page.get_by_role("status").filter(has_text="Returned for revision by")).to_be_visible()
    page.get_by_role("link", name="Progress Complete the parenting course").wait_for()
    page.get_by_role("link", name="Change Complete the parenting course").click()
    page.get_by_label("How we will know").fill("Certificate of completion")
    page.get_by_role("button", name="Save the objective").click()
    expect(page.get_by_text("How we will know: Certificate of completion")).to_be_visible()
    page.get_by_role("button", name="Resubmit for approval").click()
    expect(page.get_by_text("The plan is sent to your supervisor for approval.")).to_be_visible()
    sign_out(page)

    # The supervisor approves: the plan is in force and the next review is set.
    sign_in_page(p.supervisor)
    page.goto(f"{base}/plans/approvals/")
    page.get_by_role("link", name=p.case.reference).click()
    page.get_by_role("button", name="Approve the plan").click()
    expect(page.get_by_text("The plan is approved and now in force.")).to_be_visible()
    expect(page.get_by_role("heading", name="Plan in force (version 1)")).to_be_visible()

    plan = ServicePlan.objects.get(case=p.case)
    assert plan.status == PlanStatus.APPROVED
    p.case.refresh_from_db()
    assert p.case.next_review_on is not None
    assert problems == []


def test_a_goal_added_after_the_client_signed_asks_for_their_agreement_again(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    from casework.plans import services
    from casework.plans.models import Acknowledgement, ClientAgreement
    from tests.plans.conftest import draft_with_goal

    p = personas
    plan, _goal = draft_with_goal(p.case_manager, p.case)
    plan = services.plan_participation_record(
        actor=p.case_manager,
        plan=plan,
        expected_version=plan.version,
        reviewed_with_client_on=timezone.localdate(),
        client_agreement=ClientAgreement.AGREES,
        client_comments="",
        acknowledgement=Acknowledgement.SIGNED_PAPER,
        acknowledged_on=timezone.localdate(),
    )
    page = sign_in_page(p.case_manager)
    page.goto(f"{live_server.url}/cases/{p.case.pk}/plan/")
    warning = page.get_by_text("The plan has changed since the client agreed to it")
    expect(page.get_by_role("heading", name="Plan version 1")).to_be_visible()
    expect(warning).to_have_count(0)
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("The goal in the client's words").fill("I want to finish school.")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_role("heading", name="“I want to finish school.”")).to_be_visible()
    expect(warning).to_be_visible()

    page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
    expect(page.get_by_text("you agreed to an earlier version of this plan")).to_be_visible()
    expect(page.get_by_text("You signed this plan on")).to_have_count(0)

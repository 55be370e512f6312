"""Signing in and out in a real browser, two-factor set-up, and a clean CSP."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def collect_console_problems(page: Page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_a_case_manager_signs_in_and_out(live_server, page: Page, personas: Personas) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.get_by_label("Email").fill(personas.case_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("navigation").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_a_wrong_password_is_explained(live_server, page: Page, personas: Personas) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Email").fill(personas.case_manager.email)
    page.get_by_label("Password").fill("not my password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".auth-panel").get_by_role("alert")).to_contain_text("do not match")


def test_pages_break_no_content_security_policy_rule(
    live_server, page: Page, personas: Personas, sign_in_page
) -> None:
    problems = collect_console_problems(page)
    sign_in_page(personas.supervisor)
    for path in ["/", "/account/", "/cases/", f"/cases/{personas.case.pk}/", "/api/v1/docs"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []


def test_two_factor_set_up_and_used(live_server, page: Page, personas: Personas, sign_in_page):
    sign_in_page(personas.case_manager)
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("code.secret-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_role("textbox", name="Authentication code").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(personas.case_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/sign-in/code/"))
    page.get_by_role("textbox", name="Authentication code").fill(
        totp.at(time.time() + totp.interval)  # the set-up code is spent; use the next one
    )
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")

"""Intake in a real browser: receive, screen, accept with the suggested case manager."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.clients.models import Case, CaseStatus
from casework.core.models import Program, User
from casework.intake import services
from tests.factories import ClientFactory
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def test_intake_receives_screens_and_accepts_an_application(
    live_server: Any, sign_in_page: SignIn, personas: Personas, browser: Any
) -> None:
    p = personas
    Program.objects.filter(pk=p.program.pk).update(
        eligibility_rules=[
            {"criterion": "age", "operator": "at_least", "value": 18, "label": "Adults 18+"},
            {"criterion": "county", "operator": "in", "value": ["Harbor"], "label": "Harbor"},
            {"criterion": "veteran", "operator": "equals", "value": True, "label": "Veteran"},
        ]
    )
    person = ClientFactory(
        organization=p.agency, first_name="Rosa", last_name="Vega", date_of_birth=date(1985, 3, 2)
    )
    page = sign_in_page(p.intake)
    page.goto(f"{live_server.url}/intake/")
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Client").select_option(str(person.pk))
    page.get_by_label("Program").select_option(str(p.program.pk))
    page.get_by_label("How it came in").select_option("phone")
    page.get_by_label("Housing").check()
    page.get_by_role("button", name="Receive application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application of Rosa Vega")

    page.get_by_text("Record screening answers").click()
    page.get_by_label("Harbor").fill("Harbor")
    page.get_by_label("Veteran").select_option("no")
    page.get_by_role("button", name="Save screening").click()
    table = page.get_by_role("table").filter(has_text="Rule")
    expect(table.get_by_role("row", name=re.compile("Adults 18\\+"))).to_contain_text("Meets")
    expect(table.get_by_role("row", name=re.compile("^Veteran"))).to_contain_text("Does not meet")

    accept = page.locator("section", has=page.get_by_role("heading", name="Accept", exact=True))
    suggested = accept.locator(".suggestion").first
    chosen_name = suggested.locator("label").inner_text().split(" suggested")[0].strip()
    expect(suggested.get_by_role("radio")).to_be_checked()
    accept.get_by_label("Notes").fill("Veteran status is being verified.")
    page.get_by_role("button", name="Accept and assign").click()
    expect(page.get_by_role("status").filter(has_text="Accepted")).to_be_visible()

    case = Case.objects.select_related("case_manager").get(client=person)
    assert case.status == CaseStatus.ACTIVE
    assert case.case_manager is not None
    assert case.case_manager.get_full_name() == chosen_name

    manager_page = browser.new_page()
    manager_page.goto(f"{live_server.url}/sign-in/")
    manager_page.get_by_label("Email").fill(case.case_manager.email)
    manager_page.get_by_label("Password").fill("correct horse battery staple")
    manager_page.get_by_role("button", name="Sign in").click()
    manager_page.wait_for_url(f"{live_server.url}/")
    expect(manager_page.get_by_role("link", name="Rosa Vega")).to_be_visible()


def test_a_long_referrer_address_stays_inside_its_card(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    person = ClientFactory(organization=p.agency, first_name="Lena", last_name="Ortiz")
    domain = "northerncountyhousingauthority" * 3
    address = f"intake.and.eligibility.coordination.team@{domain}.org"
    application = services.application_receive(
        actor=p.intake,
        client=person,
        program=p.program,
        source="agency",
        referring_agency="County Housing Office",
        referring_person="Dana Reyes",
        referring_contact=address,
    )
    page = sign_in_page(p.intake)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/intake/applications/{application.pk}/")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Application"))
    expect(card.get_by_text(address)).to_be_visible()
    overflow = card.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the card overflows by {overflow}px"

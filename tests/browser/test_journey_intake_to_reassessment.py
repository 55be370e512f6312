"""One client's journey through the real UI: registered and accepted at intake, assessed,
reassessed three months later, then seen by the supervisor and hidden from another team.

Set ``CASEWORK_JOURNEY_SCREENSHOTS`` to a directory to keep full-page screenshots of the
application, the completed intake assessment and the reassessment's comparison.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.assessments.models import Instrument, InstrumentVersion
from casework.assessments.shipped import LIFE_DOMAINS, load_shipped_instruments
from casework.core.models import User
from casework.core.services import program_update
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]

FIRST, LAST = "Philippa", "Wrenborough-Tate"
NAME = f"{FIRST} {LAST}"
SCALE = {
    1: "1 – Crisis",
    2: "2 – Vulnerable",
    3: "3 – Safe",
    4: "4 – Building capacity",
    5: "5 – Thriving",
}
EARLIER_SCORES = {"housing": 1, "income": 2, "food": 4, "employment": 2, "safety": 3}
TODAY_SCORES = {"housing": 3, "income": 2, "food": 2, "employment": 4, "safety": 2}


def snap(page: Page, n: int) -> None:
    folder = os.environ.get("CASEWORK_JOURNEY_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"journey-{n}.png"), full_page=True)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").filter(has_text="You are signed out.")).to_be_visible()


def choose(page: Page, question: str, option: str) -> None:
    page.get_by_role("group", name=question).get_by_label(option, exact=True).check()


def start_assessment(page: Page, instrument: str, day: Any) -> None:
    page.get_by_label("Instrument").select_option(label=instrument)
    page.get_by_label("Date of the assessment").fill(day.isoformat())
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(instrument.split(" (")[0])


def fill_needs(page: Page, scores: dict[str, int]) -> None:
    for domain, _label, asked in LIFE_DOMAINS:
        choose(page, asked, SCALE[scores.get(domain, 3)])
    page.get_by_label("I went through these scores with the client").check()


def back_to_assessments(page: Page) -> None:
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Assessments", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")


def test_journey_from_intake_to_reassessment(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    today = timezone.localdate()
    received = today - timedelta(days=120)
    earlier = today - timedelta(days=91)
    load_shipped_instruments(Instrument, InstrumentVersion)
    program_update(
        actor=p.admin,
        program=p.program,
        expected_version=None,
        eligibility_rules=[
            {
                "criterion": "age",
                "operator": "between",
                "value": [18, 64],
                "label": "Adults 18 to 64",
            },
            {
                "criterion": "county",
                "operator": "in",
                "value": ["Harbor", "Riverside"],
                "label": "Lives in Harbor or Riverside county",
            },
            {"criterion": "homeless", "operator": "equals", "value": True, "label": "Homeless now"},
            {
                "criterion": "monthly_income",
                "operator": "at_most",
                "value": 2500,
                "label": "Monthly income of $2,500 or less",
            },
        ],
    )

    page = sign_in_page(p.intake)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None
        ),
    )

    # 1. Intake registers the person: the duplicate check finds no one, so it registers.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Register a person").click()
    page.get_by_role("textbox", name="First name", exact=True).fill(FIRST)
    page.get_by_role("textbox", name="Last name", exact=True).fill(LAST)
    page.get_by_label("Date of birth", exact=True).fill("1988-07-15")
    page.get_by_label("Preferred language").select_option(label="English")
    page.get_by_role("button", name="Check and register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_role("status").filter(has_text=f"{NAME} is registered.")).to_be_visible()
    expect(page.get_by_text("This person may already have a record")).to_have_count(0)
    expect(page.get_by_text("No cases yet: this person is an applicant.")).to_be_visible()
    registered = re.search(r"/clients/(\d+)/$", page.url)
    assert registered is not None
    client_id = registered.group(1)

    # ...receives an application to Housing Stability for them...
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intake").click()
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Client").select_option(client_id)
    expect(page.get_by_label("Client")).to_contain_text(NAME)
    page.get_by_label("Program").select_option(label="Housing Stability")
    page.get_by_label("Received").fill(received.isoformat())
    page.get_by_label("How it came in").select_option("phone")
    page.get_by_label("Housing").check()
    page.get_by_label("In the applicant's own words").fill("I need a safe place to live.")
    page.get_by_role("button", name="Receive application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application of {NAME}")
    expect(page.get_by_role("status").filter(has_text="is in screening")).to_be_visible()

    # ...screens it: age comes from the date of birth; one rule fails, one needs information.
    page.get_by_text("Record screening answers").click()
    page.get_by_label("Lives in Harbor or Riverside county").fill("Riverside")
    page.get_by_label("Homeless now").select_option(label="No")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_role("status").filter(has_text="Screening answers saved.")).to_be_visible()
    rules = page.get_by_role(
        "table", name="Each eligibility rule of the program and whether the applicant meets it"
    )
    expect(rules.get_by_role("row", name=re.compile("^Adults 18 to 64"))).to_contain_text("Meets")
    expect(rules.get_by_role("row", name=re.compile("^Lives in Harbor"))).to_contain_text("Meets")
    expect(rules.get_by_role("row", name=re.compile("^Homeless now"))).to_contain_text(
        "Does not meet"
    )
    expect(rules.get_by_role("row", name=re.compile("^Monthly income"))).to_contain_text(
        "Needs information"
    )
    expect(page.get_by_text("Does not meet at least one eligibility rule.")).to_be_visible()
    snap(page, 1)

    # ...and accepts it, choosing the case manager from the suggestions.
    accept = page.get_by_role("region", name="Accept", exact=True)
    casey = accept.get_by_role("radio", name=re.compile(r"^Casey Manning"))
    casey.check()
    expect(casey).to_be_checked()
    expect(casey).to_have_accessible_description(
        re.compile("Speaks English, the client's preferred language.")
    )
    accept.get_by_label("Notes").fill("Doubled up with family and about to lose it; accepted.")
    accept.get_by_role("button", name="Accept and assign").click()
    expect(
        page.get_by_role("status").filter(has_text="is active with Casey Manning.")
    ).to_be_visible()
    sign_out(page)

    # 2. The case manager finds the new case on My work and opens it.
    sign_in_page(p.case_manager)
    my_cases = page.get_by_role("region", name="My active cases")
    my_cases.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Case "))
    expect(page.get_by_role("region", name="Case", exact=True)).to_contain_text(NAME)
    case_url = page.url
    page.get_by_role("link", name="All assessments, or start one").click()

    # The comprehensive intake assessment, saved partway once.
    start_assessment(page, "Comprehensive intake assessment (version 1)", earlier)
    choose(page, "Where is the client living now?", "With family or friends")
    page.get_by_label("What brings the client to us now?").fill("Her cousin needs the room back.")
    choose(page, "Does the client have a safe place to stay tonight?", "Yes")
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    page.reload()
    expect(page.get_by_label("What brings the client to us now?")).to_have_value(
        "Her cousin needs the room back."
    )
    page.get_by_label("What is going well").fill("Steady part-time job; close to her cousin.")
    page.get_by_label("What would the client like their life to look like").fill(
        "A lease in her own name near work."
    )
    page.get_by_label("The client heard this summary read back").check()
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is complete.")).to_be_visible()
    snap(page, 2)

    # The life-domains needs assessment, dated about three months ago.
    back_to_assessments(page)
    start_assessment(page, "Life-domains needs assessment (version 1)", earlier)
    fill_needs(page, EARLIER_SCORES)
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is complete.")).to_be_visible()
    needs = page.get_by_role("table", name="Identified needs")
    for domain in ("Housing", "Income", "Employment"):
        expect(needs.get_by_role("rowheader", name=domain)).to_be_visible()

    # The reassessment today: housing and employment better, food and safety worse.
    back_to_assessments(page)
    start_assessment(page, "Life-domains needs assessment (version 1)", today)
    fill_needs(page, TODAY_SCORES)
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is complete.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Scores and change since the last assessment")
    ).to_be_visible()
    change = page.get_by_role("table", name="Each score, the previous score and the change")

    def row(domain: str) -> Any:
        return change.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=domain, exact=True)
        )

    expect(row("Housing")).to_contain_text("↑ up 2")
    expect(row("Employment")).to_contain_text("↑ up 2")
    expect(row("Food")).to_contain_text("↓ down 2")
    expect(row("Safety")).to_contain_text("↓ down 1")
    expect(row("Income")).to_contain_text("no change")
    chart = page.get_by_role("img", name="Score per domain: previous and now")
    expect(chart).to_be_visible()
    expect(page.locator("#chart-desc")).to_contain_text("Housing: 1 then 3")
    reassessment_url = page.url
    snap(page, 3)
    assert problems == []
    sign_out(page)

    # 3. The supervisor of the team opens the case and the reassessment.
    sign_in_page(p.supervisor)
    page.goto(case_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Case "))
    case_card = page.get_by_role("region", name="Case", exact=True)
    expect(case_card).to_contain_text("Casey Manning")
    expect(case_card).to_contain_text("North team")
    page.goto(reassessment_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Life-domains needs assessment")
    expect(
        page.get_by_role("table", name="Each score, the previous score and the change")
    ).to_be_visible()
    sign_out(page)

    # The colleague on the other team gets the not-found page for the same case.
    sign_in_page(p.colleague)
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    expect(page.get_by_text(NAME)).to_have_count(0)

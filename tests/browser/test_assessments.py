"""Assessment in a real browser: intake and needs assessments, then a reassessment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.assessments.models import Instrument, InstrumentVersion
from casework.assessments.shipped import LIFE_DOMAINS, load_shipped_instruments
from casework.core.models import User
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def start(page: Page, base: str, case_id: int, instrument: str, day: Any) -> None:
    page.goto(f"{base}/cases/{case_id}/assessments/")
    page.get_by_label("Instrument").select_option(label=instrument)
    page.get_by_label("Date of the assessment").fill(day.isoformat())
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(instrument.split(" (")[0])


def choose(page: Page, question: str, option: str) -> None:
    page.get_by_role("group", name=question).get_by_label(option, exact=True).check()


def fill_needs(page: Page, scores: dict[str, int]) -> None:
    labels = {
        1: "1 – Crisis",
        2: "2 – Vulnerable",
        3: "3 – Safe",
        4: "4 – Building capacity",
        5: "5 – Thriving",
    }
    for domain, _label, asked in LIFE_DOMAINS:
        choose(page, asked, labels[scores.get(domain, 3)])
    page.get_by_label("I went through these scores with the client").check()


def test_the_case_manager_assesses_and_reassesses(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    load_shipped_instruments(Instrument, InstrumentVersion)
    p = personas
    base = live_server.url
    earlier = timezone.localdate() - timedelta(days=91)
    page = sign_in_page(p.case_manager)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None
        ),
    )

    # The intake assessment, saved partway once.
    start(page, base, p.case.pk, "Comprehensive intake assessment (version 1)", earlier)
    choose(page, "Where is the client living now?", "With family or friends")
    page.get_by_label("What brings the client to us now?").fill("Lost hours at work.")
    plan = page.get_by_label("What is the plan for tonight?")
    choose(page, "Does the client have a safe place to stay tonight?", "No")
    expect(plan).to_be_visible()
    plan.fill("Sister's couch this week.")
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    choose(page, "Does the client have a safe place to stay tonight?", "Yes")
    expect(page.get_by_label("What is the plan for tonight?")).to_be_hidden()
    page.get_by_label("What is going well").fill("Close to her sister; reliable.")
    page.get_by_label("What would the client like their life to look like").fill(
        "A place of my own near the bus line."
    )
    page.get_by_label("The client heard this summary read back").check()
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is complete.")).to_be_visible()

    # The needs assessment, then a reassessment three months later.
    start(page, base, p.case.pk, "Life-domains needs assessment (version 1)", earlier)
    fill_needs(page, {"housing": 1, "income": 2, "food": 4})
    page.get_by_role("button", name="Complete the assessment").click()
    expect(page.get_by_text("The assessment is complete.")).to_be_visible()
    needs = page.get_by_role("table", name="Identified needs")
    expect(needs.get_by_role("rowheader", name="Housing")).to_be_visible()

    start(page, base, p.case.pk, "Life-domains needs assessment (version 1)", timezone.localdate())
    fill_needs(page, {"housing": 3, "income": 2, "food": 2})
    page.get_by_role("button", name="Complete the assessment").click()
    expect(
        page.get_by_role("heading", name="Scores and change since the last assessment")
    ).to_be_visible()
    table = page.get_by_role("table", name="Each score, the previous score and the change")
    housing = table.get_by_role("row", name="Housing", exact=False).first
    expect(housing).to_contain_text("1")
    expect(housing).to_contain_text("up 2")
    expect(table.get_by_role("row").filter(has_text="Food")).to_contain_text("down 2")
    expect(table.get_by_role("row").filter(has_text="Income")).to_contain_text("no change")
    chart = page.get_by_role("img", name="Score per domain: previous and now")
    expect(chart).to_be_visible()
    assert "Housing: 1 then 3" in (page.locator("#chart-desc").text_content() or "")

    page.get_by_label("I confirm that this assessment is accurate and complete.").check()
    page.get_by_role("button", name="Sign the assessment").click()
    expect(page.get_by_text("A signed assessment is locked")).to_be_visible()
    assert problems == []

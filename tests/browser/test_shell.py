"""The page shell in a real browser: navigation per role, htmx updates, the admin area."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.core.models import Program, Team, TeamMembership, User
from tests.factories import CaseFactory, UserFactory
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def main_nav(page: Page) -> Any:
    return page.get_by_role("navigation", name="Main")


def nav_names(page: Page) -> list[str]:
    return [name.strip() for name in main_nav(page).get_by_role("link").all_inner_texts()]


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        ("case_manager", ["My work", "Cases", "Clients", "Tasks", "Appointments", "Directory"]),
        (
            "supervisor",
            [
                "My work",
                "Intake",
                "Cases",
                "Clients",
                "Tasks",
                "Appointments",
                "Directory",
                "Plan approvals",
            ],
        ),
        ("intake", ["My work", "Intake", "Cases", "Clients", "Directory"]),
        ("auditor", ["My work", "Directory", "Audit log", "Record access"]),
        ("admin", ["My work", "Directory", "Administration"]),
        ("partner", ["My work"]),
    ],
)
def test_each_role_is_offered_only_what_it_may_use(
    live_server: Any, sign_in_page: SignIn, personas: Personas, who: str, offered: list[str]
) -> None:
    page = sign_in_page(getattr(personas, who))
    problems = watch_console(page)
    assert nav_names(page) == offered
    expect(page.get_by_role("link", name="Your account", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    for name in offered:
        main_nav(page).get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(main_nav(page).get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
    assert problems == []


def test_a_case_manager_sees_their_case_and_not_a_colleagues(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    page = sign_in_page(p.case_manager)
    mine = page.get_by_role("region", name="My active cases", exact=True)
    expect(mine.get_by_role("link", name=p.case.client.display_name)).to_be_visible()
    mine.get_by_role("link", name=p.case.client.display_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {p.case.reference}")
    expect(page.get_by_role("heading", name="Reassign")).to_have_count(0)

    page.goto(f"{live_server.url}/cases/{p.colleague_case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    expect(page.get_by_text(p.colleague_case.client.display_name)).to_have_count(0)

    page.goto(f"{live_server.url}/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do that"
    )


def test_a_supervisor_sees_caseloads_and_may_reassign(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    page = sign_in_page(p.supervisor)
    expect(page.get_by_role("heading", name="Caseloads on the teams I supervise")).to_be_visible()
    expect(page.get_by_role("cell", name="Casey Manning", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/cases/{p.case.pk}/")
    page.get_by_label("New case manager").select_option(label="Sam Supervisor")
    page.get_by_label("Reason").fill("covering a leave")
    page.get_by_role("button", name="Reassign case").click()
    expect(
        page.get_by_role("status").filter(has_text="is now managed by Sam Supervisor")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="covering a leave", exact=True)).to_be_visible()


def test_an_auditor_reads_the_log_but_no_case(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    page = sign_in_page(p.auditor)
    main_nav(page).get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    page.goto(f"{live_server.url}/cases/{p.case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")


def test_another_agency_cannot_open_a_guessed_case(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    page = sign_in_page(p.outsider)
    for path in (f"/cases/{p.case.pk}/", f"/clients/{p.case.client_id}/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    expect(page.get_by_text(p.case.client.display_name)).to_have_count(0)


def test_filtering_cases_updates_the_table_in_place_and_the_address(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    held = CaseFactory(team=p.team, status="on_hold")
    page = sign_in_page(p.case_manager)
    problems = watch_console(page)
    main_nav(page).get_by_role("link", name="Cases").click()
    results = page.locator("#case-results")
    expect(results.get_by_text(p.case.reference)).to_be_visible()
    page.evaluate("window.__samePage = true")

    page.get_by_label("Status").select_option(label="On hold")
    expect(results.get_by_text(held.reference)).to_be_visible()
    expect(results.get_by_text(p.case.reference)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"status=on_hold"))
    assert page.evaluate("window.__samePage") is True, "the page was reloaded"
    expect(page.locator("#live-region")).to_have_text("1 case found.")

    page.get_by_label("Status").select_option(label="Any open status")
    expect(results.get_by_text(p.case.reference)).to_be_visible()
    page.get_by_role("link", name="Case number").click()
    expect(page).to_have_url(re.compile(r"sort=reference"))
    expect(page.get_by_role("columnheader", name="Case number")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert page.evaluate("window.__samePage") is True
    assert p.case.client.last_name not in page.url
    assert problems == []


def test_an_admin_creates_a_team_and_adds_its_members(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    page = sign_in_page(p.admin)
    problems = watch_console(page)
    main_nav(page).get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Create a team").first.click()
    page.get_by_label("Name").fill("East team")
    page.get_by_label("Program").select_option(label=p.program.name)
    page.get_by_role("button", name="Create team").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Team East team")
    team = Team.objects.get(name="East team", organization=p.agency)
    expect(page).to_have_url(f"{live_server.url}/manage/teams/{team.pk}/")
    page.evaluate("window.__samePage = true")

    page.get_by_label("Staff member").select_option(label="Colin League")
    page.get_by_label("Role in team").select_option(label="Supervisor")
    page.get_by_role("button", name="Add to team").click()
    members = page.locator("#team-members")
    expect(members.get_by_text("Colin League is on the team as Supervisor.")).to_be_visible()
    expect(members.get_by_role("cell", name="Colin League", exact=True)).to_be_visible()
    assert page.evaluate("window.__samePage") is True, "members are updated in place"
    assert TeamMembership.objects.get(team=team, user=p.colleague).role == "supervisor"

    page.once("dialog", lambda dialog: dialog.accept())
    members.get_by_role("button", name="Remove Colin League").click()
    expect(members.get_by_text("Colin League is no longer on the team.")).to_be_visible()
    assert not TeamMembership.objects.filter(team=team).exists()
    assert problems == []


def test_a_program_manager_adds_eligibility_rules_row_by_row(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    manager = UserFactory(organization=personas.agency, roles=["program_manager"])
    page = sign_in_page(manager)
    main_nav(page).get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Create a program").click()
    page.get_by_label("Name").fill("Rapid Rehousing")
    page.get_by_label("Code").fill("rrh")
    page.get_by_label("Rule 1: criterion").select_option(label="Age (years)")
    page.get_by_label("Rule 1: test").select_option(label="is between")
    page.get_by_label("Rule 1: value").fill("18 to 24")
    page.get_by_label("Rule 1: what intake staff read").fill("Young adults")
    page.get_by_role("button", name="Add another rule").click()
    page.get_by_label("New rule: criterion").last.select_option(label="Experiencing homelessness")
    page.get_by_label("New rule: test").last.select_option(label="is")
    page.get_by_label("New rule: value").last.fill("yes")
    page.get_by_label("New rule: what intake staff read").last.fill("Homeless now")
    page.get_by_role("button", name="Create program").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Programs")
    program = Program.objects.get(code="rrh", organization=personas.agency)
    assert program.eligibility_rules == [
        {"criterion": "age", "operator": "between", "value": [18, 24], "label": "Young adults"},
        {"criterion": "homeless", "operator": "equals", "value": True, "label": "Homeless now"},
    ]


def test_keyboard_users_can_skip_to_the_content(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    page = sign_in_page(personas.case_manager)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_pages_fit_a_tablet_screen(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    page = sign_in_page(personas.supervisor)
    page.set_viewport_size({"width": 768, "height": 1024})
    for path in ("/", "/cases/", f"/cases/{personas.case.pk}/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_a_signed_out_partial_update_goes_to_the_sign_in_page(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    page = sign_in_page(personas.case_manager)
    main_nav(page).get_by_role("link", name="Cases").click()
    page.context.clear_cookies()  # as if the session ended while the page stayed open
    page.get_by_label("Status").select_option(label="On hold")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))
    expect(page.locator("#case-results")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")

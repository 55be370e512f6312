"""An admin restricts a record; another team cannot find it; a supervisor breaks glass into
another record with a reason and sees the banner; the privacy officer's report shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from casework.clients.models import Client
from casework.confidentiality.models import BreakGlassGrant
from casework.core.models import TeamRole, User
from casework.monitoring.models import Alert
from tests.factories import CaseFactory, ClientFactory, TeamMembershipFactory
from tests.personas import Personas

pytestmark = pytest.mark.browser


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_restrict_hide_break_glass_and_report(
    personas: Personas, sign_in_page: Callable[[User], Any], live_server: Any
) -> None:
    p = personas
    # A small agency: its admin also sits on the North team.
    TeamMembershipFactory(team=p.team, user=p.admin, role=TeamRole.MEMBER)
    client = ClientFactory(organization=p.agency, first_name="Rosalind", last_name="Quarterfield")
    CaseFactory(team=p.team, case_manager=p.case_manager, client=client)

    page = sign_in_page(p.admin)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    card = page.locator(".restriction-card")
    card.get_by_label("Why is this record restricted?").select_option("domestic_violence")
    card.get_by_role("button", name="Restrict this record").click()
    expect(
        page.get_by_text("The record is restricted to the teams serving this client.")
    ).to_be_visible()
    expect(page.locator(".page-header")).to_contain_text("Restricted record")
    assert Client.objects.get(pk=client.pk).is_restricted
    sign_out(page)

    sign_in_page(p.colleague)
    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("Name").fill("Quarterfield")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#client-results")
    expect(results).to_contain_text("No client")
    expect(results.get_by_role("link", name="Rosalind Quarterfield")).to_have_count(0)
    response = page.goto(f"{live_server.url}/clients/{client.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    sign_out(page)

    other = p.colleague_case.client
    sign_in_page(p.supervisor)
    page.goto(f"{live_server.url}/clients/{other.pk}/")
    expect(
        page.get_by_text("You do not normally have access to this record. Give a reason")
    ).to_be_visible()
    page.get_by_label("Why do you need this record now?").fill(
        "Client called the crisis line; the South team is away."
    )
    page.get_by_role("button", name="Open the record in an emergency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(other.display_name)
    banner = page.locator(".break-glass-banner")
    expect(banner).to_contain_text("under break-glass")
    page.goto(f"{live_server.url}/cases/{p.colleague_case.pk}/")
    expect(page.locator(".break-glass-banner")).to_be_visible()
    assert BreakGlassGrant.objects.filter(user=p.supervisor, client=other).exists()
    sign_out(page)

    assert Alert.objects.filter(recipient=p.auditor, kind="break_glass").exists()
    sign_in_page(p.auditor)
    page.goto(f"{live_server.url}/privacy/access-report/")
    page.get_by_label("Client record number").fill(str(other.pk))
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Who has seen client #{other.pk}")
    expect(page.locator(".grant-list")).to_contain_text("the South team is away")
    rows = page.locator("#report-results tbody tr.access-report__break-glass")
    expect(rows.filter(has_text="client.view")).to_have_count(1)
    expect(rows.filter(has_text="client.break_glass")).to_have_count(1)
    expect(rows.first).to_contain_text("Sam Supervisor")

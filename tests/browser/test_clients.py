"""Intake finds a client, is warned of a possible duplicate, then registers a new person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from casework.clients.models import Client
from casework.core.models import User
from tests.factories import ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.browser


def test_intake_opens_the_existing_record_then_registers_a_new_person(
    personas: Personas, sign_in_page: Callable[[User], Any], live_server: Any
) -> None:
    john = ClientFactory(
        organization=personas.agency,
        first_name="John",
        last_name="Smith",
        date_of_birth=date(1990, 3, 4),
    )
    page = sign_in_page(personas.intake)
    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("Name").fill("smi jo")
    results = page.locator("#client-results")
    # Other synthetic clients may match "smi jo" too (Faker names); John must be among them.
    expect(results).to_contain_text("found")
    expect(results.get_by_role("link", name="John Smith")).to_be_visible()
    assert "smi" not in page.url

    page.get_by_role("link", name="Register a person").click()
    page.locator("#id_first_name").fill("Jon")
    page.locator("#id_last_name").fill("Smyth")
    page.locator("#id_date_of_birth").fill("1990-03-04")
    page.get_by_role("button", name="Check and register").click()
    duplicates = page.locator(".possible-duplicates")
    expect(duplicates).to_contain_text("This person may already have a record")
    expect(duplicates).to_contain_text("name sounds alike (Jon ~ John)")
    expect(duplicates).to_contain_text("same date of birth")
    duplicates.get_by_role("link", name="John Smith").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("John Smith")
    assert page.url.endswith(f"/clients/{john.pk}/")
    assert not Client.objects.filter(first_name="Jon", last_name="Smyth").exists()

    page.goto(f"{live_server.url}/clients/new/")
    page.locator("#id_first_name").fill("Ximena")
    page.locator("#id_last_name").fill("Quintanilla")
    page.locator("#id_date_of_birth").fill("2001-12-24")
    page.get_by_role("button", name="Check and register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ximena Quintanilla")
    expect(page.get_by_text("Ximena Quintanilla is registered.")).to_be_visible()


def test_a_supervisor_compares_two_records_side_by_side_then_merges_them(
    personas: Personas, sign_in_page: Callable[[User], Any], live_server: Any
) -> None:
    from tests.factories import CaseFactory

    p = personas
    keep = p.case.client
    dup = ClientFactory(
        organization=p.agency,
        first_name=keep.first_name,
        last_name=keep.last_name,
        date_of_birth=date(1990, 3, 4),
        pronouns="they/them",
    )
    Client.objects.filter(pk=keep.pk).update(date_of_birth=None, pronouns="she/her")
    CaseFactory(team=p.team, client=dup, case_manager=p.case_manager)
    page = sign_in_page(p.supervisor)
    page.goto(f"{live_server.url}/clients/{keep.pk}/")
    page.get_by_role("link", name="Merge a duplicate into this record").click()
    page.get_by_label("Client number of the duplicate record").fill(str(dup.pk))
    page.get_by_role("button", name="Compare the records").click()

    table = page.get_by_role("table")
    expect(page.get_by_role("heading", name="Check that these are the same person")).to_be_visible()
    expect(page.get_by_text("1 detail differs between the two records")).to_be_visible()
    birth = table.get_by_role("row", name="Date of birth")
    expect(birth).to_contain_text("1990-03-04")
    expect(birth).to_contain_text("Taken from the duplicate")
    pronouns = table.get_by_role("row", name="Pronouns")
    expect(pronouns).to_contain_text("Differs: this record's stays")
    assert not Client.objects.get(pk=dup.pk).is_merged

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Merge these records").click()
    expect(page.get_by_text("The two records are now one.")).to_be_visible()
    assert Client.objects.get(pk=dup.pk).merged_into_id == keep.pk
    assert Client.objects.get(pk=keep.pk).date_of_birth == date(1990, 3, 4)


def test_a_case_manager_updates_an_emergency_contacts_phone(
    personas: Personas, sign_in_page: Callable[[User], Any], live_server: Any
) -> None:
    from casework.clients import services

    p = personas
    client = p.case.client
    services.relationship_add(
        actor=p.case_manager,
        client=client,
        relationship_type="friend",
        contact_name="Ana Ruiz",
        contact_phone="555-123-4567",
        emergency_contact=True,
    )
    page = sign_in_page(p.case_manager)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    page.get_by_role("link", name="Edit Ana Ruiz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit: Ana Ruiz")
    page.get_by_label("Phone").fill("555")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter a phone number of 7 to 15 digits.").first).to_be_visible()
    page.get_by_label("Phone").fill("555-987-6543")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The details of Ana Ruiz are saved.")).to_be_visible()
    household = page.locator("#household")
    expect(household).to_contain_text("555-987-6543")
    expect(household).not_to_contain_text("555-123-4567")


def test_a_case_manager_is_warned_about_a_person_another_team_serves(
    personas: Personas, sign_in_page: Callable[[User], Any], live_server: Any
) -> None:
    from tests.factories import CaseFactory

    sharon = ClientFactory(
        organization=personas.agency,
        first_name="Sharon",
        last_name="Bellamy",
        date_of_birth=date(1996, 5, 14),
    )
    CaseFactory(client=sharon, team=personas.other_team, case_manager=personas.colleague)
    page = sign_in_page(personas.case_manager)
    page.goto(f"{live_server.url}/clients/new/")
    page.locator("#id_first_name").fill("Sharon")
    page.locator("#id_last_name").fill("Bellamy")
    page.locator("#id_date_of_birth").fill("1996-05-14")
    page.get_by_role("button", name="Check and register").click()
    warning = page.locator(".possible-duplicates")
    expect(warning).to_contain_text("A record you cannot see may be this person")
    expect(warning).to_contain_text("Ask intake or your supervisor")
    expect(warning.get_by_role("link")).to_have_count(0)
    assert Client.objects.filter(last_name="Bellamy").count() == 1

    # Told by intake that this is someone else, they confirm, and land where they may look.
    warning.get_by_role(
        "button", name="Intake or a supervisor confirmed: this is a new person"
    ).click()
    expect(page.get_by_text("Intake opens their case")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Page not found")
    assert Client.objects.filter(last_name="Bellamy").count() == 2

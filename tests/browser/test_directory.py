"""The resource directory in a real browser: filters that narrow the results in place, a
service's page with a colleague's note and a fresh verification, and an HSDS import that
shows its progress, then its summary, or every problem of a broken file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.core.models import User
from casework.resources.models import DirectoryImport, ImportStatus, ProviderNote, Service
from tests.personas import Personas
from tests.resources.conftest import build_directory

from .test_shell import watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]
FIXTURES = Path(__file__).parent.parent / "resources" / "fixtures"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def found(page: Page) -> Any:
    return page.locator("#directory-results [data-announce]")


def result_names(page: Page) -> Any:
    return page.locator("#directory-results .match__name")


def test_filters_narrow_the_results_in_place_and_a_colleague_notes_and_verifies_a_service(
    live_server: Any, sign_in_page: SignIn, personas: Personas
) -> None:
    p = personas
    d = build_directory(p)
    Service.objects.filter(pk=d.shelter.pk).update(
        last_verified_on=timezone.localdate() - timedelta(days=800)
    )
    page = sign_in_page(p.case_manager)
    problems = watch_console(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource directory")
    expect(found(page)).to_have_text("5 services found.")
    first_url = page.url

    # Each filter narrows the results without reloading the page; words as they are typed.
    page.get_by_label("Words").press_sequentially("housing")
    expect(found(page)).to_have_text("4 services found.")
    expect(result_names(page)).not_to_contain_text(["Weekend Food Box"])
    page.get_by_label("Category").select_option(label="Older adults")
    expect(found(page)).to_have_text("1 service found.")
    expect(result_names(page)).to_have_text(["Senior Housing Help"])
    page.get_by_label("Category").select_option(label="Housing")
    expect(found(page)).to_have_text("4 services found.")
    page.get_by_label("No fee").check()
    expect(found(page)).to_have_text("3 services found.")
    expect(result_names(page)).not_to_contain_text(["Senior Housing Help"])
    assert "free=on" in page.url and page.url != first_url
    page.get_by_label("Words").clear()
    page.get_by_label("Words").press_sequentially("shelter")
    expect(found(page)).to_have_text("1 service found.")
    expect(page.locator("#live-region")).to_have_text("1 service found.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource directory")

    # The service's page: the four questions, a colleague's note, verification.
    result_names(page).get_by_role("link", name="Family Shelter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Family Shelter")
    expect(page.get_by_role("heading", name="Is the client eligible?")).to_be_visible()
    verified = page.get_by_role("region", name="Last verified")
    expect(verified).to_contain_text("Not verified recently")
    notes = page.get_by_role("region", name="What colleagues know")
    expect(notes).to_contain_text("No notes yet.")
    notes.get_by_label("Kind of note").select_option(label="Contact person")
    notes.get_by_role("textbox", name="Note", exact=True).fill(
        "Ask for the intake desk; answers before noon."
    )
    notes.get_by_label("Contact person").fill("Dana Desk")
    notes.get_by_role("button", name="Add note").click()
    notes = page.get_by_role("region", name="What colleagues know")
    expect(notes).to_contain_text("Ask for the intake desk; answers before noon.")
    expect(notes).to_contain_text("Contact: Dana Desk")
    expect(notes).to_contain_text("Casey Manning")
    page.get_by_role("region", name="Last verified").get_by_role(
        "button", name="Mark verified today"
    ).click()
    verified = page.get_by_role("region", name="Last verified")
    expect(verified).not_to_contain_text("Not verified recently")
    expect(verified).not_to_contain_text("Never")
    assert ProviderNote.objects.get().provider_id == d.shelter.provider_id
    assert Service.objects.get(pk=d.shelter.pk).last_verified_on == timezone.localdate()
    assert problems == []


def upload(page: Page, *files: Path) -> None:
    page.get_by_label("HSDS file").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Check and import").click()


def test_an_admin_imports_an_hsds_file_and_sees_the_progress_then_the_summary(
    live_server: Any, sign_in_page: SignIn, personas: Personas, run_tasks: Callable[[], None]
) -> None:
    page = sign_in_page(personas.admin)
    problems = watch_console(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Import and export (HSDS)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory imports")
    expect(page.get_by_text("No imports yet.")).to_be_visible()

    upload(page, FIXTURES / "hsds3" / "directory.json")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory import")
    status = page.locator("#import-status")
    expect(status.get_by_role("progressbar")).to_be_visible()
    expect(status).to_contain_text("This page updates by itself.")

    run_tasks()
    expect(status.get_by_role("heading", level=2)).to_contain_text("Imported")
    expect(status.get_by_role("progressbar")).to_have_count(0)
    expect(status.get_by_role("status")).to_contain_text("Imported:")
    summary = status.get_by_role("table", name="Rows per table")
    service_row = summary.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="service", exact=True)
    )
    expect(service_row.get_by_role("cell").first).to_have_text("6")
    assert DirectoryImport.objects.get().status == ImportStatus.DONE
    assert Service.objects.filter(organization=personas.agency).count() == 6

    page.get_by_role("link", name="Back to directory imports").click()
    expect(page.get_by_role("table")).to_contain_text("directory.json")
    assert problems == []


def test_a_broken_file_lists_every_problem_with_file_row_and_field(
    live_server: Any, sign_in_page: SignIn, personas: Personas, run_tasks: Callable[[], None]
) -> None:
    page = sign_in_page(personas.admin)
    problems = watch_console(page)
    page.goto(f"{live_server.url}/directory/imports/")
    upload(page, *sorted((FIXTURES / "broken").glob("*.csv")))
    run_tasks()
    status = page.locator("#import-status")
    expect(status.get_by_role("alert")).to_contain_text("Nothing was imported.")
    table = status.get_by_role("table", name="Problems")
    header = table.get_by_role("columnheader")
    expect(header).to_have_text(["File", "Row", "Field", "Problem"])
    twelve = table.get_by_role("row").filter(has_text="is not a whole number")
    expect(twelve.get_by_role("cell")).to_contain_text(
        ["service.csv", "2", "minimum_age", "'twelve' is not a whole number"]
    )
    assert not Service.objects.exists()
    assert problems == []

"""Notes in a real browser: write, autosave, reload, sign, then add an addendum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.core.models import User
from casework.notes.models import Note
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def test_the_case_manager_writes_signs_and_adds_to_a_note(
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
    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    page.goto(f"{base}/cases/{p.case.pk}/")
    page.get_by_role("link", name="Write a note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write a note")
    page.get_by_label("Type of contact").select_option(label="Home visit")
    page.get_by_label("Duration (minutes)").fill("40")
    with page.expect_response(
        lambda r: "/autosave/" in r.url and "heating" in (r.request.post_data or "")
    ) as saved:
        page.get_by_label("Note", exact=True).fill("Visited at home. The heating is broken again.")
    assert saved.value.status == 200
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    note = Note.objects.get()
    expect(page).to_have_url(f"{base}/notes/{note.pk}/edit/")

    # The browser closes; nothing is lost.
    page.reload()
    expect(page.get_by_label("Note", exact=True)).to_have_value(
        "Visited at home. The heating is broken again."
    )
    page.goto(f"{base}/cases/{p.case.pk}/")
    expect(page.get_by_role("heading", name="Drafts not signed")).to_be_visible()
    page.get_by_role("link", name="Home visit").first.click()
    expect(page.get_by_label("Duration (minutes)")).to_have_value("40")

    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    assert any(d.startswith("Sign this note?") for d in dialogs)
    expect(page.get_by_text("Visited at home. The heating is broken again.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)

    page.get_by_label("Addendum").fill("Correction: the landlord had already been told.")
    page.get_by_role("button", name="Add and sign the addendum").click()
    expect(page.get_by_text("Addendum added and signed.")).to_be_visible()
    addendum = page.locator(".addendum")
    expect(addendum).to_contain_text("Correction: the landlord had already been told.")
    expect(addendum).to_contain_text("Added and signed by Casey Manning")
    expect(page.get_by_text("Visited at home. The heating is broken again.")).to_be_visible()
    note.refresh_from_db()
    assert note.is_signed
    assert problems == []

"""Consent in a real browser: record a consent with a signed scan, share under it, revoke it,
and the same share is refused naming the missing consent; the report lists the disclosure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from casework.consent.models import Consent, Disclosure
from casework.core.models import OrganizationKind, User
from tests.factories import OrganizationFactory
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def share_with_harbor(page: Page) -> None:
    page.get_by_label("Partner agency using Casework", exact=True).check()
    page.get_by_label("Partner agency", exact=True).select_option(label="Harbor Legal Aid")
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Identity and contact details", exact=True).check()
    page.get_by_role("button", name="Share", exact=True).click()


def test_consent_share_revoke_then_the_same_share_is_refused(
    live_server: Any, sign_in_page: SignIn, personas: Personas, tmp_path: Path
) -> None:
    p = personas
    OrganizationFactory(name="Harbor Legal Aid", slug="harbor", kind=OrganizationKind.PARTNER)
    scan = tmp_path / "signed-consent.pdf"
    scan.write_bytes(PDF)
    base = live_server.url
    page = sign_in_page(p.case_manager)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{base}/clients/{p.case.client.pk}/")
    expect(page.get_by_text("No consents recorded")).to_be_visible()
    page.get_by_role("link", name="Record consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent")
    page.get_by_label("Partner agency using Casework", exact=True).check()
    page.get_by_label("Partner agency", exact=True).select_option(label="Harbor Legal Aid")
    page.get_by_label("Referral", exact=True).check()
    page.get_by_label("Identity and contact details", exact=True).check()
    page.get_by_label("Service plan", exact=True).check()
    page.get_by_label("Signed on paper (scan attached)", exact=True).check()
    page.get_by_label("Scan of the signed form").set_input_files(str(scan))
    page.get_by_label("Witnessed by").fill("Casey Manning, case manager")
    page.get_by_role("button", name="Record consent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consent to share with Harbor Legal Aid"
    )
    consent = Consent.objects.get()
    assert consent.document_content_type == "application/pdf"
    expect(page.get_by_role("link", name="Download the scan")).to_be_visible()

    page.get_by_role("link", name="Share information").click()
    share_with_harbor(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information shared about")
    disclosure = Disclosure.objects.get()
    assert disclosure.categories == ["identity_contact"]

    page.goto(f"{base}/consents/{consent.pk}/")
    page.get_by_label("Reason").fill("The client asked us to stop sharing.")
    page.get_by_role("button", name="Revoke consent").click()
    expect(page.get_by_text("The consent is revoked")).to_be_visible()

    page.goto(f"{base}/clients/{p.case.client.pk}/share/")
    share_with_harbor(page)
    refusal = page.get_by_role("alert").filter(has_text="Not shared")
    expect(refusal).to_contain_text("The consent was revoked on")
    expect(refusal.get_by_role("link", name="Record a consent that covers this")).to_be_visible()
    assert Disclosure.objects.count() == 1

    page.goto(f"{base}/clients/{p.case.client.pk}/disclosures/")
    expect(page.get_by_role("table")).to_contain_text("Harbor Legal Aid")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
    assert problems == []

"""Consent pages: the client page section, recording, revoking, sharing, the form and reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.consent import services
from casework.consent.models import Consent, Disclosure
from casework.core.models import AuditEvent, User
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import PDF, Harbor, consent, today

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def share_data(harbor: Harbor, *categories: str, purpose: str = "referral") -> dict[str, Any]:
    return {
        "party_kind": "partner_agency",
        "party_organization": harbor.organization.pk,
        "purpose": purpose,
        "categories": list(categories),
    }


def test_the_client_page_lists_consents_by_status_with_the_actions(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    client = p.case.client
    consent(p.case_manager, client, harbor.party)
    expired = consent(p.case_manager, client, harbor.party, starts=-400, ends=-5)
    page = client_as(p.case_manager).get(f"/clients/{client.pk}/")
    html = page.content.decode()
    assert "Consent to share information" in html
    assert "Record consent" in html
    assert "Share information" in html
    assert "In force" in html
    assert "Expired" in html
    assert f"/consents/{expired.pk}/" in html


def test_the_client_page_says_when_there_is_no_consent(personas: Personas, client_as: As) -> None:
    html = (
        client_as(personas.case_manager)
        .get(f"/clients/{personas.case.client.pk}/")
        .content.decode()
    )
    assert "No consents recorded" in html


def test_recording_a_paper_consent_through_the_form(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    web = client_as(p.case_manager)
    form = web.get(
        f"/clients/{p.case.client.pk}/consents/new/?party=org:{harbor.organization.pk}&purpose=referral&categories=plan"
    )
    assert form.status_code == 200
    prefilled = form.content.decode()
    assert re.search(r'value="referral"[^>]*checked', prefilled)
    assert re.search(r'value="plan"[^>]*checked', prefilled)
    assert re.search(rf'value="{harbor.organization.pk}" selected', prefilled)
    response = web.post(
        f"/clients/{p.case.client.pk}/consents/new/",
        {
            "party_kind": "partner_agency",
            "party_organization": harbor.organization.pk,
            "purposes": ["referral"],
            "categories": ["identity_contact", "plan"],
            "effective_on": today().isoformat(),
            "expires_on": (today() + timedelta(days=365)).isoformat(),
            "signature_method": "paper",
            "signed_on": today().isoformat(),
            "witness_name": "Casey Manning",
            "document": SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
        },
    )
    recorded = Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/consents/{recorded.pk}/"
    download = web.get(f"/consents/{recorded.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="consent.document.download").count() == 1


def test_a_consent_form_with_problems_names_each_field(personas: Personas, client_as: As) -> None:
    p = personas
    response = client_as(p.case_manager).post(
        f"/clients/{p.case.client.pk}/consents/new/",
        {"party_kind": "other", "signature_method": "paper", "effective_on": today().isoformat()},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert not Consent.objects.exists()


def test_share_is_refused_without_consent_naming_it_and_offering_to_record_one(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    response = client_as(p.case_manager).post(
        f"/clients/{p.case.client.pk}/share/", share_data(harbor, "identity_contact", "notes")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not shared" in html
    assert "There is no consent from this client for sharing with this party." in html
    assert f"/clients/{p.case.client.pk}/consents/new/?party=org%3A{harbor.organization.pk}" in html
    assert not Disclosure.objects.exists()


def test_share_under_a_consent_records_the_disclosure_and_shows_the_packet(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party)
    web = client_as(p.case_manager)
    response = web.post(
        f"/clients/{p.case.client.pk}/share/", share_data(harbor, "identity_contact")
    )
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/disclosures/{disclosure.pk}/"
    packet = web.get(response["Location"]).content.decode()
    assert "Identity and contact details" in packet
    assert p.case.client.last_name in packet
    assert "Service plan" not in packet


def test_a_partly_covered_share_offers_to_share_only_what_is_covered(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party, categories=["identity_contact"])
    response = client_as(p.case_manager).post(
        f"/clients/{p.case.client.pk}/share/",
        share_data(harbor, "identity_contact", "mental_health"),
    )
    html = response.content.decode()
    assert "The consent does not cover: Mental health." in html
    assert "Share only what the consent covers" in html


def test_revoking_on_the_consent_page(personas: Personas, harbor: Harbor, client_as: As) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    web = client_as(p.case_manager)
    refused = web.post(
        f"/consents/{on_record.pk}/revoke/", {"revoked_on": today().isoformat(), "reason": ""}
    )
    assert refused.status_code == 400
    done = web.post(
        f"/consents/{on_record.pk}/revoke/",
        {"revoked_on": today().isoformat(), "reason": "Client asked."},
    )
    assert done.status_code == 302
    on_record.refresh_from_db()
    assert on_record.revoked_by == p.case_manager
    assert "Revoked" in web.get(f"/consents/{on_record.pk}/").content.decode()


def test_the_printable_form_is_in_the_clients_language_or_english_with_a_note(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    client = p.case.client
    on_record = consent(p.case_manager, client, harbor.party)
    web = client_as(p.case_manager)
    client.preferred_language = "es"
    client.save()
    spanish = web.get(f"/consents/{on_record.pk}/form/").content.decode()
    assert "Autorización para compartir información" in spanish
    assert "Harbor Legal Aid" in spanish
    client.preferred_language = "vi"
    client.save()
    fallback = web.get(f"/consents/{on_record.pk}/form/").content.decode()
    assert "Authorization to share information" in fallback
    assert "has no Vietnamese translation yet" in fallback
    english = web.get(f"/consents/{on_record.pk}/form/?language=en").content.decode()
    assert "Client&#x27;s signature" in english or "Client's signature" in english


def test_the_disclosure_report_lists_every_disclosure(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    client = p.case.client
    consent(p.case_manager, client, harbor.party)
    made = [
        services.disclosure_make(
            actor=p.case_manager,
            client=client,
            party=harbor.party,
            purpose="referral",
            categories=[c],
        )
        for c in ("identity_contact", "plan")
    ]
    web = client_as(p.case_manager)
    for url in (f"/clients/{client.pk}/disclosures/", f"/clients/{client.pk}/disclosures/?print=1"):
        html = web.get(url).content.decode()
        for disclosure in made:
            assert f"/disclosures/{disclosure.pk}/" in html
        assert "Harbor Legal Aid" in html


def test_who_may_see_and_who_may_record(personas: Personas, harbor: Harbor, client_as: As) -> None:
    p = personas
    client = p.case.client
    on_record = consent(p.case_manager, client, harbor.party)
    urls = [
        f"/clients/{client.pk}/consents/",
        f"/consents/{on_record.pk}/",
        f"/consents/{on_record.pk}/form/",
        f"/clients/{client.pk}/disclosures/",
    ]
    for user in (p.case_manager, p.supervisor, p.auditor):
        web = client_as(user)
        for url in urls:
            assert web.get(url).status_code == 200, (user, url)
    auditor = client_as(p.auditor)
    assert auditor.get(f"/clients/{client.pk}/share/").status_code == 403
    assert auditor.get(f"/clients/{client.pk}/consents/new/").status_code == 403
    for user in (p.colleague, p.outsider, p.partner, harbor.staff):
        web = client_as(user)
        for url in [*urls, f"/clients/{client.pk}/share/", f"/clients/{client.pk}/consents/new/"]:
            assert web.get(url).status_code == 404, (user, url)


def test_query_budgets_of_the_list_and_detail_pages(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    client = p.case.client
    first = consent(p.case_manager, client, harbor.party)
    web = client_as(p.case_manager)
    web.get(f"/clients/{client.pk}/consents/")

    def grow() -> None:
        for _ in range(3):
            consent(p.case_manager, client, harbor.party)
            services.disclosure_make(
                actor=p.case_manager,
                client=client,
                party=harbor.party,
                purpose="referral",
                categories=["plan"],
            )

    for url in (
        f"/clients/{client.pk}/consents/",
        f"/clients/{client.pk}/disclosures/",
        f"/clients/{client.pk}/",
        f"/consents/{first.pk}/",
    ):
        assert_constant_queries(lambda url=url: web.get(url), grow)
        grow()
    assert_query_budget(lambda: web.get(f"/clients/{client.pk}/consents/"), 14)
    assert_query_budget(lambda: web.get(f"/consents/{first.pk}/"), 14)

"""The referral letter: plain words, only the consented information, HTML and PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.core.models import AuditEvent, StaffProfile, User
from casework.referrals import letter, services
from casework.referrals.queries_receiving import get_staff_referral
from casework.resources.models import RequiredDocument
from tests.personas import Personas

from .conftest import Directory, PlanGoal, draft, sent

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


@pytest.fixture
def documents(directory: Directory) -> None:
    RequiredDocument.objects.create(
        organization_id=directory.pantry.organization_id,
        hsds_id="doc-1",
        service=directory.pantry,
        document="Proof of address",
    )


def test_the_letter_says_who_we_are_who_the_client_is_and_what_to_bring(
    personas: Personas, directory: Directory, goal: PlanGoal, documents: None, client_as: As
) -> None:
    p = personas
    StaffProfile.objects.filter(user=p.case_manager).update(
        phone="555-0100", job_title="Housing case manager"
    )
    referral = sent(p, directory.pantry, goal)
    _link, token = services.referral_link_create(actor=p.case_manager, referral=referral)
    response = client_as(p.case_manager).get(f"/referrals/{referral.pk}/letter/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Riverside Community Services",
        "Casey Manning",
        "555-0100",
        p.case.client.last_name,
        "Enough food for the kids",
        "Proof of address",
        "The case manager will give you a secure link",  # no email address is known
        "The client&#x27;s consent",
    ):
        assert text in html, text
    assert token not in html
    event = AuditEvent.objects.get(action="referral.view")
    assert event.changes == {"via": "letter", "content_shown": True, "link_id": None}


def test_the_letter_says_the_link_was_emailed_only_when_it_was(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    directory.pantry.email = "intake@eastside-food.test"
    directory.pantry.save(update_fields=["email"])
    referral = sent(personas, directory.pantry)  # sending emails the link
    html = client_as(personas.case_manager).get(f"/referrals/{referral.pk}/letter/").content
    assert b"We have sent you a secure link by email, to intake@eastside-food.test" in html
    assert b"The case manager will give you" not in html


def test_the_goal_is_left_out_when_the_consent_does_not_cover_the_plan(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: As
) -> None:
    referral = sent(personas, directory.pantry, goal, categories=["identity_contact"])
    html = client_as(personas.case_manager).get(f"/referrals/{referral.pk}/letter/").content
    assert b"Enough food for the kids" not in html
    assert personas.case.client.last_name.encode() in html


def test_a_partner_agency_is_told_to_answer_in_casework(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    html = client_as(personas.case_manager).get(f"/referrals/{referral.pk}/letter/").content
    assert b"Referrals to us" in html


def test_a_drafts_letter_holds_no_client_information(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = draft(personas, directory.pantry)
    html = client_as(personas.case_manager).get(f"/referrals/{referral.pk}/letter/").content
    assert b"DRAFT" in html
    assert personas.case.client.last_name.encode() not in html


def test_the_pdf_is_a_real_pdf_with_the_letters_text(
    personas: Personas, directory: Directory, goal: PlanGoal, documents: None
) -> None:
    referral = sent(personas, directory.pantry, goal)
    built, shown = letter.build(get_staff_referral(personas.case_manager, referral.pk))
    assert shown
    plain = letter.render_pdf(built, font_dir=None, compress=False)
    assert plain.startswith(b"%PDF-") and plain.rstrip().endswith(b"%%EOF")
    for text in ("Referral: Weekly pantry", "Proof of address", personas.case.client.last_name):
        assert text.encode("latin-1") in plain, text
    unicode = letter.render_pdf(built)
    assert unicode.startswith(b"%PDF-") and unicode.rstrip().endswith(b"%%EOF")


def test_the_core_font_replaces_what_it_cannot_print() -> None:
    assert letter._latin1("“Ça va” — 漢") == '"Ça va" - ?'


def test_the_pdf_download(personas: Personas, directory: Directory, client_as: As) -> None:
    referral = sent(personas, directory.pantry)
    response = client_as(personas.case_manager).get(f"/referrals/{referral.pk}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.get(action="referral.view").changes["via"] == "letter_pdf"


def test_only_staff_who_may_see_the_case_open_the_letter(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid)
    assert client_as(p.supervisor).get(f"/referrals/{referral.pk}/letter/").status_code == 200
    for user in (p.colleague, p.outsider, p.intake, directory.harbor_staff):
        web = client_as(user)
        assert web.get(f"/referrals/{referral.pk}/letter/").status_code == 404, user.email
        assert web.get(f"/referrals/{referral.pk}/letter.pdf").status_code == 404, user.email

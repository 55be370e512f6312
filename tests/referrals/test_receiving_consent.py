"""Everything the receiving side sees passes through the consent decision, category by category.

For each information category of ``consent.models.Category``: a referral whose consent
covers every category shows that category's content on the provider's secure link, the
partner agency's page and the partner API; the same referral with that one category left
out (of the consent and so of the referral) shows none of it — not in the packet, not in
the timeline's texts (a step "marked done" is plan content, a staff member's note is case
notes), not anywhere on the page. The record behind it holds all of it either way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as WebClient
from django.utils import timezone

from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    IdentifiedNeed,
    Instrument,
    InstrumentVersion,
)
from casework.consent.models import Category
from casework.core.models import User
from casework.notes import services as note_services
from casework.notes.services import NoteFields
from casework.referrals import services
from casework.referrals.models import EventVia, Referral
from casework.resources.models import Service
from tests.personas import Personas

from .conftest import Directory, PlanGoal, consent_for, draft, today

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]

SURNAME = "Quillfeather"
PHONE = "555-0142"
NOTE_TEXT = "Talked through the family budget at the kitchen table."
STAFF_NOTE = "Phoned their intake desk; they will call the client back."
PROVIDER_NOTE = "We can see them on Monday morning."
STEP = "Register with the food bank"

#: Assessment needs: one general, one in each sensitive domain the packet knows.
NEEDS = {
    "housing": "Roof repairs",
    "substance_use": "Alcohol intake",
    "mental_health": "Low mood",
    "safety": "Safety at home",
    "legal": "Court dates",
}

#: What each category puts in front of the receiving side when the consent covers it.
MARKERS: dict[str, tuple[str, ...]] = {
    Category.IDENTITY_CONTACT: (SURNAME, PHONE),
    Category.ASSESSMENTS: ("Areas where help is needed", NEEDS["housing"]),
    Category.PLAN: (
        "Enough food for the kids",  # the goal, in the client's words
        "Groceries every week",  # its objective
        STEP,  # the action step the completed service marked done
    ),
    Category.NOTES: (NOTE_TEXT, STAFF_NOTE),
    Category.SUBSTANCE_USE: ("Substance-use treatment", NEEDS["substance_use"]),
    Category.HIV_STI: ("HIV and sexually transmitted infections",),
    Category.MENTAL_HEALTH: (str(Category.MENTAL_HEALTH.label), NEEDS["mental_health"]),
    Category.DOMESTIC_VIOLENCE: (str(Category.DOMESTIC_VIOLENCE.label), NEEDS["safety"]),
    Category.CRIMINAL_JUSTICE: (str(Category.CRIMINAL_JUSTICE.label), NEEDS["legal"]),
}


def test_every_category_has_its_markers() -> None:
    assert set(MARKERS) == set(Category.values)


def record_everything(p: Personas) -> None:
    """A client record with something in every category the packet can hold."""
    client = p.case.client
    client.last_name = SURNAME
    client.save(update_fields=["last_name"])
    client.phones.create(organization_id=client.organization_id, number=PHONE)
    instrument = Instrument.objects.create(organization=p.agency, code="needs", name="Needs check")
    version = InstrumentVersion.objects.create(instrument=instrument, number=1, created_by=p.admin)
    assessment = Assessment.objects.create(
        organization=p.agency,
        case=p.case,
        client=client,
        instrument_version=version,
        assessor=p.case_manager,
        status=AssessmentStatus.COMPLETED,
    )
    for domain, label in NEEDS.items():
        IdentifiedNeed.objects.create(
            organization=p.agency,
            case=p.case,
            client=client,
            assessment=assessment,
            domain=domain,
            domain_label=label,
            score=Decimal(1),
        )
    note = note_services.note_create(
        actor=p.case_manager,
        case=p.case,
        fields=NoteFields(
            contact_at=timezone.now() - timedelta(hours=2), sections={"body": NOTE_TEXT}
        ),
    )
    note_services.note_sign(actor=p.case_manager, note=note, expected_version=note.version)


def categories_with(category: str, consented: bool) -> list[str]:
    return [c for c in Category.values if consented or c != category]


def send(p: Personas, svc: Service, goal: PlanGoal, categories: list[str]) -> Referral:
    consent_for(p.case_manager, p.case, services.referral_party(svc), categories=categories)
    referral = draft(p, svc, goal, categories=categories)
    return services.referral_send(
        actor=p.case_manager, referral=referral, expected_version=referral.version
    )


def answer_until_completed(p: Personas, referral: Referral, answer: Callable[..., Any]) -> None:
    """A staff member's note on the timeline, then the provider's answers up to completion."""
    referral = services.referral_record(
        actor=p.case_manager,
        referral=referral,
        expected_version=referral.version,
        status="received",
        happened_on=today(),
        note=STAFF_NOTE,
    )
    answer(referral, "accepted", note=PROVIDER_NOTE)
    answer(referral, "started")
    answer(referral, "completed", outcome="Registered; collects every Thursday.")
    # The record holds the plan's step, whatever the receiving side may see of it.
    assert referral.events.filter(step_done=STEP).exists()


def check(text: str, category: str, consented: bool) -> None:
    for marker in MARKERS[category]:
        if consented:
            assert marker in text, f"{marker!r} missing with {category} consented"
        else:
            assert marker not in text, f"{marker!r} shown without consent for {category}"
    # The referral itself (why it was made) and its answers remain either way.
    assert "The family runs out of food" in text
    assert PROVIDER_NOTE in text
    if category != Category.IDENTITY_CONTACT:
        assert SURNAME in text


@pytest.mark.parametrize("consented", [True, False], ids=["consented", "not-consented"])
@pytest.mark.parametrize("category", Category.values)
def test_the_secure_link_shows_a_category_only_with_its_consent(
    personas: Personas,
    directory: Directory,
    goal: PlanGoal,
    client: WebClient,
    category: str,
    consented: bool,
) -> None:
    p = personas
    record_everything(p)
    categories = categories_with(category, consented)
    if category == Category.IDENTITY_CONTACT and not consented:
        # A referral always carries who the client is: without that, none is made at all.
        with pytest.raises(ValidationError, match="identity and contact details"):
            send(p, directory.pantry, goal, categories)
        return
    referral = send(p, directory.pantry, goal, categories)
    link, token = services.referral_link_create(actor=p.case_manager, referral=referral)

    def answer(referral: Referral, status: str, **details: str) -> None:
        services.referral_provider_update(
            referral=referral,
            status=status,
            happened_on=today(),
            via=EventVia.LINK,
            link=link,
            actor_name="Ann Intake",
            **details,
        )

    answer_until_completed(p, referral, answer)
    response = client.get(f"/r/{token}/")
    assert response.status_code == 200
    check(response.content.decode(), category, consented)


@pytest.mark.parametrize("consented", [True, False], ids=["consented", "not-consented"])
@pytest.mark.parametrize("category", Category.values)
def test_the_partner_pages_and_api_show_a_category_only_with_its_consent(
    personas: Personas,
    directory: Directory,
    goal: PlanGoal,
    client_as: As,
    category: str,
    consented: bool,
) -> None:
    p = personas
    record_everything(p)
    categories = categories_with(category, consented)
    if category == Category.IDENTITY_CONTACT and not consented:
        with pytest.raises(ValidationError, match="identity and contact details"):
            send(p, directory.legal_aid, goal, categories)
        return
    referral = send(p, directory.legal_aid, goal, categories)

    def answer(referral: Referral, status: str, **details: str) -> None:
        services.referral_provider_update(
            referral=referral,
            status=status,
            happened_on=today(),
            via=EventVia.PARTNER,
            actor=directory.harbor_staff,
            **details,
        )

    answer_until_completed(p, referral, answer)
    web = client_as(directory.harbor_staff)
    inbox = web.get("/partner/referrals/").content.decode()
    assert f"/partner/referrals/{referral.pk}/" in inbox
    for markers in MARKERS.values():  # the inbox never shows the client's information
        for marker in markers:
            assert marker not in inbox
    page = web.get(f"/partner/referrals/{referral.pk}/")
    assert page.status_code == 200
    check(page.content.decode(), category, consented)
    api = web.get(f"/api/v1/partner/referrals/{referral.pk}")
    assert api.status_code == 200
    check(api.content.decode(), category, consented)

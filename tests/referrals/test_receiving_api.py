"""The receiving side's API: a partner agency lists, reads and answers its referrals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.consent import services as consent_services
from casework.consent.models import Consent
from casework.core.models import User
from casework.referrals.models import ReferralEvent, ReferralStatus
from tests.personas import Personas

from .conftest import Directory, PlanGoal, draft, sent, today

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def test_the_partner_lists_the_referrals_sent_to_them(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    mine = sent(personas, directory.legal_aid)
    draft(personas, directory.legal_aid)
    sent(personas, directory.pantry)
    body = client_as(directory.harbor_staff).get("/api/v1/partner/referrals").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == mine.pk
    assert item["status"] == "sent"
    assert item["service"]["name"] == "Tenant legal advice"
    assert item["from_organization"]["name"] == personas.agency.name
    assert item["content_available"] is True
    assert "client" not in item


def test_the_partner_reads_only_the_consented_information(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid, goal)
    web = client_as(directory.harbor_staff)
    body = web.get(f"/api/v1/partner/referrals/{referral.pk}").json()
    assert [s["category"] for s in body["client"]] == ["identity_contact", "plan"]
    assert body["reason"].startswith("The family runs out of food")
    assert body["case_manager"]["email"] == "cm@riverside.test"
    assert body["next_statuses"] == ["received", "accepted", "declined", "waitlisted"]
    consent_services.consent_revoke(
        actor=personas.case_manager,
        consent=Consent.objects.get(pk=referral.consent_id),
        revoked_on=today(),
        reason="Client asked.",
    )
    after = web.get(f"/api/v1/partner/referrals/{referral.pk}").json()
    assert after["client"] is None
    assert after["reason"] is None
    assert after["content_available"] is False
    assert personas.case.client.last_name not in str(after)


def test_the_partner_answers_through_the_api(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)
    response = web.post(
        f"/api/v1/partner/referrals/{referral.pk}/status",
        {"status": "waitlisted", "happened_on": today().isoformat(), "note": "Six weeks."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "waitlisted"
    event = ReferralEvent.objects.filter(referral=referral).latest("pk")
    assert (event.status, event.via, event.note) == ("waitlisted", "partner", "Six weeks.")


def test_a_wrong_answer_names_the_field(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    response = client_as(directory.harbor_staff).post(
        f"/api/v1/partner/referrals/{referral.pk}/status",
        {"status": "declined", "happened_on": today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "decline_reason" in response.json()["error"]["fields"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_only_partner_staff_of_the_receiving_agency_use_the_api(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.pantry)  # not to Harbor
    harbor = client_as(directory.harbor_staff)
    assert harbor.get(f"/api/v1/partner/referrals/{referral.pk}").status_code == 404
    answer = harbor.post(
        f"/api/v1/partner/referrals/{referral.pk}/status",
        {"status": "accepted", "happened_on": today().isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 404
    staff = client_as(personas.case_manager)
    assert staff.get("/api/v1/partner/referrals").status_code == 403
    assert staff.get(f"/api/v1/partner/referrals/{referral.pk}").status_code == 403

"""The referrals API (staff side): lists, drafts, sending under consent, answers, links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.referrals import services
from casework.referrals.models import Referral, ReferralStatus
from tests.factories import TeamMembershipFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import Directory, PlanGoal, consent_for, draft, sent, today

pytestmark = pytest.mark.django_db

API = "/api/v1"
Login = Callable[..., Any]


def body(
    personas: Personas, directory: Directory, goal: PlanGoal, **changes: Any
) -> dict[str, Any]:
    return {
        "service_id": directory.pantry.pk,
        "reason": "Runs out of food",
        "categories": ["identity_contact", "plan"],
        "goal_id": goal.goal.pk,
        "action_step_id": goal.step.pk,
        "match_reasons": [{"fits": True, "text": "Serves the client's area"}],
        **changes,
    }


def test_a_draft_is_made_sent_answered_and_closed(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    made = web.post(
        f"{API}/cases/{personas.case.pk}/referrals",
        body(personas, directory, goal),
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    data = made.json()
    assert data["status"] == "draft"
    assert data["provider"]["name"] == "Eastside Food Bank"
    assert data["events"][0]["status"] == "draft"
    rid, version = data["id"], data["version"]

    refused = web.post(
        f"{API}/referrals/{rid}/send",
        {"expected_version": version},
        content_type="application/json",
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert "consent" in error["fields"]
    assert error["consent"]["missing"] == ["identity_contact", "plan"]
    assert error["consent"]["gaps"][0]["code"] == "no_consent"

    consent_for(personas.case_manager, personas.case, services.referral_party(directory.pantry))
    ok = web.post(
        f"{API}/referrals/{rid}/send",
        {"expected_version": version},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "sent"
    assert ok.json()["disclosure_id"] is not None

    answered = web.post(
        f"{API}/referrals/{rid}/events",
        {
            "expected_version": ok.json()["version"],
            "status": "declined",
            "happened_on": today().isoformat(),
            "decline_reason": "Full",
        },
        content_type="application/json",
    )
    assert answered.status_code == 200
    assert answered.json()["declined_on"] == today().isoformat()
    closed = web.post(
        f"{API}/referrals/{rid}/close",
        {"expected_version": answered.json()["version"]},
        content_type="application/json",
    )
    assert closed.json()["status"] == "closed"
    assert [e["status"] for e in closed.json()["events"]] == ["draft", "sent", "declined", "closed"]


def test_a_draft_is_patched_and_a_stale_version_is_a_409(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = draft(personas, directory.pantry)
    web = client_as(personas.case_manager)
    url = f"{API}/referrals/{referral.pk}"
    patched = web.patch(
        url,
        {"expected_version": referral.version, "urgency": "urgent"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["urgency"] == "urgent"
    assert patched.json()["reason"] == referral.reason
    stale = web.patch(
        url,
        {"expected_version": referral.version, "urgency": "soon"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == referral.version + 1
    null = web.patch(
        url,
        {"expected_version": referral.version + 1, "reason": None},
        content_type="application/json",
    )
    assert null.status_code == 422


def test_bad_fields_are_named(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    response = client_as(personas.case_manager).post(
        f"{API}/cases/{personas.case.pk}/referrals",
        body(personas, directory, goal, categories=["plan"], reason=" "),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {"categories", "reason"} <= set(response.json()["error"]["fields"])


def test_a_link_is_returned_once_with_its_expiry(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry)
    response = client_as(personas.case_manager).post(
        f"{API}/referrals/{referral.pk}/links", {"days": 5}, content_type="application/json"
    )
    assert response.status_code == 201
    token = response.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    assert services.referral_link_find(token=token) is not None


def test_cancel_needs_a_reason(personas: Personas, directory: Directory, client_as: Login) -> None:
    referral = sent(personas, directory.pantry)
    web = client_as(personas.case_manager)
    url = f"{API}/referrals/{referral.pk}/cancel"
    missing = web.post(url, {"expected_version": referral.version}, content_type="application/json")
    assert missing.status_code == 422
    ok = web.post(
        url,
        {"expected_version": referral.version, "reason": "Moved away"},
        content_type="application/json",
    )
    assert ok.json()["status"] == ReferralStatus.CANCELLED


@pytest.mark.parametrize("who", ["colleague", "outsider", "partner"])
def test_others_get_404(
    personas: Personas, directory: Directory, who: str, client_as: Login
) -> None:
    referral = draft(personas, directory.pantry)
    web = client_as(getattr(personas, who))
    assert web.get(f"{API}/referrals/{referral.pk}").status_code == 404
    assert web.get(f"{API}/cases/{personas.case.pk}/referrals").status_code == 404


def test_partner_staff_get_404_on_the_staff_api(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)
    assert web.get(f"{API}/referrals/{referral.pk}").status_code == 404


def test_the_auditor_reads_but_may_not_change(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    TeamMembershipFactory(team=personas.team, user=personas.auditor)
    referral = draft(personas, directory.pantry)
    web = client_as(personas.auditor)
    assert web.get(f"{API}/referrals/{referral.pk}").status_code == 200
    refused = web.post(
        f"{API}/referrals/{referral.pk}/cancel",
        {"expected_version": referral.version, "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Referral.objects.get().status == ReferralStatus.DRAFT


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    url = f"{API}/cases/{personas.case.pk}/referrals"
    sent(personas, directory.pantry)
    # 11, and the list's read in the audit log (5)
    response = assert_query_budget(lambda: web.get(url), 16)
    assert response.json()["count"] == 1
    assert_constant_queries(
        lambda: web.get(url), lambda: [sent(personas, directory.legal_aid) for _ in range(3)]
    )


def test_the_detail_runs_a_bounded_number_of_queries(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    referral = sent(personas, directory.pantry)
    url = f"{API}/referrals/{referral.pk}"
    assert_query_budget(lambda: web.get(url), 20)
    assert_constant_queries(
        lambda: web.get(url),
        lambda: services.referral_record(
            actor=personas.case_manager,
            referral=referral,
            expected_version=None,
            status="received",
            happened_on=today(),
        ),
    )

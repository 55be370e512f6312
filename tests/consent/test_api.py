"""The consent API: consents, the decision, disclosures and a partner's "shared with us"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from casework.consent import services
from casework.consent.models import Disclosure
from casework.core.models import User
from tests.api.conftest import ApiClient, api_as, assert_error, constant_queries, token_for
from tests.personas import Personas

from .conftest import Harbor, consent, today

__all__ = ["api_as", "token_for"]

pytestmark = pytest.mark.django_db

As = Callable[[User], ApiClient]


def party(harbor: Harbor) -> dict[str, Any]:
    return {"kind": "partner_agency", "organization_id": harbor.organization.pk}


def consent_body(harbor: Harbor, **changes: Any) -> dict[str, Any]:
    return {
        "party": party(harbor),
        "purposes": ["referral"],
        "categories": ["identity_contact", "plan"],
        "effective_on": today().isoformat(),
        "expires_on": (today() + timedelta(days=180)).isoformat(),
        "signed_name": "Client Name",
        "signed_confirmed": True,
        "signed_on": today().isoformat(),
        **changes,
    }


def test_record_list_get_and_revoke_a_consent(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    api = api_as(p.case_manager)
    created = api.post(f"/clients/{p.case.client.pk}/consents", consent_body(harbor))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "active"
    assert body["party"]["label"] == "Harbor Legal Aid"
    assert body["signature_method"] == "on_screen"
    listed = api.get(f"/clients/{p.case.client.pk}/consents")
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]
    revoked = api.post(
        f"/consents/{body['id']}/revoke",
        {"revoked_on": today().isoformat(), "reason": "Asked to stop."},
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert api.get(f"/consents/{body['id']}").json()["revoked_reason"] == "Asked to stop."


def test_a_consent_without_confirmation_is_refused_naming_the_field(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    response = api_as(p.case_manager).post(
        f"/clients/{p.case.client.pk}/consents", consent_body(harbor, signed_confirmed=False)
    )
    assert "signed_confirmed" in assert_error(response, 422, "invalid")["fields"]


def test_the_decision_endpoint_names_what_is_missing(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party)
    api = api_as(p.case_manager)
    ask = {"client_id": p.case.client.pk, "party": party(harbor), "purpose": "referral"}
    allowed = api.post("/consent/decision", {**ask, "categories": ["plan"]}).json()
    assert allowed["allowed"] is True
    refused = api.post("/consent/decision", {**ask, "categories": ["plan", "hiv_sti"]}).json()
    assert refused["allowed"] is False
    assert refused["missing"] == ["hiv_sti"]
    assert refused["gaps"][0]["code"] == "categories"
    later = api.post(
        "/consent/decision",
        {**ask, "categories": ["plan"], "on": (today() + timedelta(days=400)).isoformat()},
    ).json()
    assert [g["code"] for g in later["gaps"]] == ["expired"]


def test_sharing_through_the_api_is_refused_without_consent(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    response = api_as(p.case_manager).post(
        f"/clients/{p.case.client.pk}/disclosures",
        {"party": party(harbor), "purpose": "referral", "categories": ["identity_contact"]},
    )
    error = assert_error(response, 422, "invalid")
    assert "no consent" in error["fields"]["consent"][0]
    assert not Disclosure.objects.exists()


def test_sharing_through_the_api_records_a_disclosure(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    api = api_as(p.case_manager)
    made = api.post(
        f"/clients/{p.case.client.pk}/disclosures",
        {"party": party(harbor), "purpose": "referral", "categories": ["plan"]},
    )
    assert made.status_code == 201, made.content
    assert made.json()["consent_id"] == on_record.pk
    assert made.json()["packet"][0]["category"] == "plan"
    listed = api.get(f"/clients/{p.case.client.pk}/disclosures").json()
    assert [d["id"] for d in listed["items"]] == [made.json()["id"]]


def test_who_may_use_the_consent_api(personas: Personas, harbor: Harbor, api_as: As) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    for user in (p.colleague, p.outsider, p.partner, harbor.staff):
        api = api_as(user)
        assert_error(api.get(f"/clients/{p.case.client.pk}/consents"), 404, "not_found")
        assert_error(api.get(f"/consents/{on_record.pk}"), 404, "not_found")
    auditor = api_as(p.auditor)
    assert auditor.get(f"/consents/{on_record.pk}").status_code == 200
    assert_error(
        auditor.post(f"/clients/{p.case.client.pk}/consents", consent_body(harbor)),
        403,
        "permission_denied",
    )


def test_the_partner_api_shows_content_only_while_the_consent_holds(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    disclosure = services.disclosure_make(
        actor=p.case_manager,
        client=p.case.client,
        party=harbor.party,
        purpose="referral",
        categories=["identity_contact"],
    )
    api = api_as(harbor.staff)
    listed = api.get("/shared-with-us").json()
    assert [d["id"] for d in listed["items"]] == [disclosure.pk]
    assert listed["items"][0]["content_available"] is True
    one = api.get(f"/shared-with-us/{disclosure.pk}").json()
    assert one["packet"][0]["category"] == "identity_contact"
    services.consent_revoke(
        actor=p.case_manager, consent=on_record, revoked_on=today(), reason="Stop."
    )
    after = api.get(f"/shared-with-us/{disclosure.pk}").json()
    assert after["content_available"] is False
    assert after["packet"] is None
    assert_error(api_as(p.case_manager).get("/shared-with-us"), 403, "permission_denied")
    assert api.get(f"/clients/{p.case.client.pk}").status_code == 404
    assert api.get("/cases").json()["items"] == []


def test_the_consent_list_runs_constant_queries(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    api = api_as(p.case_manager)
    consent(p.case_manager, p.case.client, harbor.party)
    constant_queries(
        lambda: api.get(f"/clients/{p.case.client.pk}/consents"),
        lambda: consent(p.case_manager, p.case.client, harbor.party),
        budget=12,  # with the list's read in the audit log
    )


def test_the_partner_list_runs_constant_queries(
    personas: Personas, harbor: Harbor, api_as: As
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party)
    api = api_as(harbor.staff)

    def grow() -> None:
        services.disclosure_make(
            actor=p.case_manager,
            client=p.case.client,
            party=harbor.party,
            purpose="referral",
            categories=["plan"],
        )

    grow()
    constant_queries(lambda: api.get("/shared-with-us"), grow, budget=10)
    assert all(d["content_available"] for d in api.get("/shared-with-us").json()["items"])

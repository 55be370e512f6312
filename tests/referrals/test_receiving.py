"""A partner agency in Casework: "Referrals to us", one referral, and its answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from casework.confidentiality import services as confidentiality_services
from casework.consent import services as consent_services
from casework.consent.models import Consent
from casework.core.models import AuditEvent, OrganizationKind, User
from casework.monitoring.models import Task, TaskStatus
from casework.referrals import services
from casework.referrals.models import EventVia, Referral, ReferralEvent, ReferralStatus
from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import assert_constant_queries
from tests.personas import Personas

from .conftest import Directory, PlanGoal, consent_for, draft, provider, sent, service, today

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def detail(web: Any, referral: Referral) -> str:
    response = web.get(f"/partner/referrals/{referral.pk}/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_partner_sees_a_referral_sent_to_them_with_the_consented_information(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: As
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid, goal)
    web = client_as(directory.harbor_staff)
    inbox = web.get("/partner/referrals/").content.decode()
    assert f"/partner/referrals/{referral.pk}/" in inbox
    assert "Tenant legal advice" in inbox
    assert "Consent in force" in inbox
    assert p.case.client.last_name not in inbox  # the list never names the client
    html = detail(web, referral)
    assert p.case.client.last_name in html
    assert "Enough food for the kids" in html  # the plan, consented
    assert "The family runs out of food" in html
    assert "Casey Manning" in html and "cm@riverside.test" in html
    event = AuditEvent.objects.get(action="referral.view")
    assert event.changes["via"] == EventVia.PARTNER
    assert event.changes["content_shown"] is True
    assert event.organization_id == p.agency.pk


def test_the_partner_sees_only_referrals_sent_to_their_organization(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    p = personas
    mine = sent(p, directory.legal_aid)
    a_draft = draft(p, directory.legal_aid)
    to_the_food_bank = sent(p, directory.pantry)
    other_partner = OrganizationFactory(
        name="Bay Tenants", slug="bay", kind=OrganizationKind.PARTNER
    )
    bay = provider(p.agency, "org-bay", "Bay Tenants", partner_organization=other_partner)
    to_another_partner = sent(p, service(bay, "svc-bay", "Tenant union"))
    web = client_as(directory.harbor_staff)
    inbox = web.get("/partner/referrals/").content.decode()
    assert f"/partner/referrals/{mine.pk}/" in inbox
    for other in (a_draft, to_the_food_bank, to_another_partner):
        assert f"/partner/referrals/{other.pk}/" not in inbox
        assert web.get(f"/partner/referrals/{other.pk}/").status_code == 404
    for url in (
        f"/cases/{p.case.pk}/",
        f"/clients/{p.case.client.pk}/",
        f"/referrals/{mine.pk}/letter/",
    ):
        assert web.get(url).status_code == 404, url


def test_a_cancelled_referral_disappears_from_the_partners_view(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    services.referral_cancel(
        actor=personas.case_manager,
        referral=referral,
        expected_version=referral.version,
        reason="The client moved away.",
    )
    web = client_as(directory.harbor_staff)
    assert web.get(f"/partner/referrals/{referral.pk}/").status_code == 404
    assert "No agency has sent" in web.get("/partner/referrals/").content.decode()


def test_agency_staff_may_not_open_referrals_to_us(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    for user in (personas.case_manager, personas.partner, personas.outsider):
        web = client_as(user)
        assert web.get("/partner/referrals/").status_code == 403
        assert web.get(f"/partner/referrals/{referral.pk}/").status_code == 403


def test_only_the_consented_categories_are_shown(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid, goal, categories=["identity_contact", "plan"])
    html = detail(client_as(directory.harbor_staff), referral)
    assert "Identity and contact details" in html
    assert "Service plan" in html
    assert "Assessments" not in html
    assert "Case notes" not in html


def test_revoking_the_consent_stops_the_partners_view(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: As
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid, goal)
    consent = Consent.objects.get(pk=referral.consent_id)
    consent_services.consent_revoke(
        actor=p.case_manager, consent=consent, revoked_on=today(), reason="Client asked."
    )
    web = client_as(directory.harbor_staff)
    html = detail(web, referral)
    assert p.case.client.last_name not in html
    assert "Enough food for the kids" not in html
    assert "The family runs out of food" not in html
    assert "consent no longer allows us to show their information" in html
    assert "Tenant legal advice" in html  # the referral itself stays
    assert "Consent ended" in web.get("/partner/referrals/").content.decode()
    event = AuditEvent.objects.filter(action="referral.view").latest("pk")
    assert event.changes["content_shown"] is False


def test_an_expired_consent_stops_the_partners_view(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    Consent.objects.filter(pk=referral.consent_id).update(
        expires_on=today() - timedelta(days=1), effective_on=today() - timedelta(days=30)
    )
    html = detail(client_as(directory.harbor_staff), referral)
    assert personas.case.client.last_name not in html


def test_a_restricted_client_is_shown_only_through_the_referrals_packet(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid, categories=["identity_contact"])
    confidentiality_services.client_restrict(
        actor=p.admin, client=p.case.client, reason="domestic_violence"
    )
    web = client_as(directory.harbor_staff)
    html = detail(web, referral)
    assert p.case.client.last_name in html  # what the consent covers, as it was sent
    assert "Service plan" not in html
    assert web.get(f"/clients/{p.case.client.pk}/").status_code == 404


def test_the_partner_accepts_and_the_case_manager_gets_the_next_task(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)
    response = web.post(
        f"/partner/referrals/{referral.pk}/",
        {"status": "accepted", "happened_on": today().isoformat(), "note": "Call us Monday."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    event = ReferralEvent.objects.filter(referral=referral).latest("pk")
    assert (event.status, event.via, event.actor) == ("accepted", "partner", directory.harbor_staff)
    task = Task.objects.get(pk=referral.follow_up_task_id)
    assert task.title == "Confirm the first appointment"
    assert task.assignee == personas.case_manager
    assert task.status == TaskStatus.OPEN
    assert "Thank you" in web.get(f"/partner/referrals/{referral.pk}/").content.decode()


def test_declining_without_a_reason_is_refused_next_to_the_field(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    response = client_as(directory.harbor_staff).post(
        f"/partner/referrals/{referral.pk}/",
        {"status": "declined", "happened_on": today().isoformat()},
    )
    assert response.status_code == 400
    assert "Say why the provider declined" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_form_offers_only_the_allowed_next_statuses(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)
    html = detail(web, referral)
    assert 'value="accepted"' in html and 'value="received"' in html
    assert 'value="completed"' not in html and 'value="cancelled"' not in html
    response = web.post(
        f"/partner/referrals/{referral.pk}/",
        {"status": "completed", "happened_on": today().isoformat()},
    )
    assert response.status_code == 400


def test_another_partners_staff_cannot_answer(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    bay = OrganizationFactory(name="Bay Tenants", slug="bay", kind=OrganizationKind.PARTNER)
    stranger = UserFactory(organization=bay, email="s@bay.test", roles=["partner"])
    response = client_as(stranger).post(
        f"/partner/referrals/{referral.pk}/",
        {"status": "accepted", "happened_on": today().isoformat()},
    )
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_the_inbox_filters_new_in_progress_and_closed(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    new = sent(personas, directory.legal_aid)
    accepted = sent(personas, directory.legal_aid)
    services.referral_provider_update(
        referral=accepted,
        status="accepted",
        happened_on=today(),
        via=EventVia.PARTNER,
        actor=directory.harbor_staff,
    )
    web = client_as(directory.harbor_staff)
    fresh = web.get("/partner/referrals/?show=new").content.decode()
    working = web.get("/partner/referrals/?show=in_progress").content.decode()
    done = web.get("/partner/referrals/?show=closed").content.decode()
    assert f"/partner/referrals/{new.pk}/" in fresh
    assert f"/partner/referrals/{accepted.pk}/" not in fresh
    assert f"/partner/referrals/{accepted.pk}/" in working
    assert "No referrals here." in done


def test_the_inbox_runs_constant_queries(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    p = personas
    sent(p, directory.legal_aid)
    web = client_as(directory.harbor_staff)

    def grow() -> None:
        sent(p, directory.legal_aid)
        consent_for(p.colleague, p.colleague_case, services.referral_party(directory.legal_aid))
        other = services.referral_create(
            actor=p.colleague,
            case=p.colleague_case,
            service=directory.legal_aid,
            reason="Eviction notice.",
            categories=["identity_contact", "plan"],
        )
        services.referral_send(actor=p.colleague, referral=other, expected_version=other.version)

    web.get("/partner/referrals/")
    assert_constant_queries(lambda: web.get("/partner/referrals/"), grow)


def test_the_detail_page_runs_constant_queries(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)

    def grow() -> None:
        for status in ("received", "accepted"):
            services.referral_provider_update(
                referral=referral,
                status=status,
                happened_on=today(),
                via=EventVia.PARTNER,
                actor=directory.harbor_staff,
                note="Noted.",
            )

    web.get(f"/partner/referrals/{referral.pk}/")
    assert_constant_queries(lambda: web.get(f"/partner/referrals/{referral.pk}/"), grow)

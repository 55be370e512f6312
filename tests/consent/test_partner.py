"""A partner agency using Casework sees what was shared with it, only while the consent holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.consent import services
from casework.consent.models import Disclosure
from casework.core.models import AuditEvent, User
from tests.helpers import assert_constant_queries
from tests.personas import Personas

from .conftest import Harbor, consent, other_party, today

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def share(p: Personas, harbor: Harbor, *categories: str) -> Disclosure:
    return services.disclosure_make(
        actor=p.case_manager,
        client=p.case.client,
        party=harbor.party,
        purpose="referral",
        categories=list(categories),
    )


def test_the_partner_sees_the_disclosure_while_the_consent_is_in_force(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    disclosure = share(p, harbor, "identity_contact")
    web = client_as(harbor.staff)
    home = web.get("/").content.decode()
    assert "Shared with us" in home
    listing = web.get("/shared-with-us/").content.decode()
    assert f"/shared-with-us/{disclosure.pk}/" in listing
    assert "Consent in force" in listing
    detail = web.get(f"/shared-with-us/{disclosure.pk}/").content.decode()
    assert p.case.client.last_name in detail
    event = AuditEvent.objects.get(action="disclosure.partner_view")
    assert event.changes["content_shown"] is True
    assert event.organization_id == p.agency.pk

    services.consent_revoke(
        actor=p.case_manager, consent=on_record, revoked_on=today(), reason="Stop."
    )
    withdrawn = web.get(f"/shared-with-us/{disclosure.pk}/").content.decode()
    assert p.case.client.last_name not in withdrawn
    assert "no longer in force" in withdrawn
    assert "Consent ended" in web.get("/shared-with-us/").content.decode()
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()
    assert AuditEvent.objects.filter(action="disclosure.partner_view").count() == 2


def test_an_expired_consent_stops_the_partners_view(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    disclosure = share(p, harbor, "plan")
    on_record.expires_on = today().replace(year=today().year - 1)
    on_record.save()
    html = client_as(harbor.staff).get(f"/shared-with-us/{disclosure.pk}/").content.decode()
    assert "no longer in force" in html


def test_partner_staff_see_nothing_else(personas: Personas, harbor: Harbor, client_as: As) -> None:
    p = personas
    consent(p.case_manager, p.case.client, other_party())
    to_someone_else = services.disclosure_make(
        actor=p.case_manager,
        client=p.case.client,
        party=other_party(),
        purpose="referral",
        categories=["plan"],
    )
    web = client_as(harbor.staff)
    assert web.get(f"/shared-with-us/{to_someone_else.pk}/").status_code == 404
    for url in (
        f"/clients/{p.case.client.pk}/",
        f"/cases/{p.case.pk}/",
        f"/clients/{p.case.client.pk}/consents/",
        f"/clients/{p.case.client.pk}/disclosures/",
        f"/disclosures/{to_someone_else.pk}/",
    ):
        assert web.get(url).status_code == 404, url
    assert "Nothing has been shared" in web.get("/shared-with-us/").content.decode()


def test_staff_of_an_agency_may_not_open_shared_with_us(personas: Personas, client_as: As) -> None:
    assert client_as(personas.case_manager).get("/shared-with-us/").status_code == 403


def test_the_shared_with_us_list_runs_constant_queries(
    personas: Personas, harbor: Harbor, client_as: As
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party)
    consent(p.colleague, p.colleague_case.client, harbor.party)
    share(p, harbor, "plan")
    web = client_as(harbor.staff)
    web.get("/shared-with-us/")

    def grow() -> None:
        share(p, harbor, "identity_contact")
        services.disclosure_make(
            actor=p.colleague,
            client=p.colleague_case.client,
            party=harbor.party,
            purpose="referral",
            categories=["plan"],
        )

    assert_constant_queries(lambda: web.get("/shared-with-us/"), grow)

"""A provider without an account answers through a secure link to one referral."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as WebClient
from django.utils import timezone

from casework.consent import services as consent_services
from casework.consent.models import Consent
from casework.core.models import AuditEvent
from casework.monitoring.models import Task
from casework.referrals import services
from casework.referrals.models import (
    EventVia,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralStatus,
)
from tests.helpers import assert_constant_queries
from tests.personas import Personas

from .conftest import Directory, PlanGoal, sent, today

pytestmark = pytest.mark.django_db


def link_to(personas: Personas, referral: Referral) -> tuple[ReferralLink, str]:
    return services.referral_link_create(actor=personas.case_manager, referral=referral)


def test_the_link_opens_exactly_its_referral_without_signing_in(
    personas: Personas, directory: Directory, goal: PlanGoal, client: WebClient
) -> None:
    p = personas
    referral = sent(p, directory.pantry, goal)
    _link, token = link_to(p, referral)
    response = client.get(f"/r/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Weekly pantry" in html
    assert p.case.client.last_name in html
    assert "Enough food for the kids" in html
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert 'name="actor_name"' in html
    event = AuditEvent.objects.get(action="referral.view")
    assert event.actor is None
    assert event.changes["via"] == EventVia.LINK
    assert event.organization_id == p.agency.pk
    # nothing else of the agency opens without signing in
    assert client.get(f"/cases/{p.case.pk}/").status_code == 302


def test_a_link_does_not_open_another_referral(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    first = sent(personas, directory.pantry)
    second = sent(personas, directory.pantry)
    _link, token = link_to(personas, first)
    link = services.referral_link_find(token=token)
    assert link is not None and link.referral_id == first.pk
    with pytest.raises(services.PermissionDenied):
        services.referral_provider_update(
            referral=second,
            status="accepted",
            happened_on=today(),
            via=EventVia.LINK,
            link=link,
            actor_name="Ann",
        )


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "a" * 500])
def test_a_wrong_token_says_the_link_no_longer_works(
    personas: Personas, directory: Directory, client: WebClient, token: str
) -> None:
    link_to(personas, sent(personas, directory.pantry))
    response = client.get(f"/r/{token}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This link no longer works" in html
    assert "ask the agency that sent it" in html
    assert personas.case.client.last_name not in html
    assert response["Referrer-Policy"] == "same-origin"
    assert not AuditEvent.objects.filter(action="referral.view").exists()


def test_an_expired_link_stops_working(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    link, token = link_to(personas, sent(personas, directory.pantry))
    ReferralLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/r/{token}/").status_code == 404


def test_a_revoked_link_stops_working(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    link, token = link_to(personas, sent(personas, directory.pantry))
    assert client.get(f"/r/{token}/").status_code == 200
    services.referral_link_revoke(actor=personas.case_manager, link=link)
    assert client.get(f"/r/{token}/").status_code == 404


def test_the_link_stops_when_the_referral_is_closed(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    referral = sent(personas, directory.pantry)
    _link, token = link_to(personas, referral)
    services.referral_record(
        actor=personas.case_manager,
        referral=referral,
        expected_version=referral.version,
        status="declined",
        happened_on=today(),
        decline_reason="No capacity this month.",
    )
    assert client.get(f"/r/{token}/").status_code == 200  # declined, still open
    services.referral_close(
        actor=personas.case_manager, referral=referral, expected_version=referral.version
    )
    assert client.get(f"/r/{token}/").status_code == 404


def test_the_provider_accepts_through_the_link(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    referral = sent(personas, directory.pantry)
    link, token = link_to(personas, referral)
    response = client.post(
        f"/r/{token}/",
        {"status": "accepted", "happened_on": today().isoformat(), "actor_name": "Ann Intake"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/r/{token}/"
    assert response["Cache-Control"] == "no-store"
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    event = ReferralEvent.objects.filter(referral=referral).latest("pk")
    assert (event.via, event.actor, event.actor_name) == (EventVia.LINK, None, "Ann Intake")
    task = Task.objects.get(pk=referral.follow_up_task_id)
    assert task.title == "Confirm the first appointment"
    assert task.assignee == personas.case_manager
    assert task.created_by == personas.case_manager
    page = client.get(f"/r/{token}/").content.decode()
    assert "Thank you" in page
    assert "Ann Intake" in page
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_the_link_asks_for_a_name_and_the_appointments_date(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    referral = sent(personas, directory.pantry)
    _link, token = link_to(personas, referral)
    nameless = client.post(f"/r/{token}/", {"status": "accepted", "happened_on": today()})
    assert nameless.status_code == 400
    assert "This field is required" in nameless.content.decode()
    client.post(f"/r/{token}/", {"status": "accepted", "happened_on": today(), "actor_name": "Ann"})
    no_time = client.post(
        f"/r/{token}/", {"status": "appointment", "happened_on": today(), "actor_name": "Ann"}
    )
    assert no_time.status_code == 400
    assert "Enter the date and time of the first appointment" in no_time.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_the_link_form_needs_its_csrf_token(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    _link, token = link_to(personas, referral)
    browser = WebClient(enforce_csrf_checks=True)
    data: dict[str, Any] = {"status": "received", "happened_on": today(), "actor_name": "Ann"}
    assert browser.post(f"/r/{token}/", data).status_code == 403
    browser.get(f"/r/{token}/")
    data["csrfmiddlewaretoken"] = browser.cookies[settings.CSRF_COOKIE_NAME].value
    assert browser.post(f"/r/{token}/", data).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_revoking_the_consent_stops_the_links_view(
    personas: Personas, directory: Directory, goal: PlanGoal, client: WebClient
) -> None:
    referral = sent(personas, directory.pantry, goal)
    _link, token = link_to(personas, referral)
    consent_services.consent_revoke(
        actor=personas.case_manager,
        consent=Consent.objects.get(pk=referral.consent_id),
        revoked_on=today(),
        reason="Client asked.",
    )
    html = client.get(f"/r/{token}/").content.decode()
    assert personas.case.client.last_name not in html
    assert "Enough food for the kids" not in html
    assert "consent no longer allows us to show their information" in html


def test_the_link_page_runs_constant_queries(
    personas: Personas, directory: Directory, client: WebClient
) -> None:
    referral = sent(personas, directory.pantry)
    _link, token = link_to(personas, referral)
    client.get(f"/r/{token}/")

    def grow() -> None:
        for status in ("received", "accepted"):
            services.referral_provider_update(
                referral=referral,
                status=status,
                happened_on=today(),
                via=EventVia.LINK,
                link=services.referral_link_find(token=token),
                actor_name="Ann",
                note="Noted.",
            )

    assert_constant_queries(lambda: client.get(f"/r/{token}/"), grow)


def test_an_address_that_tries_many_wrong_links_is_turned_away_for_a_while(
    personas: Personas, directory: Directory, client: WebClient, settings: Any
) -> None:
    from django.core.cache import cache

    settings.CASEWORK_REFERRAL_LINK_MAX_MISSES = 3
    _link, token = link_to(personas, sent(personas, directory.pantry))
    for n in range(3):
        assert client.get(f"/r/wrong-{n}-{'x' * 40}/").status_code == 404
    # Even the right link waits now, and nothing of the referral is shown or read.
    response = client.get(f"/r/{token}/")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many links tried" in html
    assert personas.case.client.last_name not in html
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="referral.view").exists()
    # Another network is not held up.
    assert client.get(f"/r/{token}/", REMOTE_ADDR="192.0.2.7").status_code == 200
    # Once the counter's time has passed (the cache forgets it), the link works again.
    cache.clear()
    assert client.get(f"/r/{token}/").status_code == 200

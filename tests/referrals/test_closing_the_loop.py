"""The loop closes by itself: the provider gets the secure link by email, and each answer
from the receiving side raises an alert for the case manager.

Neither the email nor the alert holds anything about the client: the email says a
referral is waiting behind the link, the alert names the referral and the case number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client as WebClient
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.core.models import AuditEvent, User
from casework.monitoring.models import Alert
from casework.referrals import services
from casework.referrals.models import EventVia, Referral, ReferralLink, ReferralStatus
from casework.resources.models import Service
from tests.personas import Personas

from .conftest import Directory, PlanGoal, sent, today

As = Callable[[User], Any]
RunTasks = Callable[[], None]

ADDRESS = "intake@eastside-food.test"
LINK = re.compile(r"https?://\S+/r/(?P<token>[\w-]+)/")


def with_email(svc: Service, address: str = ADDRESS) -> Service:
    svc.email = address
    svc.save(update_fields=["email"])
    return svc


def client_details(p: Personas) -> list[str]:
    client = p.case.client
    return [
        client.first_name,
        client.last_name,
        client.date_of_birth.isoformat() if client.date_of_birth else "-",
        "The family runs out of food",  # the reason
        "Enough food for the kids",  # the plan
        "Weekly pantry",  # the service: what the client is referred for
    ]


# --- the secure link by email -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sending_emails_the_provider_a_secure_link_and_nothing_about_the_client(
    personas: Personas, directory: Directory, goal: PlanGoal, run_tasks: RunTasks
) -> None:
    p = personas
    referral = sent(p, with_email(directory.pantry), goal)
    assert mail.outbox == []  # from the worker, after the commit
    run_tasks()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [ADDRESS]
    assert "Riverside Community Services" in email.subject
    found = LINK.search(email.body)
    assert found is not None, email.body
    text = email.subject + email.body
    for detail in client_details(p):
        assert detail not in text, detail
    assert "cm@riverside.test" in email.body  # whom to ask
    link = ReferralLink.objects.get(referral=referral)
    assert services.referral_link_find(token=found["token"]) == link
    # The secret is not in the task queue: it is derived again by the worker.
    assert DBTaskResult.objects.exists()
    assert all(found["token"] not in str(r.args_kwargs) for r in DBTaskResult.objects.all())
    emailed = AuditEvent.objects.get(action="referral.link_email")
    assert emailed.changes == {"link_id": link.pk}
    assert emailed.actor is None
    # The provider opens the link from the email.
    page = WebClient().get(f"/r/{found['token']}/")
    assert page.status_code == 200
    assert p.case.client.last_name in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_link_made_by_hand_goes_by_email_too_and_is_the_same_link(
    personas: Personas, directory: Directory, run_tasks: RunTasks
) -> None:
    p = personas
    referral = sent(p, directory.pantry)  # no address yet: nothing goes
    run_tasks()
    assert mail.outbox == []
    assert not ReferralLink.objects.filter(referral=referral).exists()
    with_email(directory.pantry)
    referral = Referral.objects.select_related("service", "provider").get(pk=referral.pk)
    _link, token = services.referral_link_create(
        actor=p.case_manager, referral=referral, base_url="https://casework.example"
    )
    run_tasks()
    assert len(mail.outbox) == 1
    assert f"https://casework.example/r/{token}/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_the_providers_own_address_is_used_when_the_service_has_none(
    personas: Personas, directory: Directory, run_tasks: RunTasks
) -> None:
    directory.food_bank.email = "hello@eastside-food.test"
    directory.food_bank.save(update_fields=["email"])
    sent(personas, directory.pantry)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["hello@eastside-food.test"]]


@pytest.mark.django_db(transaction=True)
def test_a_partner_agency_gets_no_email_it_answers_in_casework(
    personas: Personas, directory: Directory, run_tasks: RunTasks
) -> None:
    with_email(directory.legal_aid, "intake@harbor.test")
    referral = sent(personas, directory.legal_aid)
    run_tasks()
    assert mail.outbox == []
    assert not ReferralLink.objects.filter(referral=referral).exists()


@pytest.mark.django_db(transaction=True)
def test_a_link_revoked_before_the_email_goes_is_not_sent(
    personas: Personas, directory: Directory, run_tasks: RunTasks
) -> None:
    referral = sent(personas, with_email(directory.pantry))
    link = ReferralLink.objects.get(referral=referral)
    services.referral_link_revoke(actor=personas.case_manager, link=link)
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_expired_link_is_not_sent(
    personas: Personas, directory: Directory, run_tasks: RunTasks
) -> None:
    referral = sent(personas, with_email(directory.pantry))
    ReferralLink.objects.filter(referral=referral).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_send_page_says_where_the_link_went(
    personas: Personas, directory: Directory, client_as: As, django_capture_on_commit_callbacks: Any
) -> None:
    from .conftest import consent_for, draft

    p = personas
    with_email(directory.pantry)
    consent_for(p.case_manager, p.case, services.referral_party(directory.pantry))
    referral = draft(p, directory.pantry)
    web = client_as(p.case_manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = web.post(
            f"/referrals/{referral.pk}/send/",
            {"expected_version": referral.version},
            follow=True,
        )
    assert len(callbacks) == 1  # the email, enqueued once the sending is committed
    html = response.content.decode()
    assert f"A secure link goes to the provider by email, to {ADDRESS}" in html


# --- alerts for the case manager --------------------------------------------------------------

#: Each answer of the receiving side, with what it needs, from a referral just sent.
ANSWERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "accepted": [("accepted", {})],
    "declined": [("declined", {"decline_reason": "No places left this month."})],
    "waitlisted": [("waitlisted", {})],
    "appointment": [
        ("accepted", {}),
        ("appointment", {"first_appointment_at": timezone.now() + timedelta(days=3)}),
    ],
    "started": [("accepted", {}), ("started", {})],
    "completed": [("accepted", {}), ("started", {}), ("completed", {})],
    "not_completed": [
        ("accepted", {}),
        ("not_completed", {"outcome": "The client moved out of the area."}),
    ],
}


def answer(referral: Referral, via: str, directory: Directory, status: str, **details: Any) -> None:
    if via == EventVia.LINK:
        link = ReferralLink.objects.filter(referral=referral).first()
        assert link is not None
        services.referral_provider_update(
            referral=referral,
            status=status,
            happened_on=today(),
            via=EventVia.LINK,
            link=link,
            actor_name="Ann Intake",
            note="Ann's note about the client.",
            **details,
        )
    else:
        services.referral_provider_update(
            referral=referral,
            status=status,
            happened_on=today(),
            via=EventVia.PARTNER,
            actor=directory.harbor_staff,
            note="Hana's note about the client.",
            **details,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("via", [EventVia.LINK, EventVia.PARTNER])
@pytest.mark.parametrize("kind", list(ANSWERS))
def test_each_answer_from_the_provider_alerts_the_case_manager(
    personas: Personas, directory: Directory, goal: PlanGoal, kind: str, via: str
) -> None:
    p = personas
    if via == EventVia.LINK:
        referral = sent(p, directory.pantry, goal)
        services.referral_link_create(actor=p.case_manager, referral=referral)
    else:
        referral = sent(p, directory.legal_aid, goal)
    for status, details in ANSWERS[kind]:
        answer(referral, via, directory, status, **details)
    assert referral.status == kind
    answers = Alert.objects.filter(kind="referral_answer")
    alerts = list(answers.filter(recipient=p.case_manager).order_by("pk"))
    assert len(alerts) == len(ANSWERS[kind])  # one for each answer
    alert = alerts[-1]
    assert alert.kind == "referral_answer"
    assert alert.case == p.case
    assert alert.link == f"/referrals/{referral.pk}/"
    assert alert.is_open
    label = str(ReferralStatus(kind).label)
    assert alert.message == (
        f"Referral {referral.pk} on case {p.case.reference}: the provider answered “{label}”."
    )
    for detail in [*client_details(p), "note about the client", "Eastside", "Harbor"]:
        assert detail not in alert.message, detail
    # Nobody else hears of it.
    assert not answers.exclude(recipient=p.case_manager).exists()


@pytest.mark.django_db
def test_received_and_answers_the_staff_record_themselves_raise_no_alert(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid)
    answer(referral, EventVia.PARTNER, directory, "received")
    referral = services.referral_record(
        actor=p.case_manager,
        referral=referral,
        expected_version=referral.version,
        status="accepted",
        happened_on=today(),
    )
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_the_alert_goes_to_the_cases_manager_of_the_day(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid)
    p.case.case_manager = p.colleague
    p.case.save(update_fields=["case_manager"])
    referral.case.case_manager = p.colleague
    answer(referral, EventVia.PARTNER, directory, "accepted")
    assert [a.recipient for a in Alert.objects.all()] == [p.colleague]


@pytest.mark.django_db
def test_closing_the_referral_settles_its_answer_alerts(
    personas: Personas, directory: Directory
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid)
    other = sent(p, directory.legal_aid)
    answer(referral, EventVia.PARTNER, directory, "declined", decline_reason="Full.")
    answer(other, EventVia.PARTNER, directory, "accepted")
    services.referral_close(actor=p.case_manager, referral=referral, expected_version=None)
    open_alerts = Alert.objects.filter(dismissed_at__isnull=True)
    assert [a.link for a in open_alerts] == [f"/referrals/{other.pk}/"]


@pytest.mark.django_db
def test_the_answer_alert_is_on_the_case_managers_home_page(
    personas: Personas, directory: Directory, client_as: As
) -> None:
    p = personas
    referral = sent(p, directory.legal_aid)
    answer(referral, EventVia.PARTNER, directory, "accepted")
    html = client_as(p.case_manager).get("/").content.decode()
    assert f'href="/referrals/{referral.pk}/"' in html
    assert f"Referral {referral.pk} on case {p.case.reference}" in html

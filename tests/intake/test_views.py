"""Intake pages: queue, new application, the application page and its decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.clients.models import Case, CaseStatus
from casework.core.models import AuditEvent, Program, User
from casework.intake import services
from casework.intake.models import Application, ApplicationDocument
from tests.factories import ClientFactory
from tests.helpers import assert_constant_queries
from tests.personas import Personas

from .conftest import receive

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]


def test_the_queue_shows_screening_waitlist_and_decisions(
    personas: Personas, program: Program, client_as: SignIn
) -> None:
    p = personas
    waiting = receive(p)
    listed = receive(p)
    services.application_waitlist(
        actor=p.intake, application=listed, priority=1, expected_version=None
    )
    web = client_as(p.intake)
    html = web.get(reverse("intake-queue")).content.decode()
    assert waiting.client.display_name in html
    assert listed.client.display_name not in html
    assert "1 application in screening." in html
    html = web.get(reverse("intake-queue"), {"tab": "waitlist"}).content.decode()
    assert listed.client.display_name in html
    assert "1 – Urgent" in html
    partial = web.get(
        reverse("intake-queue"), {"tab": "decided"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial
    assert "1 decision in the past 30 days." in partial


def test_query_counts_stay_constant_as_the_queue_grows(
    personas: Personas, program: Program, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.intake)

    def grow() -> None:
        for _ in range(3):
            a = receive(p, source="agency", referring_agency="Clinic")
            b = receive(p)
            services.application_waitlist(
                actor=p.intake, application=b, priority=2, expected_version=None
            )
            services.application_decline(
                actor=p.intake,
                application=a,
                reason="withdrew",
                referral_elsewhere="Food bank",
                expected_version=None,
            )

    receive(p)
    web.get(reverse("intake-queue"))  # the first request of a session writes bookkeeping
    for tab in ("screening", "waitlist", "decided"):
        assert_constant_queries(
            lambda tab=tab: web.get(reverse("intake-queue"), {"tab": tab}), grow
        )


def test_query_counts_stay_constant_on_the_application_page(
    personas: Personas, program: Program, client_as: SignIn
) -> None:
    p = personas
    application = receive(p)
    services.application_waitlist(
        actor=p.intake, application=application, priority=4, expected_version=None
    )
    web = client_as(p.intake)
    url = reverse("intake-application", args=[application.pk])

    def grow() -> None:
        for n in range(3):
            application.refresh_from_db()
            services.application_waitlist(
                actor=p.intake, application=application, priority=n + 1, expected_version=None
            )
            services.document_upload(
                actor=p.intake,
                application=application,
                kind="other",
                upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
            )
            receive(p)

    web.get(url)  # the first request of a session writes bookkeeping
    assert_constant_queries(lambda: web.get(url), grow)


def test_intake_receives_screens_and_accepts_through_the_pages(
    personas: Personas, program: Program, client_as: SignIn
) -> None:
    p = personas
    person = ClientFactory(organization=p.agency)
    web = client_as(p.intake)
    form = web.get(reverse("intake-application-new")).content.decode()
    assert f'value="{person.pk}"' in form
    response = web.post(
        reverse("intake-application-new"),
        {"client": person.pk, "program": program.pk, "source": "agency", "received_on": ""},
    )
    assert response.status_code == 400
    assert "Referring agency" in response.content.decode()
    response = web.post(
        reverse("intake-application-new"),
        {
            "client": person.pk,
            "program": program.pk,
            "source": "phone",
            "received_on": "2025-01-02",
            "presenting_needs": ["housing", "income"],
        },
    )
    application = Application.objects.get(client=person)
    url = reverse("intake-application", args=[application.pk])
    assert response.status_code == 302
    assert response["Location"] == url
    html = web.get(url).content.decode()
    assert "Needs information" in html
    assert "Meets" in html  # age from the date of birth
    response = web.post(
        reverse("intake-screening", args=[application.pk]),
        {
            "expected_version": application.version,
            "answer_household_income_percent_fpl": "80",
            "answer_county": "Harbor",
        },
    )
    assert response.status_code == 302
    html = web.get(url).content.decode()
    assert "Does not meet" in html
    assert "80 is above 50" in html
    application.refresh_from_db()
    response = web.post(
        reverse("intake-accept", args=[application.pk]),
        {"expected_version": application.version, "case_manager": p.case_manager.pk},
    )
    assert response.status_code == 400
    assert "note why the team accepts" in response.content.decode()
    response = web.post(
        reverse("intake-accept", args=[application.pk]),
        {
            "expected_version": application.version,
            "case_manager": p.case_manager.pk,
            "notes": "Income drops next month.",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=application.case_id).status == CaseStatus.ACTIVE


def test_a_stale_decision_is_refused_with_an_explanation(
    personas: Personas, application: Application, client_as: SignIn
) -> None:
    p = personas
    response = client_as(p.intake).post(
        reverse("intake-waitlist", args=[application.pk]),
        {"expected_version": application.version + 5, "priority": 2},
    )
    assert response.status_code == 409
    assert "Someone else saved" in response.content.decode()


def test_who_may_see_and_decide_on_the_page(
    personas: Personas, application: Application, client_as: SignIn
) -> None:
    p = personas
    url = reverse("intake-application", args=[application.pk])
    Case.objects.filter(pk=application.case_id).update(team=p.team)
    html = client_as(p.case_manager).get(url).content.decode()
    assert "Record screening answers" in html
    assert "Accept and assign" not in html
    response = client_as(p.case_manager).post(
        reverse("intake-decline", args=[application.pk]),
        {"expected_version": 1, "reason": "withdrew", "referral_elsewhere": "x"},
    )
    assert response.status_code == 403
    for who in (p.outsider, p.auditor):
        assert client_as(who).get(url).status_code == 404
    assert client_as(p.case_manager).get(reverse("intake-application-new")).status_code == 403


def test_documents_download_through_an_audited_access_check(
    personas: Personas, application: Application, client_as: SignIn
) -> None:
    p = personas
    response = client_as(p.intake).post(
        reverse("intake-document-upload", args=[application.pk]),
        {"kind": "referral", "file": SimpleUploadedFile("letter.pdf", b"%PDF-1.7 synthetic")},
    )
    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    url = reverse("intake-document", args=[document.pk])
    assert str(document.pk) in url and "letter" not in url
    response = client_as(p.intake).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 synthetic"
    assert 'attachment; filename="letter.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="application.document.download").count() == 1
    for who in (p.outsider, p.auditor, p.colleague):
        assert client_as(who).get(url).status_code == 404
    bad = client_as(p.intake).post(
        reverse("intake-document-upload", args=[application.pk]),
        {"kind": "referral", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert bad.status_code == 400
    assert "Upload a PDF, PNG or JPEG" in bad.content.decode()


@pytest.mark.parametrize("who", ["case_manager", "auditor", "admin", "partner", "outsider"])
def test_only_intake_and_supervisors_open_the_queue(
    personas: Personas, client_as, who: str
) -> None:
    response = client_as(getattr(personas, who)).get(reverse("intake-queue"))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["intake", "supervisor"])
def test_intake_and_supervisors_see_the_queue_in_the_navigation(
    personas: Personas, client_as, who: str
) -> None:
    response = client_as(getattr(personas, who)).get(reverse("home"))
    assert reverse("intake-queue") in response.content.decode()

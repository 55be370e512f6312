"""Pages: the restriction card, the break-glass offer behind a 404, the banner, the report."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from casework.clients.models import Client
from casework.clients.services import client_record_viewed
from casework.confidentiality import services
from casework.confidentiality.models import BreakGlassGrant
from casework.core.models import AuditEvent, User
from casework.plans.services import plan_create
from tests.factories import CaseFactory, NoteFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .helpers import restricted_case

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
OFFER = "You do not normally have access to this record"


def without_tokens(html: str) -> str:
    return re.sub(r'(CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+"', "", html)


def test_an_admin_sees_the_restriction_card_and_restricts(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.colleague_case.client
    services.break_glass_open(actor=p.admin, client=client, reason="Asked to restrict it today.")
    web = client_as(p.admin)
    html = web.get(reverse("client-detail", args=[client.pk])).content.decode()
    assert "Restrict this record" in html
    response = web.post(
        reverse("client-restriction", args=[client.pk]),
        {"restriction-reason": "domestic_violence"},
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.is_restricted
    html = web.get(reverse("client-detail", args=[client.pk])).content.decode()
    assert "Lift the restriction" in html
    web.post(reverse("client-restriction", args=[client.pk]), {"lift": "1"})
    client.refresh_from_db()
    assert not client.is_restricted


def test_the_card_is_for_admins_only(personas: Personas, client_as: SignIn) -> None:
    p = personas
    url = reverse("client-detail", args=[p.case.client_id])
    assert "Restrict this record" not in client_as(p.supervisor).get(url).content.decode()
    response = client_as(p.supervisor).post(
        reverse("client-restriction", args=[p.case.client_id]), {"restriction-reason": "staff"}
    )
    assert response.status_code == 403
    assert not Client.objects.get(pk=p.case.client_id).is_restricted


def test_a_restricted_client_is_not_found_by_another_team_in_search(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = restricted_case(p)
    url = reverse("client-list")
    mine = client_as(p.case_manager).post(url, {"name": "Quarterfield"}).content.decode()
    assert "Quarterfield" in mine
    for user in (p.colleague, p.intake):
        theirs = client_as(user).post(url, {"name": "Quarterfield"}).content.decode()
        assert f"/clients/{case.client_id}/" not in theirs


def test_registering_a_restricted_client_again_warns_without_detail(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = restricted_case(p)
    response = client_as(p.intake).post(
        reverse("client-register"),
        {
            "first_name": "Rosalind",
            "last_name": "Quarterfield",
            "date_of_birth": case.client.date_of_birth.isoformat(),
            "name_data_quality": 1,
            "dob_data_quality": 1,
            "preferred_language": "en",
            "veteran_status": 99,
            "ssn_data_quality": 99,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "A restricted record may match; ask an agency admin" in html
    assert f"/clients/{case.client_id}/" not in html
    assert Client.objects.filter(last_name="Quarterfield").count() == 1


def test_a_plain_404_for_someone_who_may_not_break_glass(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = restricted_case(p)
    web = client_as(p.colleague)
    for url in (
        reverse("client-detail", args=[case.client_id]),
        reverse("case-detail", args=[case.pk]),
    ):
        response = web.get(url)
        assert response.status_code == 404
        assert OFFER not in response.content.decode()
    missing = web.get(reverse("client-detail", args=[999999])).content.decode()
    existing = web.get(reverse("client-detail", args=[case.client_id])).content.decode()
    assert without_tokens(missing) == without_tokens(existing)


def test_a_supervisor_not_on_a_restricted_clients_team_gets_a_plain_404(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = restricted_case(p)
    other_supervisor = p.supervisor
    case.team = p.other_team
    case.case_manager = p.colleague
    case.save()
    response = client_as(other_supervisor).get(reverse("client-detail", args=[case.client_id]))
    assert response.status_code == 404
    assert OFFER not in response.content.decode()


def test_a_supervisor_is_offered_break_glass_and_sees_the_banner(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = p.colleague_case
    web = client_as(p.supervisor)
    url = reverse("case-detail", args=[case.pk])
    offer = web.get(url)
    assert offer.status_code == 404
    html = offer.content.decode()
    assert OFFER in html
    assert case.client.last_name not in html
    refused = web.post(reverse("client-break-glass", args=[case.client_id]), {"reason": ""})
    assert refused.status_code == 400
    response = web.post(
        reverse("client-break-glass", args=[case.client_id]),
        {"reason": "Client in crisis; their team is away.", "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    page = web.get(url).content.decode()
    assert "under break-glass" in page
    assert BreakGlassGrant.objects.filter(user=p.supervisor, client=case.client).exists()
    client_page = web.get(reverse("client-detail", args=[case.client_id]))
    assert client_page.status_code == 200
    assert AuditEvent.objects.filter(action="client.view", actor=p.supervisor).exists()


def test_break_glass_does_not_redirect_elsewhere(personas: Personas, client_as: SignIn) -> None:
    p = personas
    case = p.colleague_case
    response = client_as(p.supervisor).post(
        reverse("client-break-glass", args=[case.client_id]),
        {"reason": "Client in crisis; their team is away.", "next": "https://evil.test/"},
    )
    assert response["Location"] == reverse("client-detail", args=[case.client_id])


def test_the_break_glass_page_is_a_plain_404_for_a_case_manager(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    url = reverse("client-break-glass", args=[p.colleague_case.client_id])
    assert client_as(p.case_manager).get(url).status_code == 404
    response = client_as(p.case_manager).post(url, {"reason": "Client in crisis right now."})
    assert response.status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_the_privacy_officer_reads_who_has_seen_a_record(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.colleague_case.client
    client_as(p.colleague).get(reverse("client-detail", args=[client.pk]))
    client_as(p.colleague).get(f"/cases/{p.colleague_case.pk}/notes/")
    services.break_glass_open(actor=p.supervisor, client=client, reason="Client in crisis now.")
    client_as(p.supervisor).get(reverse("client-detail", args=[client.pk]))
    web = client_as(p.auditor)
    html = web.get(reverse("client-access-report", args=[client.pk])).content.decode()
    assert "Client in crisis now." in html
    assert "Break-glass granted" in html
    assert "Under break-glass" in html
    assert p.colleague.email in html
    assert '<code>case.view</code> notes <span class="help">(web)</span>' in html
    assert client.last_name not in html
    lookup = web.post(reverse("access-report-lookup"), {"client": client.pk})
    assert lookup["Location"] == reverse("client-access-report", args=[client.pk])


def test_the_report_filters_by_date(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.colleague_case.client
    client_as(p.colleague).get(reverse("client-detail", args=[client.pk]))
    url = reverse("client-access-report", args=[client.pk])
    web = client_as(p.auditor)
    past = web.get(url, {"date_from": "2001-01-01", "date_to": "2001-01-31"}).content.decode()
    assert "Nothing was read or changed in this period." in past
    wrong = web.get(url, {"date_from": "2001-02-01", "date_to": "2001-01-01"}).content.decode()
    assert "The last day comes before the first." in wrong


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "admin"])
def test_only_privacy_officers_open_the_report(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    url = reverse("client-access-report", args=[p.case.client_id])
    assert client_as(getattr(p, who)).get(url).status_code == 403


def test_the_report_page_runs_constant_queries(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.colleague_case.client
    web = client_as(p.auditor)
    url = reverse("client-access-report", args=[client.pk])
    web.get(url)

    def grow() -> None:
        for _ in range(3):
            services.break_glass_open(actor=p.supervisor, client=client, reason="Crisis again.")
            client_record_viewed(actor=p.colleague, client=client, via="web")
            CaseFactory(team=p.other_team, client=client)

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 9)


def test_every_page_of_a_case_record_offers_break_glass_behind_its_404(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    case = p.colleague_case
    note = NoteFactory(case=case, author=p.colleague)
    plan = plan_create(actor=p.colleague, case=case)
    urls = [
        reverse("case-plan", args=[case.pk]),
        reverse("case-notes", args=[case.pk]),
        reverse("case-note", args=[note.pk]),
        reverse("case-plan-print", args=[plan.pk]),
    ]
    supervisor = client_as(p.supervisor)
    for url in urls:
        offered = supervisor.get(url)
        assert offered.status_code == 404, url
        assert OFFER in offered.content.decode(), url
    missing = supervisor.get(reverse("case-note", args=[999999]))
    assert missing.status_code == 404
    assert OFFER not in missing.content.decode()
    case_manager = client_as(p.case_manager)
    for url in urls:
        plain = case_manager.get(url)
        assert plain.status_code == 404, url
        assert OFFER not in plain.content.decode(), url

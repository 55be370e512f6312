"""Case list, case detail and reassignment, client record and its edit form."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.clients.models import Case, CaseAssignment, CaseStatus, Client
from casework.core.models import AuditEvent, TeamRole, User
from tests.factories import (
    AppointmentFactory,
    CaseFactory,
    ClientFactory,
    NoteAddendumFactory,
    NoteFactory,
    TaskFactory,
    TeamMembershipFactory,
)
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
HTMX = {"HX-Request": "true"}


def page(client_as: SignIn, user: User, url: str, **kwargs: Any) -> str:
    response = client_as(user).get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|hx-get|hx-post|action)="([^"]*)"', html)


# --- case list ---------------------------------------------------------------------------------


def test_a_case_manager_lists_own_and_team_cases_only(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    html = page(client_as, p.case_manager, reverse("case-list"))
    assert p.case.reference in html
    assert p.case.client.display_name in html
    for hidden in (p.colleague_case, p.screening_case, p.outsider_case):
        assert hidden.reference not in html
    assert "1 case found." in html


def test_intake_lists_cases_in_screening_across_the_agency(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    html = page(client_as, p.intake, reverse("case-list"))
    assert p.screening_case.reference in html
    assert p.case.reference not in html
    assert p.outsider_case.reference not in html


@pytest.mark.parametrize("who", ["auditor", "admin", "partner", "outsider"])
def test_people_without_a_caseload_here_list_none_of_the_agencys_cases(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    html = page(client_as, getattr(p, who), reverse("case-list"))
    for case in (p.case, p.colleague_case, p.screening_case):
        assert case.reference not in html
        assert case.client.display_name not in html


def test_the_case_list_filters_by_status_team_and_mine(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    on_hold = CaseFactory(team=p.team, status=CaseStatus.ON_HOLD)
    closed = CaseFactory(team=p.team, case_manager=p.case_manager, status=CaseStatus.CLOSED)
    list_url = reverse("case-list")

    default = page(client_as, p.case_manager, list_url)
    assert on_hold.reference in default
    assert closed.reference not in default, "closed cases are left out unless asked for"

    held = page(client_as, p.case_manager, list_url, data={"status": "on_hold"})
    assert on_hold.reference in held
    assert p.case.reference not in held

    everything = page(client_as, p.case_manager, list_url, data={"status": "all"})
    assert closed.reference in everything

    mine = page(client_as, p.case_manager, list_url, data={"mine": "on"})
    assert p.case.reference in mine
    assert on_hold.reference not in mine

    team = page(client_as, p.case_manager, list_url, data={"team": p.team.pk})
    assert p.case.reference in team


def test_a_team_the_user_is_not_on_is_not_a_filter_option_and_reveals_nothing(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    html = page(client_as, p.case_manager, reverse("case-list"), data={"team": p.other_team.pk})
    assert f'<option value="{p.other_team.pk}"' not in html
    assert p.colleague_case.reference not in html


def test_the_case_list_sorts_by_case_number_and_opened_date(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    older = CaseFactory(
        team=p.team, reference="A-000001", opened_on=timezone.localdate() - timedelta(days=30)
    )
    newer = CaseFactory(team=p.team, reference="Z-999999", opened_on=timezone.localdate())
    list_url = reverse("case-list")

    def order(html: str) -> list[str]:
        refs = [older.reference, newer.reference]
        return sorted(refs, key=html.index)

    assert order(page(client_as, p.case_manager, list_url, data={"sort": "reference"})) == [
        "A-000001",
        "Z-999999",
    ]
    assert order(page(client_as, p.case_manager, list_url, data={"sort": "-reference"})) == [
        "Z-999999",
        "A-000001",
    ]
    assert order(page(client_as, p.case_manager, list_url, data={"sort": "opened"})) == [
        "A-000001",
        "Z-999999",
    ]
    assert order(page(client_as, p.case_manager, list_url)) == ["Z-999999", "A-000001"]


def test_the_case_list_is_paginated_and_pages_keep_the_filters(
    personas: Personas, client_as: SignIn, settings: Any
) -> None:
    p = personas
    settings.CASEWORK_PAGE_SIZE = 2
    CaseFactory.create_batch(4, team=p.team)
    list_url = reverse("case-list")
    first = page(
        client_as, p.case_manager, list_url, data={"status": "active", "sort": "reference"}
    )
    assert "Page 1 of 3" in first
    assert "?status=active&amp;sort=reference&amp;page=2" in first
    last = page(client_as, p.case_manager, list_url, data={"status": "active", "page": 3})
    assert "Page 3 of 3" in last


def test_htmx_gets_only_the_results_and_links_that_update_them_in_place(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    full = page(client_as, personas.case_manager, reverse("case-list"))
    assert 'hx-target="#case-results"' in full
    assert 'hx-push-url="true"' in full
    assert "<html" in full
    response = client_as(p.case_manager).get(
        reverse("case-list"), {"sort": "reference"}, headers=HTMX
    )
    partial = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in partial
    assert partial.lstrip().startswith('<div id="case-results"')
    assert p.case.reference in partial
    assert 'hx-swap-oob="true"' in partial and 'value="reference"' in partial
    assert "HX-Request" in response["Vary"]


def test_history_restores_get_the_whole_page(personas: Personas, client_as: SignIn) -> None:
    response = client_as(personas.case_manager).get(
        reverse("case-list"), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_no_personal_data_is_ever_put_in_a_url(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.case.client
    client.preferred_name = "Robin"
    client.save()
    pages = [
        page(client_as, p.case_manager, reverse("home")),
        page(client_as, p.case_manager, reverse("case-list")),
        page(client_as, p.case_manager, reverse("case-detail", args=[p.case.pk])),
        page(client_as, p.case_manager, reverse("client-detail", args=[client.pk])),
        page(client_as, p.supervisor, reverse("case-detail", args=[p.case.pk])),
    ]
    for html in pages:
        assert client.display_name in html
        for url in hrefs(html):
            for value in (client.first_name, client.last_name, "Robin", str(client.date_of_birth)):
                assert value not in url, url


def test_the_case_list_runs_the_same_queries_however_many_cases_there_are(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("case-list")
    web.get(url)

    def grow() -> None:
        for _ in range(4):
            colleague = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
            CaseFactory.create_batch(3, team=p.team, case_manager=colleague)

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 8)
    assert_query_budget(lambda: web.get(url, headers=HTMX), 7)


# --- case detail and reassignment --------------------------------------------------------


def test_a_case_shows_client_program_team_manager_and_assignment_history(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    html = page(client_as, p.case_manager, reverse("case-detail", args=[p.case.pk]))
    assert p.case.reference in html
    assert p.case.client.display_name in html
    assert reverse("client-detail", args=[p.case.client_id]) in html
    assert p.program.name in html
    assert p.team.name in html
    assert "Casey Manning" in html
    assert "Assignment history" in html
    assert ">current</span>" in html
    assert "Reassign" not in html, "a case manager may not reassign"


@pytest.mark.parametrize("who", ["colleague", "outsider", "auditor", "admin", "partner", "intake"])
def test_a_case_is_not_found_for_anyone_who_may_not_see_it(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    response = client_as(getattr(personas, who)).get(
        reverse("case-detail", args=[personas.case.pk])
    )
    assert response.status_code == 404
    assert personas.case.client.display_name not in response.content.decode()


def test_a_supervisor_reassigns_a_case_and_the_history_keeps_both(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    newcomer = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
    web = client_as(p.supervisor)
    form_page = page(client_as, p.supervisor, reverse("case-detail", args=[p.case.pk]))
    assert "Reassign case" in form_page
    assert f'name="expected_version" value="{p.case.version}"' in form_page
    response = web.post(
        reverse("case-assign", args=[p.case.pk]),
        {"case_manager": newcomer.pk, "reason": "caseload balancing", "expected_version": 1},
    )
    assert response.status_code == 302
    p.case.refresh_from_db()
    assert p.case.case_manager == newcomer
    assert p.case.version == 2
    assert CaseAssignment.objects.filter(case=p.case).count() == 2
    html = web.get(reverse("case-detail", args=[p.case.pk])).content.decode()
    assert "is now managed by" in html
    assert "caseload balancing" in html
    assert "Casey Manning" in html and newcomer.get_full_name() in html


def test_the_assignment_history_shows_times_so_same_day_handovers_read_in_order(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    morning = timezone.localtime().replace(hour=9, minute=5, second=0, microsecond=0)
    afternoon = morning.replace(hour=14, minute=40)
    first = CaseAssignment.objects.get(case=p.case)
    first.started_at, first.ended_at = morning - timedelta(days=3), morning
    first.save()
    covering = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
    CaseAssignment.objects.create(
        organization=p.case.organization,
        case=p.case,
        case_manager=covering,
        team=p.team,
        started_at=morning,
        ended_at=afternoon,
        reason="covering for the morning",
    )
    CaseAssignment.objects.create(
        organization=p.case.organization,
        case=p.case,
        case_manager=p.case_manager,
        team=p.team,
        started_at=afternoon,
        reason="back from training",
    )
    html = page(client_as, p.supervisor, reverse("case-detail", args=[p.case.pk]))
    history = html[html.index("Assignment history") :]
    shown = re.findall(r'<time datetime="([^"]+)">', history)
    assert shown[:2] == [afternoon.isoformat(), morning.isoformat()], "newest first, to the minute"
    assert "2:40" in history and "9:05" in history, "times of day are shown, not only the date"
    assert history.index("back from training") < history.index("covering for the morning")


def test_intake_assigns_a_case_still_in_screening(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.intake).post(
        reverse("case-assign", args=[p.screening_case.pk]),
        {"case_manager": p.colleague.pk, "expected_version": p.screening_case.version},
    )
    assert response.status_code == 302
    p.screening_case.refresh_from_db()
    assert p.screening_case.case_manager == p.colleague


def test_a_case_manager_may_not_reassign(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.case_manager).post(
        reverse("case-assign", args=[p.case.pk]),
        {"case_manager": p.case_manager.pk, "expected_version": 1},
    )
    assert response.status_code == 403
    assert CaseAssignment.objects.filter(case=p.case).count() == 1


def test_reassigning_a_case_of_another_team_or_agency_is_not_found(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    for case in (p.colleague_case, p.outsider_case):
        response = client_as(p.supervisor).post(
            reverse("case-assign", args=[case.pk]),
            {"case_manager": p.case_manager.pk, "expected_version": case.version},
        )
        assert response.status_code == 404
        case.refresh_from_db()
        assert case.case_manager != p.case_manager


def test_reassigning_from_a_stale_page_is_refused_and_explained(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    Case.objects.filter(pk=p.case.pk).update(version=5)
    response = client_as(p.supervisor).post(
        reverse("case-assign", args=[p.case.pk]),
        {"case_manager": p.supervisor.pk, "expected_version": 4},
    )
    assert response.status_code == 409
    assert "Someone else saved this case" in response.content.decode()
    p.case.refresh_from_db()
    assert p.case.case_manager == p.case_manager
    assert CaseAssignment.objects.filter(case=p.case).count() == 1


def test_choosing_someone_off_the_team_shows_the_error_next_to_the_field(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    response = client_as(p.supervisor).post(
        reverse("case-assign", args=[p.case.pk]),
        # Intake is on none of the program's teams (the colleague's team is offered now).
        {"case_manager": p.intake.pk, "expected_version": 1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_case_manager_error"><li>Select a valid choice', html)
    assert 'aria-invalid="true"' in html
    p.case.refresh_from_db()
    assert p.case.case_manager == p.case_manager


def test_the_case_page_runs_the_same_queries_however_long_its_history(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.supervisor)
    url = reverse("case-detail", args=[p.case.pk])
    web.get(url)

    def grow() -> None:
        for _ in range(5):
            member = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
            CaseAssignment.objects.create(
                organization=p.agency,
                case=p.case,
                case_manager=member,
                team=p.team,
                assigned_by=p.supervisor,
                ended_at=timezone.now(),
            )
            note = NoteFactory(case=p.case)
            NoteAddendumFactory(note=note)
            TaskFactory(case=p.case)
            AppointmentFactory(case=p.case)

    assert_constant_queries(lambda: web.get(url), grow)
    # the case, its assignments, then each section: assessments and needs (2), the plan (1),
    # recent notes and drafts (2), open tasks and next appointments (2), open referrals (1);
    # and the case.view audit event (5: savepoint, chain head, insert, head update, release)
    assert_query_budget(lambda: web.get(url), 21)


# --- client record ---------------------------------------------------------------------------


def test_reading_a_client_record_is_logged_each_time(personas: Personas, client_as: SignIn) -> None:
    p = personas
    url = reverse("client-detail", args=[p.case.client_id])
    html = page(client_as, p.case_manager, url)
    assert p.case.client.last_name in html
    assert p.case.reference in html
    page(client_as, p.case_manager, url)
    views = AuditEvent.objects.filter(action="client.view", client_id=p.case.client_id)
    assert views.count() == 2
    event = views.first()
    assert event is not None
    assert event.actor == p.case_manager
    assert event.changes == {"via": "web"}


def test_the_client_record_lists_only_cases_the_user_may_see(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    elsewhere = CaseFactory(team=p.other_team, client=p.case.client)
    html = page(client_as, p.case_manager, reverse("client-detail", args=[p.case.client_id]))
    assert p.case.reference in html
    assert elsewhere.reference not in html


@pytest.mark.parametrize("who", ["colleague", "outsider", "auditor", "admin"])
def test_a_client_is_not_found_for_anyone_who_may_not_see_them(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    for name in ("client-detail", "client-edit"):
        response = client_as(getattr(p, who)).get(reverse(name, args=[p.case.client_id]))
        assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="client.view").exists()


def test_the_client_page_runs_the_same_queries_however_many_cases_there_are(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = reverse("client-detail", args=[p.case.client_id])
    web.get(url)

    def grow() -> None:
        CaseFactory.create_batch(4, team=p.team, client=p.case.client)

    assert_constant_queries(lambda: web.get(url), grow)
    # Six of them read the record's sections: phones, emails, addresses, identifiers,
    # household and merged records; each is one query however long it is. Two more are
    # the consent section (may the user record consents; the consents themselves).
    assert_query_budget(lambda: web.get(url), 21)


def client_post(client: Client, **changes: Any) -> dict[str, Any]:
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else "",
        "preferred_language": client.preferred_language,
        "expected_version": client.version,
    }
    data.update(changes)
    return data


def test_a_case_manager_edits_the_client_record(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.case.client
    url = reverse("client-edit", args=[client.pk])
    form = page(client_as, p.case_manager, url)
    assert f'value="{client.last_name}"' in form
    response = client_as(p.case_manager).post(
        url, client_post(client, preferred_name="Robin", preferred_language="es")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("client-detail", args=[client.pk])
    client.refresh_from_db()
    assert client.preferred_name == "Robin"
    assert client.preferred_language == "es"
    assert client.version == 2
    assert AuditEvent.objects.filter(action="client.update", client_id=client.pk).exists()


def test_a_stale_client_edit_changes_nothing_and_says_why(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    stale = client_post(client, preferred_name="Robin")
    Client.objects.filter(pk=client.pk).update(version=2, last_name="Saved-Elsewhere")
    response = client_as(p.case_manager).post(reverse("client-edit", args=[client.pk]), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved." in html
    assert "Someone else saved this client record while you were editing it." in html
    assert "Load the current version" in html
    client.refresh_from_db()
    assert client.preferred_name == ""
    assert client.last_name == "Saved-Elsewhere"


def test_a_future_birth_date_is_shown_next_to_its_field_and_nothing_changes(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    before = (client.first_name, client.date_of_birth, client.version)
    future = (date.today() + timedelta(days=30)).isoformat()
    response = client_as(p.case_manager).post(
        reverse("client-edit", args=[client.pk]),
        client_post(client, first_name="Changed", date_of_birth=future),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_date_of_birth_error"><li>The date of birth is in the future.', html)
    assert '<a href="#id_date_of_birth">Date of birth</a>' in html
    client.refresh_from_db()
    assert (client.first_name, client.date_of_birth, client.version) == before


def test_an_empty_last_name_is_refused_by_the_form(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.case.client
    response = client_as(p.case_manager).post(
        reverse("client-edit", args=[client.pk]), client_post(client, last_name="  ")
    )
    assert response.status_code == 400
    assert 'id="id_last_name_error"' in response.content.decode()
    assert Client.objects.get(pk=client.pk).last_name == client.last_name


def test_an_applicant_without_a_case_belongs_to_intake(
    personas: Personas, client_as: SignIn
) -> None:
    applicant = ClientFactory(organization=personas.agency)
    url = reverse("client-detail", args=[applicant.pk])
    assert client_as(personas.intake).get(url).status_code == 200
    assert client_as(personas.case_manager).get(url).status_code == 404

"""The page shell (navigation, CSP-safe markup), the home page per role, and error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from casework.clients.models import CaseStatus
from casework.core import audit
from casework.core.models import StaffProfile, TeamRole, User
from casework.core.views import server_error
from tests.factories import CaseFactory, TeamMembershipFactory, UserFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]


def home_html(client_as: SignIn, user: User) -> str:
    response = client_as(user).get(reverse("home"))
    assert response.status_code == 200
    return str(response.content.decode())


def nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav is not None
    return set(re.findall(r'href="([^"]+)"', nav.group(0)))


# --- the shell -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client: Any) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


def test_the_shell_is_accessible_and_names_the_signed_in_person(
    personas: Personas, client_as: SignIn
) -> None:
    html = home_html(client_as, personas.case_manager)
    assert re.search(r'<html lang="en">', html)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert "Casey Manning" in html
    assert personas.agency.name in html
    assert f'href="{reverse("account")}"' in html
    sign_out = re.search(
        r'<form method="post" action="{}">(.*?)</form>'.format(reverse("sign-out")), html, re.S
    )
    assert sign_out is not None
    assert "csrfmiddlewaretoken" in sign_out.group(1)
    assert 'aria-current="page">My work</a>' in html


def test_pages_need_nothing_the_content_security_policy_forbids(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.supervisor).get(reverse("home"))
    html = response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r'(src|href)="(https?:)?//', html), "third-party request"
    assert '"includeIndicatorStyles":false' in html
    assert "htmx-2.min.js" in html
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", html)


@pytest.mark.parametrize(
    ("who", "expected", "absent"),
    [
        ("case_manager", {"case-list"}, {"manage-home", "manage-programs", "audit-log"}),
        ("supervisor", {"case-list"}, {"manage-home", "audit-log"}),
        ("intake", {"case-list"}, {"manage-home", "audit-log"}),
        ("auditor", {"audit-log"}, {"case-list", "manage-home", "manage-programs"}),
        ("admin", {"manage-home"}, {"case-list", "audit-log"}),
        ("partner", set(), {"case-list", "manage-home", "manage-programs", "audit-log"}),
    ],
)
def test_navigation_offers_only_what_the_access_policy_allows(
    personas: Personas, client_as: SignIn, who: str, expected: set[str], absent: set[str]
) -> None:
    links = nav_links(home_html(client_as, getattr(personas, who)))
    assert reverse("home") in links
    for name in expected:
        assert reverse(name) in links, name
    for name in absent:
        assert reverse(name) not in links, name
    assert "/django-admin/" not in links


def test_a_program_manager_is_offered_programs_and_the_django_admin_only_to_staff_admins(
    personas: Personas, client_as: SignIn
) -> None:
    manager = UserFactory(organization=personas.agency, roles=["program_manager"])
    assert reverse("manage-programs") in nav_links(home_html(client_as, manager))
    personas.admin.is_staff = True
    personas.admin.save()
    assert "/django-admin/" in nav_links(home_html(client_as, personas.admin))


# --- home: what each role needs first ------------------------------------------------------


def test_a_case_manager_sees_their_active_cases_and_their_teams_count(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    CaseFactory(team=p.team, status=CaseStatus.ON_HOLD)
    CaseFactory(team=p.team, case_manager=p.case_manager, status=CaseStatus.CLOSED)
    html = home_html(client_as, p.case_manager)
    assert "My active cases" in html
    assert p.case.reference in html
    assert p.case.client.display_name in html
    assert p.program.name in html
    assert re.search(r'tile__value">1</span> <span class="tile__label">active cases I manage', html)
    # open cases on the team: the active one and the one on hold, not the closed one
    assert re.search(
        r'tile__value">2</span> <span class="tile__label">open cases on my teams', html
    )
    assert p.colleague_case.reference not in html
    assert p.colleague_case.client.display_name not in html


def test_a_supervisor_sees_each_members_caseload_against_capacity(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    profile = StaffProfile.objects.get(user=p.case_manager)
    profile.caseload_capacity = 2
    profile.save()
    CaseFactory.create_batch(2, team=p.team, case_manager=p.case_manager)
    CaseFactory(team=p.team, case_manager=None, status=CaseStatus.WAITLISTED)
    html = home_html(client_as, p.supervisor)
    assert "Caseloads on the teams I supervise" in html
    assert p.team.name in html
    assert p.other_team.name not in html
    row = re.search(r"<td>Casey Manning</td>.*?</tr>", html, re.S)
    assert row is not None
    assert re.search(r'class="num">3</td>\s*<td class="num">2</td>', row.group(0))
    assert "over capacity" in row.group(0)
    assert "1 open case has no case manager." in html
    assert p.case.client.display_name not in html, "caseloads are counts, not case content"


def test_an_intake_coordinator_sees_who_waits_in_screening_and_on_the_waitlist(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    waiting = CaseFactory(team=p.team, status=CaseStatus.WAITLISTED)
    html = home_html(client_as, p.intake)
    assert re.search(r'tile__value">1</span> <span class="tile__label">in screening', html)
    assert re.search(r'tile__value">1</span> <span class="tile__label">on the waitlist', html)
    assert p.screening_case.reference in html
    assert waiting.reference in html
    assert p.case.reference not in html
    assert "My active cases" not in html


def test_an_auditor_sees_todays_event_count_and_no_case_content(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    for _ in range(3):
        audit.record(action="client.view", actor=p.case_manager, target=p.case.client)
    audit.record(action="client.view", actor=p.outsider, target=p.outsider_case.client)
    html = home_html(client_as, p.auditor)
    assert f'href="{reverse("audit-log")}"' in html
    assert re.search(r'tile__value">3</span> <span class="tile__label">events recorded today', html)
    assert p.case.reference not in html
    assert p.case.client.display_name not in html


def test_an_agency_admin_sees_counts_and_the_way_into_the_admin_area(
    personas: Personas, client_as: SignIn
) -> None:
    html = home_html(client_as, personas.admin)
    assert re.search(r'tile__value">1</span> <span class="tile__label">active programs', html)
    assert re.search(r'tile__value">2</span> <span class="tile__label">active teams', html)
    # seven staff in the agency; the outsider works elsewhere
    assert re.search(r'tile__value">7</span> <span class="tile__label">active staff accounts', html)
    for name in ("manage-home", "manage-staff-new", "manage-team-new", "manage-program-new"):
        assert f'href="{reverse(name)}"' in html
    assert personas.case.reference not in html


def test_someone_without_duties_gets_a_clear_empty_page(
    personas: Personas, client_as: SignIn
) -> None:
    html = home_html(client_as, personas.partner)
    assert "Nothing is assigned to you yet" in html
    assert personas.case.reference not in html


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "intake"])
def test_home_runs_the_same_queries_however_many_cases_there_are(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    p = personas
    user = getattr(p, who)
    web = client_as(user)

    def grow() -> None:
        for _ in range(3):
            colleague = TeamMembershipFactory(team=p.team, role=TeamRole.MEMBER).user
            CaseFactory.create_batch(2, team=p.team, case_manager=colleague)
            CaseFactory(team=p.team, case_manager=p.case_manager)
            CaseFactory(team=p.other_team, status=CaseStatus.SCREENING)
            CaseFactory(team=p.team, status=CaseStatus.WAITLISTED)

    web.get(reverse("home"))  # the first request of a session also writes the session
    assert_constant_queries(lambda: web.get(reverse("home")), grow)
    # 8 for the cases panels, + up to 5 for alerts, today's appointments and tasks (monitoring),
    # + 1 for the referrals waiting for an answer
    assert_query_budget(lambda: web.get(reverse("home")), 14)


# --- error pages --------------------------------------------------------------------------


def test_a_missing_page_gets_the_calm_404_inside_the_shell(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.case_manager).get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page is not available" in html
    assert '<nav class="main-nav"' in html


def test_the_500_page_renders_without_a_request_context_or_the_database(
    rf: RequestFactory, django_assert_num_queries: Any
) -> None:
    request = rf.get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "casework.css" in html

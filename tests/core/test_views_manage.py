"""The agency admin area: who may enter, and every write going through a service."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casework.core.models import (
    AuditEvent,
    Organization,
    Program,
    StaffProfile,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from tests.factories import (
    ProgramFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]
HTMX = {"HX-Request": "true"}

ADMIN_PAGES = [
    "manage-home",
    "manage-organization",
    "manage-teams",
    "manage-team-new",
    "manage-staff",
    "manage-staff-new",
]
PROGRAM_PAGES = ["manage-programs", "manage-program-new"]


def program_manager(personas: Personas) -> User:
    user: User = UserFactory(
        organization=personas.agency, email="pm@riverside.test", roles=["program_manager"]
    )
    return user


def rules_data(rows: list[dict[str, str]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"rules-{index}-{key}"] = value
    return data


def program_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Rapid Rehousing",
        "code": "RRH",
        "description": "Short-term rent help",
        "capacity": "40",
        "review_interval_days": "60",
        "no_contact_alert_days": "14",
    }
    data.update(changes)
    return data


def error_for(html: str, field: str) -> str:
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert found is not None, f"no error shown for {field}"
    return found.group(1)


# --- who may enter -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ADMIN_PAGES + PROGRAM_PAGES)
def test_an_agency_admin_opens_every_admin_page(
    personas: Personas, client_as: SignIn, name: str
) -> None:
    assert client_as(personas.admin).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "intake", "auditor", "partner"])
@pytest.mark.parametrize("name", ADMIN_PAGES + PROGRAM_PAGES)
def test_everyone_else_is_refused_the_admin_area(
    personas: Personas, client_as: SignIn, who: str, name: str
) -> None:
    response = client_as(getattr(personas, who)).get(reverse(name))
    assert response.status_code == 403
    assert "You do not have permission to do that" in response.content.decode()


def test_a_program_manager_configures_programs_but_nothing_else(
    personas: Personas, client_as: SignIn
) -> None:
    web = client_as(program_manager(personas))
    for name in PROGRAM_PAGES:
        assert web.get(reverse(name)).status_code == 200
    assert web.get(reverse("manage-program-edit", args=[personas.program.pk])).status_code == 200
    for name in ADMIN_PAGES:
        assert web.get(reverse(name)).status_code == 403


def test_another_agencys_records_are_not_found(personas: Personas, client_as: SignIn) -> None:
    p = personas
    elsewhere_program = ProgramFactory(organization=p.other_agency)
    elsewhere_team = TeamFactory(program=elsewhere_program, organization=p.other_agency)
    web = client_as(p.admin)
    assert web.get(reverse("manage-program-edit", args=[elsewhere_program.pk])).status_code == 404
    assert web.get(reverse("manage-team-edit", args=[elsewhere_team.pk])).status_code == 404
    assert web.get(reverse("manage-staff-edit", args=[p.outsider.pk])).status_code == 404
    response = web.post(reverse("manage-staff-active", args=[p.outsider.pk]), {"active": "0"})
    assert response.status_code == 404
    p.outsider.refresh_from_db()
    assert p.outsider.is_active


# --- organization --------------------------------------------------------------------------


def test_an_admin_renames_the_agency_and_requires_two_factor(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.admin).post(
        reverse("manage-organization"),
        {"name": "Riverside Family Services", "require_two_factor": "on"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=personas.agency.pk)
    assert org.name == "Riverside Family Services"
    assert org.require_two_factor
    assert AuditEvent.objects.filter(action="organization.update").exists()


def test_an_empty_agency_name_is_refused(personas: Personas, client_as: SignIn) -> None:
    response = client_as(personas.admin).post(reverse("manage-organization"), {"name": ""})
    assert response.status_code == 400
    assert "This field is required" in error_for(response.content.decode(), "name")
    assert Organization.objects.get(pk=personas.agency.pk).name == personas.agency.name


# --- programs --------------------------------------------------------------------------------


def test_a_program_is_created_with_eligibility_rules_as_data(
    personas: Personas, client_as: SignIn
) -> None:
    rows = [
        {"criterion": "age", "operator": "between", "value": "18 to 64", "label": "Adults"},
        {"criterion": "homeless", "operator": "equals", "value": "yes", "label": "Homeless now"},
        {"criterion": "county", "operator": "in", "value": "Kent, Ottawa", "label": "Our area"},
        {"criterion": "", "operator": "", "value": "", "label": ""},  # the blank extra row
    ]
    response = client_as(program_manager(personas)).post(
        reverse("manage-program-new"), {**program_data(), **rules_data(rows)}
    )
    assert response.status_code == 302
    program = Program.objects.get(organization=personas.agency, code="rrh")
    assert program.capacity == 40
    assert program.eligibility_rules == [
        {"criterion": "age", "operator": "between", "value": [18, 64], "label": "Adults"},
        {"criterion": "homeless", "operator": "equals", "value": True, "label": "Homeless now"},
        {"criterion": "county", "operator": "in", "value": ["Kent", "Ottawa"], "label": "Our area"},
    ]


def test_an_invalid_rule_is_explained_and_no_program_is_created(
    personas: Personas, client_as: SignIn
) -> None:
    rows = [{"criterion": "age", "operator": "between", "value": "64 to 18", "label": "Adults"}]
    response = client_as(personas.admin).post(
        reverse("manage-program-new"), {**program_data(), **rules_data(rows)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rule 1 (age): value the lowest number is above the highest." in html
    assert 'value="64 to 18"' in html, "what was typed is kept"
    assert not Program.objects.filter(code="rrh").exists()


def test_a_rule_operator_that_does_not_fit_the_criterion_is_explained(
    personas: Personas, client_as: SignIn
) -> None:
    rows = [{"criterion": "veteran", "operator": "at_least", "value": "3", "label": "Vets"}]
    response = client_as(personas.admin).post(
        reverse("manage-program-new"), {**program_data(), **rules_data(rows)}
    )
    assert response.status_code == 400
    assert "operator &#x27;at_least&#x27; does not apply to veteran" in response.content.decode()


def test_a_duplicate_program_code_is_shown_and_nothing_is_created(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.admin).post(
        reverse("manage-program-new"),
        {**program_data(code="hs", name="Another"), **rules_data([])},
    )
    assert response.status_code == 400
    assert "Another program already uses this code." in error_for(response.content.decode(), "code")
    assert Program.objects.filter(organization=personas.agency).count() == 1


def test_a_program_edit_keeps_existing_rules_and_removes_the_ones_marked(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    Program.objects.filter(pk=p.program.pk).update(
        eligibility_rules=[
            {"criterion": "age", "operator": "at_least", "value": 18, "label": "Adults"},
            {"criterion": "veteran", "operator": "equals", "value": True, "label": "Veterans"},
        ]
    )
    url = reverse("manage-program-edit", args=[p.program.pk])
    form = client_as(p.admin).get(url).content.decode()
    assert 'value="Adults"' in form and 'value="yes"' in form
    rows = [
        {"criterion": "age", "operator": "at_least", "value": "18", "label": "Adults"},
        {
            "criterion": "veteran",
            "operator": "equals",
            "value": "yes",
            "label": "Veterans",
            "DELETE": "on",
        },
        {"criterion": "zip_code", "operator": "equals", "value": "49503", "label": "Downtown"},
    ]
    data = {
        **program_data(name="Housing Stability", code="hs", is_active="on"),
        "expected_version": "1",
        **rules_data(rows, initial=2),
    }
    response = client_as(p.admin).post(url, data)
    assert response.status_code == 302
    program = Program.objects.get(pk=p.program.pk)
    assert [r["label"] for r in program.eligibility_rules] == ["Adults", "Downtown"]
    assert program.version == 2


def test_a_stale_program_edit_is_refused(personas: Personas, client_as: SignIn) -> None:
    p = personas
    Program.objects.filter(pk=p.program.pk).update(version=3)
    response = client_as(p.admin).post(
        reverse("manage-program-edit", args=[p.program.pk]),
        {**program_data(name="Renamed", code="hs"), "expected_version": "2", **rules_data([])},
    )
    assert response.status_code == 409
    assert "Someone else saved this program" in response.content.decode()
    assert Program.objects.get(pk=p.program.pk).name == "Housing Stability"


# --- teams -------------------------------------------------------------------------------------


def test_an_admin_creates_a_team_and_lands_on_its_members(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.admin).post(
        reverse("manage-team-new"), {"name": "East team", "program": personas.program.pk}
    )
    team = Team.objects.get(name="East team")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage-team-edit", args=[team.pk])
    assert team.organization == personas.agency


def test_a_team_for_another_agencys_program_cannot_be_created(
    personas: Personas, client_as: SignIn
) -> None:
    elsewhere = ProgramFactory(organization=personas.other_agency)
    response = client_as(personas.admin).post(
        reverse("manage-team-new"), {"name": "Sneaky", "program": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_for(response.content.decode(), "program")
    assert not Team.objects.filter(name="Sneaky").exists()


def test_a_duplicate_team_name_is_shown_next_to_the_form(
    personas: Personas, client_as: SignIn
) -> None:
    response = client_as(personas.admin).post(
        reverse("manage-team-new"), {"name": "North team", "program": personas.program.pk}
    )
    assert response.status_code == 400
    assert "already" in error_for(response.content.decode(), "name")
    assert Team.objects.filter(name="North team").count() == 1


def test_a_stale_team_edit_is_refused(personas: Personas, client_as: SignIn) -> None:
    p = personas
    Team.objects.filter(pk=p.team.pk).update(version=2)
    response = client_as(p.admin).post(
        reverse("manage-team-edit", args=[p.team.pk]),
        {"name": "Renamed", "program": p.program.pk, "is_active": "on", "expected_version": "1"},
    )
    assert response.status_code == 409
    assert Team.objects.get(pk=p.team.pk).name == "North team"


def test_htmx_adds_a_member_and_gets_the_members_panel_back(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    response = client_as(p.admin).post(
        reverse("manage-team-member-set", args=[p.team.pk]),
        {"user": p.intake.pk, "role": "member"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="team-members"')
    assert "Ines Take is on the team as Member." in html
    assert TeamMembership.objects.filter(team=p.team, user=p.intake, role="member").exists()


def test_htmx_changes_a_members_role(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client_as(p.admin).post(
        reverse("manage-team-member-set", args=[p.team.pk]),
        {"user": p.case_manager.pk, "role": "supervisor"},
        headers=HTMX,
    )
    assert TeamMembership.objects.get(team=p.team, user=p.case_manager).role == "supervisor"


def test_htmx_removes_a_member(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.admin).post(
        reverse("manage-team-member-remove", args=[p.team.pk, p.case_manager.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert "is no longer on the team" in response.content.decode()
    assert not TeamMembership.objects.filter(team=p.team, user=p.case_manager).exists()
    assert AuditEvent.objects.filter(action="team.member_remove").exists()


def test_without_htmx_member_changes_return_to_the_team_page(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.admin)
    response = web.post(
        reverse("manage-team-member-set", args=[p.team.pk]), {"user": p.intake.pk, "role": "member"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("manage-team-edit", args=[p.team.pk])
    assert "Ines Take is on the team as Member." in web.get(response["Location"]).content.decode()


def test_staff_of_another_agency_cannot_be_added_to_a_team(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    response = client_as(p.admin).post(
        reverse("manage-team-member-set", args=[p.team.pk]),
        {"user": p.outsider.pk, "role": "member"},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Select a valid choice" in error_for(response.content.decode(), "user")
    assert not TeamMembership.objects.filter(user=p.outsider, team=p.team).exists()


def test_a_bad_role_is_refused(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.admin).post(
        reverse("manage-team-member-set", args=[p.team.pk]),
        {"user": p.intake.pk, "role": "owner"},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert not TeamMembership.objects.filter(user=p.intake).exists()


def test_the_team_page_runs_the_same_queries_however_many_members(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.admin)
    url = reverse("manage-team-edit", args=[p.team.pk])
    web.get(url)
    assert_constant_queries(
        lambda: web.get(url),
        lambda: TeamMembershipFactory.create_batch(5, team=p.team),
    )


def test_the_teams_list_runs_the_same_queries_however_many_teams(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.admin)
    url = reverse("manage-teams")
    web.get(url)

    def grow() -> None:
        for team in TeamFactory.create_batch(4, program=p.program, organization=p.agency):
            TeamMembershipFactory(team=team, role=TeamRole.SUPERVISOR)

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 8)


# --- staff -------------------------------------------------------------------------------------


def staff_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "New.Person@Riverside.test",
        "first_name": "Noor",
        "last_name": "Haddad",
        "job_title": "Case manager II",
        "roles": ["case_manager"],
        "expertise_areas": ["housing", "benefits"],
        "languages": "en, ar",
        "phone": "",
        "credentials": "LSW",
        "caseload_capacity": "25",
        "send_invitation": "on",
    }
    data.update(changes)
    return data


def test_the_staff_list_shows_roles_teams_status_and_two_factor(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    User.objects.filter(pk=p.supervisor.pk).update(totp_confirmed_at=timezone.now())
    html = client_as(p.admin).get(reverse("manage-staff")).content.decode()
    row = re.search(r">Sam Supervisor</a>.*?</tr>", html, re.S)
    assert row is not None
    assert "Supervisor" in row.group(0)
    assert "North team (supervisor)" in row.group(0)
    assert "<td>yes</td>" in row.group(0)
    assert p.outsider.email not in html


def test_the_staff_list_filters_by_role_and_status(personas: Personas, client_as: SignIn) -> None:
    p = personas
    User.objects.filter(pk=p.colleague.pk).update(is_active=False)
    web = client_as(p.admin)
    auditors = web.get(reverse("manage-staff"), {"role": "auditor"}).content.decode()
    assert "Audrey Tor" in auditors and "Casey Manning" not in auditors
    inactive = web.get(reverse("manage-staff"), {"status": "inactive"}).content.decode()
    assert "Colin League" in inactive and "Casey Manning" not in inactive
    active = web.get(reverse("manage-staff")).content.decode()
    assert "Colin League" not in active


def test_the_staff_list_runs_the_same_queries_however_many_staff(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.admin)
    url = reverse("manage-staff")
    web.get(url)

    def grow() -> None:
        for _ in range(4):
            TeamMembershipFactory(team=p.team, user__organization=p.agency)
            TeamMembershipFactory(team=p.other_team, user__organization=p.agency)

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 8)


@pytest.fixture
def tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.usefixtures("tasks_run_at_once")
def test_an_admin_adds_a_staff_member_who_is_invited_by_email(
    personas: Personas, client_as: SignIn, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(personas.admin).post(reverse("manage-staff-new"), staff_data())
    person = User.objects.get(email="new.person@riverside.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage-staff-edit", args=[person.pk])
    assert person.organization == personas.agency
    assert not person.has_usable_password()
    profile = StaffProfile.objects.get(user=person)
    assert profile.roles == ["case_manager"]
    assert profile.expertise_areas == ["housing", "benefits"]
    assert profile.languages == ["en", "ar"]
    assert profile.caseload_capacity == 25
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@riverside.test"]


@pytest.mark.usefixtures("tasks_run_at_once")
def test_a_staff_member_can_be_added_without_an_invitation(
    personas: Personas, client_as: SignIn, django_capture_on_commit_callbacks: Any
) -> None:
    data = staff_data()
    del data["send_invitation"]
    with django_capture_on_commit_callbacks(execute=True):
        client_as(personas.admin).post(reverse("manage-staff-new"), data)
    assert User.objects.filter(email="new.person@riverside.test").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "cm@riverside.test"}, "email", "Someone already signs in with this email"),
        ({"roles": []}, "roles", "Give the person at least one role."),
        ({"languages": "english!"}, "languages", "is not a language code"),
        ({"caseload_capacity": "-1"}, "caseload_capacity", "greater than or equal to 0"),
    ],
)
def test_bad_staff_input_is_shown_next_to_its_field_and_nothing_is_created(
    personas: Personas, client_as: SignIn, changes: dict[str, Any], field: str, message: str
) -> None:
    before = User.objects.count()
    response = client_as(personas.admin).post(reverse("manage-staff-new"), staff_data(**changes))
    assert response.status_code == 400
    assert message in error_for(response.content.decode(), field)
    assert User.objects.count() == before
    assert not StaffProfile.objects.filter(user__first_name="Noor").exists()


def edit_data(user: User, **changes: Any) -> dict[str, Any]:
    profile = StaffProfile.objects.get(user=user)
    data: dict[str, Any] = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": profile.job_title,
        "roles": profile.roles,
        "expertise_areas": profile.expertise_areas,
        "languages": ", ".join(profile.languages),
        "phone": profile.phone,
        "credentials": profile.credentials,
        "caseload_capacity": str(profile.caseload_capacity),
        "expected_version": str(profile.version),
    }
    data.update(changes)
    return data


def test_an_admin_edits_a_staff_member(personas: Personas, client_as: SignIn) -> None:
    p = personas
    url = reverse("manage-staff-edit", args=[p.case_manager.pk])
    response = client_as(p.admin).post(
        url, edit_data(p.case_manager, roles=["case_manager", "supervisor"], caseload_capacity="12")
    )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=p.case_manager)
    assert profile.roles == ["case_manager", "supervisor"]
    assert profile.caseload_capacity == 12
    assert profile.version == 2


def test_a_stale_staff_edit_is_refused(personas: Personas, client_as: SignIn) -> None:
    p = personas
    stale = edit_data(p.case_manager, first_name="Changed")
    StaffProfile.objects.filter(user=p.case_manager).update(version=4)
    response = client_as(p.admin).post(
        reverse("manage-staff-edit", args=[p.case_manager.pk]), stale
    )
    assert response.status_code == 409
    assert "Someone else saved this staff member" in response.content.decode()
    assert User.objects.get(pk=p.case_manager.pk).first_name == "Casey"


def test_an_admin_cannot_remove_their_own_admin_role(personas: Personas, client_as: SignIn) -> None:
    p = personas
    response = client_as(p.admin).post(
        reverse("manage-staff-edit", args=[p.admin.pk]), edit_data(p.admin, roles=["auditor"])
    )
    assert response.status_code == 400
    assert "cannot remove your own agency admin role" in error_for(
        response.content.decode(), "roles"
    )
    assert StaffProfile.objects.get(user=p.admin).roles == ["agency_admin"]


def test_an_admin_deactivates_and_reactivates_an_account(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.admin)
    url = reverse("manage-staff-active", args=[p.colleague.pk])
    response = web.post(url, {"active": "0"})
    assert response.status_code == 302
    assert not User.objects.get(pk=p.colleague.pk).is_active
    web.post(url, {"active": "1"})
    assert User.objects.get(pk=p.colleague.pk).is_active


def test_an_admin_cannot_deactivate_themselves(personas: Personas, client_as: SignIn) -> None:
    p = personas
    web = client_as(p.admin)
    response = web.post(reverse("manage-staff-active", args=[p.admin.pk]), {"active": "0"})
    assert response.status_code == 302
    assert User.objects.get(pk=p.admin.pk).is_active
    page = web.get(response["Location"]).content.decode()
    assert "You cannot deactivate your own account." in page


def test_an_admin_resets_a_lost_authenticator(personas: Personas, client_as: SignIn) -> None:
    p = personas
    User.objects.filter(pk=p.colleague.pk).update(
        totp_secret="JBSWY3DPEHPK3PXP", totp_confirmed_at=timezone.now()
    )
    response = client_as(p.admin).post(
        reverse("manage-staff-reset-two-factor", args=[p.colleague.pk])
    )
    assert response.status_code == 302
    colleague = User.objects.get(pk=p.colleague.pk)
    assert not colleague.has_two_factor
    assert colleague.totp_secret == ""
    assert AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_staff_write_actions_accept_only_post(personas: Personas, client_as: SignIn) -> None:
    p = personas
    web = client_as(p.admin)
    assert web.get(reverse("manage-staff-active", args=[p.colleague.pk])).status_code == 405
    assert (
        web.get(reverse("manage-staff-reset-two-factor", args=[p.colleague.pk])).status_code == 405
    )


# --- Django admin: read-only inspection -----------------------------------------------------


@pytest.fixture
def staff_admin(personas: Personas) -> User:
    personas.admin.is_staff = True
    personas.admin.save()
    return personas.admin


def test_the_django_admin_lets_an_agency_admin_look_but_not_touch(
    personas: Personas, client_as: SignIn, staff_admin: User
) -> None:
    web = client_as(staff_admin)
    assert web.get("/django-admin/core/program/").status_code == 200
    assert web.get(f"/django-admin/core/program/{personas.program.pk}/change/").status_code == 200
    assert web.get("/django-admin/core/program/add/").status_code == 403
    assert web.get(f"/django-admin/core/program/{personas.program.pk}/delete/").status_code == 403
    response = web.post(
        f"/django-admin/core/program/{personas.program.pk}/change/", {"name": "Hacked"}
    )
    assert response.status_code == 403
    assert Program.objects.get(pk=personas.program.pk).name == "Housing Stability"


def test_the_django_admin_shows_only_the_admins_own_agency(
    personas: Personas, client_as: SignIn, staff_admin: User
) -> None:
    html = client_as(staff_admin).get("/django-admin/core/user/").content.decode()
    assert personas.case_manager.email in html
    assert personas.outsider.email not in html


def test_the_django_admin_shows_no_client_data_or_audit_log_to_the_admin_role(
    personas: Personas, client_as: SignIn, staff_admin: User
) -> None:
    web = client_as(staff_admin)
    assert web.get("/django-admin/clients/client/").status_code == 403
    assert web.get("/django-admin/clients/case/").status_code == 403
    assert web.get("/django-admin/core/auditevent/").status_code == 403


def test_a_superuser_reading_a_client_in_the_django_admin_is_logged(
    personas: Personas, client_as: SignIn, staff_admin: User
) -> None:
    staff_admin.is_superuser = True
    staff_admin.save()
    web = client_as(staff_admin)
    listing = web.get("/django-admin/clients/client/").content.decode()
    assert personas.case.client.last_name not in listing, "lists show ids only"
    client_id = personas.case.client_id
    assert web.get(f"/django-admin/clients/client/{client_id}/change/").status_code == 200
    event = AuditEvent.objects.get(action="client.view", client_id=client_id)
    assert event.changes == {"via": "django-admin"}


def test_the_django_admin_is_closed_to_everyone_else(personas: Personas, client_as: SignIn) -> None:
    response = client_as(personas.case_manager).get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]

"""A case stays with the team that screened it unless someone moves it, knowingly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from casework.clients.models import Case
from casework.core.models import User
from casework.intake import queries
from casework.intake.models import Application
from tests.factories import CaseFactory
from tests.personas import Personas

from .conftest import add_case_manager

SignIn = Callable[[User], Any]


def test_the_screening_teams_case_managers_are_suggested_first(
    personas: Personas, application: Application
) -> None:
    p = personas
    # The colleague's team has room and expertise; the screening team is busy.
    free_elsewhere = add_case_manager(p, languages=["en"], expertise=["housing"], team=p.other_team)
    for _ in range(25):
        CaseFactory(team=p.team, case_manager=p.case_manager)
    assert application.case.team_id == p.team.pk
    ranked = queries.suggest_case_managers(p.intake, application)
    same_team = [s for s in ranked if not s.moves_team]
    assert ranked[: len(same_team)] == same_team
    assert p.case_manager in [s.user for s in same_team]
    elsewhere = next(s for s in ranked if s.user == free_elsewhere)
    assert elsewhere.moves_team
    assert any("accepting moves the case to South team" in r for r in elsewhere.reasons)
    mine = next(s for s in ranked if s.user == p.case_manager)
    assert "On the screening team, North team." in mine.reasons


def test_the_accept_form_says_which_choice_moves_the_case(
    personas: Personas, application: Application, client_as: SignIn
) -> None:
    p = personas
    html = client_as(p.intake).get(reverse("intake-application", args=[application.pk])).content
    page = html.decode()
    # The colleague (South team) is offered last, with the move named beside them.
    assert page.index("Casey Manning") < page.index("Colin League")
    assert "moves the case to South team" in page
    first_choice = page.split('type="radio"', 2)[1]
    assert "checked" in first_choice.split(">", 1)[0]
    assert f'value="{p.colleague.pk}"' not in first_choice.split(">", 1)[0]


def test_accepting_with_another_teams_case_manager_says_the_case_moved(
    personas: Personas, application: Application, client_as: SignIn
) -> None:
    p = personas
    application.refresh_from_db()
    response = client_as(p.intake).post(
        reverse("intake-accept", args=[application.pk]),
        {
            "expected_version": application.version,
            "case_manager": p.colleague.pk,
            "notes": "The team agreed; screening is not finished.",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "moved from North team to South team" in response.content.decode()
    assert Case.objects.get(pk=application.case_id).team == p.other_team


def test_a_supervisor_reassigns_to_another_team_from_the_case_page(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    web = client_as(p.supervisor)
    page = web.get(reverse("case-detail", args=[p.case.pk])).content.decode()
    assert "Colin League (moves the case to South team)" in page
    response = web.post(
        reverse("case-assign", args=[p.case.pk]),
        {"case_manager": p.colleague.pk, "expected_version": p.case.version, "reason": "Moved"},
        follow=True,
    )
    assert response.status_code == 200
    # The case is the other team's now: the supervisor lands on their home page, told so.
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "now managed by Colin League, on South team" in response.content.decode()
    p.case.refresh_from_db()
    assert (p.case.case_manager, p.case.team) == (p.colleague, p.other_team)
    assignment = p.case.assignments.order_by("-started_at", "-pk").first()
    assert assignment is not None and assignment.team == p.other_team

"""Each endpoint runs the same few queries however much data there is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casework.clients.models import CaseAssignment
from casework.clients.services import client_record_viewed
from casework.core import services
from casework.core.models import TeamRole, User
from tests.factories import (
    CaseFactory,
    ProgramFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)
from tests.helpers import assert_query_budget
from tests.personas import Personas

from .conftest import ApiClient, constant_queries

pytestmark = pytest.mark.django_db


def ok(call: Callable[[], Any]) -> Callable[[], Any]:
    def checked() -> Any:
        response = call()
        assert response.status_code == 200, response.content
        return response

    return checked


def team_member(personas: Personas, team: Any = None) -> User:
    user: User = UserFactory(organization=personas.agency)
    TeamMembershipFactory(team=team or personas.team, user=user, role=TeamRole.MEMBER)
    return user


def test_case_list(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.supervisor)

    def grow() -> None:
        for _ in range(4):
            CaseFactory(team=personas.team, case_manager=team_member(personas))

    constant_queries(ok(lambda: api.get("/cases")), grow, budget=4)
    assert api.get("/cases").json()["count"] == 5


def test_case_detail(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.supervisor)
    case = personas.case

    def grow() -> None:
        for _ in range(4):
            CaseAssignment.objects.create(
                organization=personas.agency,
                case=case,
                case_manager=team_member(personas),
                team=personas.team,
                assigned_by=team_member(personas),
            )

    # 4 to read the case and its history, 5 to append the read to the audit chain.
    constant_queries(ok(lambda: api.get(f"/cases/{case.pk}")), grow, budget=9)


def test_case_assignment(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.supervisor)
    newcomer = team_member(personas)
    api.get("/me")
    response = assert_query_budget(
        lambda: api.post(
            f"/cases/{personas.case.pk}/assign", {"case_manager": newcomer.pk, "version": 1}
        ),
        budget=19,
    )
    assert response.status_code == 200


def test_client_record(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)
    client = personas.case.client

    def grow() -> None:
        for _ in range(4):
            CaseFactory(team=personas.team, client=client, case_manager=team_member(personas))
        client_record_viewed(actor=personas.supervisor, client=client, via="web")

    # Reading a client record writes its audit event (a few queries of its own), and
    # loads one query each of phones, emails, addresses, identifiers and relationships.
    constant_queries(ok(lambda: api.get(f"/clients/{client.pk}")), grow, budget=14)


def test_program_list(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)
    constant_queries(
        ok(lambda: api.get("/programs")),
        lambda: ProgramFactory.create_batch(5, organization=personas.agency),
        budget=3,
    )


def test_team_list_and_detail(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)

    def grow() -> None:
        for _ in range(3):
            team = TeamFactory(organization=personas.agency, program=personas.program)
            team_member(personas, team)
            team_member(personas, personas.team)

    constant_queries(ok(lambda: api.get("/teams")), grow, budget=3)
    constant_queries(ok(lambda: api.get(f"/teams/{personas.team.pk}")), grow, budget=3)


def test_staff_list_and_detail(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.admin)

    def grow() -> None:
        for _ in range(3):
            team = TeamFactory(organization=personas.agency, program=personas.program)
            team_member(personas, team)
            TeamMembershipFactory(team=team, user=personas.colleague)

    constant_queries(ok(lambda: api.get("/staff")), grow, budget=4)
    constant_queries(ok(lambda: api.get(f"/staff/{personas.colleague.pk}")), grow, budget=3)


def test_audit_log(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.auditor)

    def grow() -> None:
        for user in (personas.case_manager, personas.supervisor, personas.admin):
            client_record_viewed(actor=user, client=personas.case.client, via="web")

    constant_queries(ok(lambda: api.get("/audit-events")), grow, budget=3)


def test_tokens_and_me(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)

    def grow() -> None:
        for n in range(3):
            services.api_token_create(actor=personas.case_manager, name=f"Token {n}")
            team = TeamFactory(organization=personas.agency, program=personas.program)
            TeamMembershipFactory(team=team, user=personas.case_manager)

    constant_queries(ok(lambda: api.get("/tokens")), grow, budget=3)
    constant_queries(ok(lambda: api.get("/me")), grow, budget=2)

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework.core.models import Program, TeamRole, User
from casework.intake import services
from casework.intake.models import Application
from tests.api.conftest import api_as, token_for
from tests.factories import ClientFactory, TeamMembershipFactory, UserFactory
from tests.personas import Personas

__all__ = ["api_as", "token_for"]  # the API tests' fixtures, shared here

RULES: list[dict[str, Any]] = [
    {"criterion": "age", "operator": "at_least", "value": 18, "label": "Adults 18 and over"},
    {
        "criterion": "household_income_percent_fpl",
        "operator": "at_most",
        "value": 50,
        "label": "Income at or below 50% of the poverty level",
    },
    {
        "criterion": "county",
        "operator": "in",
        "value": ["Riverside", "Harbor"],
        "label": "Lives in Riverside or Harbor county",
    },
]


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def program(personas: Personas) -> Program:
    program = personas.program
    program.eligibility_rules = RULES
    program.save()
    return program


def receive(p: Personas, **kwargs: Any) -> Application:
    """An application for a new adult client, received by intake."""
    client = kwargs.pop("client", None) or ClientFactory(
        organization=p.agency, date_of_birth=date(1980, 5, 1)
    )
    return services.application_receive(
        actor=p.intake,
        client=client,
        program=kwargs.pop("program", p.program),
        source=kwargs.pop("source", "walk_in"),
        **kwargs,
    )


@pytest.fixture
def application(personas: Personas, program: Program) -> Application:
    return receive(personas, presenting_needs=["housing"])


def add_case_manager(
    p: Personas, *, languages: list[str], expertise: list[str] | None = None, team: Any = None
) -> User:
    user: User = UserFactory(organization=p.agency, roles=["case_manager"])
    profile = user.staff_profile
    profile.languages = languages
    profile.expertise_areas = expertise or []
    profile.save()
    TeamMembershipFactory(team=team or p.team, user=user, role=TeamRole.MEMBER)
    return user

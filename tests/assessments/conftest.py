from __future__ import annotations

from typing import Any

import pytest

from casework.assessments import services
from casework.assessments.models import Assessment, Instrument, InstrumentVersion, VersionStatus
from casework.assessments.shipped import LIFE_DOMAINS, load_shipped_instruments
from casework.clients.models import Case
from casework.core.models import User
from tests.factories import UserFactory
from tests.personas import Personas


@pytest.fixture
def shipped(db: None) -> None:
    # Data migrations ran once, but transactional tests empty the tables: load again.
    load_shipped_instruments(Instrument, InstrumentVersion)


def published(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.select_related("instrument").get(
        instrument__organization__isnull=True,
        instrument__code=code,
        status=VersionStatus.PUBLISHED,
    )


@pytest.fixture
def needs_version(shipped: None) -> InstrumentVersion:
    return published("life-domains")


@pytest.fixture
def intake_version(shipped: None) -> InstrumentVersion:
    return published("comprehensive-intake")


@pytest.fixture
def program_manager(personas: Personas) -> User:
    user: User = UserFactory(
        organization=personas.agency, email="pm@riverside.test", roles=["program_manager"]
    )
    return user


def needs_answers(scores: dict[str, int] | None = None, default: int = 3) -> dict[str, Any]:
    answers: dict[str, Any] = {"reviewed_with_client": True}
    for domain, _label, _asked in LIFE_DOMAINS:
        answers[f"{domain}_score"] = (scores or {}).get(domain, default)
        answers[f"{domain}_note"] = f"Note about {domain}"
    return answers


def complete_needs(
    user: User, case: Case, version: InstrumentVersion, scores: dict[str, int], **kw: Any
) -> Assessment:
    assessment = services.assessment_start(actor=user, case=case, instrument_version=version, **kw)
    return services.assessment_complete(
        actor=user,
        assessment=assessment,
        answers=needs_answers(scores),
        expected_version=assessment.version,
    )

"""Demo assessments: an intake and a needs assessment per case, and for some a reassessment
three months later, all made through the services by each case's own case manager."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.core.models import Organization

from . import services
from .models import Instrument, InstrumentVersion, VersionStatus
from .shipped import LIFE_DOMAINS, load_shipped_instruments

NOTES = {
    1: "Things are very hard here right now.",
    2: "Managing, but one setback away from trouble.",
    3: "Okay for now.",
    4: "Getting better, working on it.",
    5: "This part of life is going well.",
}

GOALS = (
    "I want a place of my own where my kids can have their own room.",
    "I want to get back to work and stop worrying about rent every month.",
    "I'd like to feel steady again and see my family more.",
    "Finish my GED and find a job close to the bus line.",
)

STRENGTHS = (
    "Determined, keeps appointments, close to an older sister.",
    "Good with people; worked in retail for six years.",
    "Strong faith community and a friend who helps with rides.",
)


def _published(code: str) -> InstrumentVersion:
    return InstrumentVersion.objects.get(
        instrument=Instrument.objects.get(organization__isnull=True, code=code),
        status=VersionStatus.PUBLISHED,
    )


def _needs_answers(rng: random.Random, base: dict[str, int] | None) -> dict[str, Any]:
    answers: dict[str, Any] = {"reviewed_with_client": True}
    for domain, _label, _asked in LIFE_DOMAINS:
        if base is None:
            score = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
        else:
            score = max(1, min(5, base[domain] + rng.choice((0, 0, 1, 1, 2, -1))))
        answers[f"{domain}_score"] = score
        answers[f"{domain}_note"] = NOTES[score]
    return answers


def seed(*, organization: Organization, seed: int = 1, share: float = 0.5) -> int:
    """Assess about ``share`` of the agency's active cases; returns how many assessments."""
    load_shipped_instruments(Instrument, InstrumentVersion)
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    intake = _published("comprehensive-intake")
    needs = _published("life-domains")
    today = timezone.localdate()
    made = 0
    cases = (
        Case.objects.filter(
            organization=organization, status=CaseStatus.ACTIVE, case_manager__isnull=False
        )
        .select_related("case_manager", "client")
        .order_by("pk")
    )
    for case in cases:
        if rng.random() > share or case.case_manager is None:
            continue
        actor = case.case_manager
        first_day = max(case.opened_on, today - timedelta(days=200))
        first_day = min(first_day + timedelta(days=7), today)
        reassess = first_day + timedelta(days=91) <= today and rng.random() < 0.6
        if reassess:
            first_day = today - timedelta(days=91 + rng.randint(0, 20))
        made += _assess(actor, case, intake, first_day, _intake_answers(rng), sign=True)
        base = _needs_answers(rng, None)
        made += _assess(actor, case, needs, first_day, base, sign=True)
        if reassess:
            scores = {d: base[f"{d}_score"] for d, _l, _a in LIFE_DOMAINS}
            later = first_day + timedelta(days=91)
            made += _assess(actor, case, needs, later, _needs_answers(rng, scores), sign=False)
    return made


def _intake_answers(rng: random.Random) -> dict[str, Any]:
    safe = rng.random() < 0.85
    answers: dict[str, Any] = {
        "living_situation": rng.choice(("own_rent", "with_others", "shelter")),
        "household": rng.choice(("Lives alone.", "Two children, 6 and 11.", "Partner and a son")),
        "history": "Referred by a community partner after falling behind on rent.",
        "safe_tonight": safe,
        "benefits": rng.sample(["snap", "medicaid", "ssi", "wic"], k=rng.randint(0, 2)),
        "strengths": rng.choice(STRENGTHS),
        "goals_in_own_words": rng.choice(GOALS),
        "client_acknowledgement": True,
        "income_monthly": rng.choice((0, 650, 1200, 1850)),
    }
    if not safe:
        answers["safe_tonight_plan"] = "Staying with a cousin this week; shelter bed as backup."
    return answers


def _assess(
    actor: Any,
    case: Case,
    version: InstrumentVersion,
    day: date,
    answers: dict[str, Any],
    *,
    sign: bool,
) -> int:
    assessment = services.assessment_start(
        actor=actor, case=case, instrument_version=version, assessed_on=day
    )
    assessment = services.assessment_complete(
        actor=actor, assessment=assessment, answers=answers, expected_version=assessment.version
    )
    if sign:
        services.assessment_sign(
            actor=actor, assessment=assessment, acknowledged=True, expected_version=None
        )
    return 1

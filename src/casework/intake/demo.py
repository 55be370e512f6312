"""Demo applications in every state, made through the intake services.

Called by the demo agency builder (``site/demo.py``) once its programs, teams and
clients exist::

    from casework.intake import demo as intake_demo
    intake_demo.seed(intake=self.intake, clients=applicants, rng=self.rng)
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import access
from casework.clients.models import OPEN_STATUSES, Case, Client
from casework.core import context
from casework.core.models import Program, User

from . import queries, services
from .models import ApplicationSource, DeclineReason, LifeDomain

STATES: dict[str, int] = {"screening": 30, "waitlisted": 30, "accepted": 25, "declined": 15}
REFERRERS = (
    ("County Hospital social work", "Discharge planner"),
    ("Harbor Legal Aid", "Staff attorney"),
    ("Lakeview School District", "School counselor"),
    ("Riverside Probation", "Probation officer"),
)
WORDS = (
    "I need help keeping my apartment, the landlord gave me a notice.",
    "My caseworker at the hospital said you could help me get back on my feet.",
    "I just want a stable place and some help with my paperwork.",
    "I'm caring for my mother and I can't keep up anymore.",
    "",
)
REFERRALS_ELSEWHERE = (
    "Harbor Legal Aid eviction clinic",
    "County 211 line for emergency shelter",
    "Lakeview Food Bank and the benefits office",
    "Community mental health center walk-in clinic",
)


def _answer(rule: dict[str, Any], rng: random.Random) -> Any:
    """An answer that usually passes the rule, sometimes fails it."""
    op, value = rule["operator"], rule["value"]
    passing = rng.random() < 0.85
    if op == "documented":
        return passing
    if op == "between":
        return value[0] if passing else value[1] + 1
    if op == "at_least":
        return value if passing else max(0, value - 1)
    if op == "at_most":
        return rng.randint(0, int(value)) if passing else value + 10
    if op == "in":
        return rng.choice(value) if passing else "Elsewhere"
    return value


def _answers(program: Program, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for rule in program.eligibility_rules:
        if rule["criterion"] == "age" or rng.random() < 0.15:  # age comes from the record
            continue
        answers.setdefault(rule["criterion"], _answer(rule, rng))
    return answers


def seed(*, intake: User, clients: Sequence[Client], rng: random.Random) -> Counter[str]:
    """One application per client, in a program where they have no open case."""
    made: Counter[str] = Counter()
    programs = list(access.programs(intake).filter(is_active=True).order_by("pk"))
    today = timezone.localdate()
    for client in clients:
        open_in = set(
            Case.objects.filter(client=client, status__in=OPEN_STATUSES).values_list(
                "program_id", flat=True
            )
        )
        choices = [p for p in programs if p.pk not in open_in]
        if not choices:
            continue
        program = rng.choice(choices)
        source = rng.choice(ApplicationSource.values)
        agency, person = rng.choice(REFERRERS) if source == ApplicationSource.AGENCY else ("", "")
        with context.action_context():
            application = services.application_receive(
                actor=intake,
                client=client,
                program=program,
                source=source,
                received_on=today - timedelta(days=rng.randint(0, 60)),
                referring_agency=agency,
                referring_person=person,
                presenting_needs=rng.sample(LifeDomain.values, rng.randint(1, 3)),
                applicant_words=rng.choice(WORDS),
                screening_answers=_answers(program, rng),
            )
        state = rng.choices(list(STATES), list(STATES.values()))[0]
        if state in ("waitlisted", "accepted"):
            with context.action_context():
                application = services.application_waitlist(
                    actor=intake,
                    application=application,
                    priority=rng.choice([1, 2, 3, 3, 4]),
                    expected_version=None,
                )
        if state == "accepted":
            suggestions = queries.suggest_case_managers(intake, application)
            try:
                with context.action_context():
                    application = services.application_accept(
                        actor=intake,
                        application=application,
                        case_manager=suggestions[0].user,
                        expected_version=None,
                        notes="Accepted at the weekly intake team meeting.",
                    )
            except (IndexError, ValidationError):
                state = "waitlisted"  # no case manager, or the program is full
        elif state == "declined":
            with context.action_context():
                services.application_decline(
                    actor=intake,
                    application=application,
                    reason=rng.choice(DeclineReason.values[:-1]),
                    referral_elsewhere=rng.choice(REFERRALS_ELSEWHERE),
                    expected_version=None,
                )
        made[state] += 1
    return made

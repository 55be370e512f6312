"""Demo service plans: about half the active cases get one, written through the services by
the case's own case manager and decided by the team's supervisor.

Most plans are approved (some already reviewed), a few are drafts, one is returned with
the supervisor's comments and one waits for the well-known demo supervisor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from casework import access
from casework.clients.models import Case, CaseStatus
from casework.core.models import Organization, User

from . import services
from .models import (
    Acknowledgement,
    ClientAgreement,
    PlanEvent,
    PlanEventKind,
    PlanVersion,
    Progress,
    ServicePlan,
    StepOwner,
)
from .services import Rating


@dataclass(frozen=True)
class GoalIdea:
    words: str
    summary: str
    objective: str
    measure: str
    steps: tuple[tuple[str, str, str], ...]  # (owner kind, description, owner name)


IDEAS: dict[str, GoalIdea] = {
    "housing": GoalIdea(
        "I want a place of my own where my kids can have their own room.",
        "Secure stable, affordable two-bedroom housing.",
        "Submit three rental applications",
        "Copies of three applications",
        (
            ("client", "Gather ID, pay stubs and references.", ""),
            ("case_manager", "Check eligibility for the rapid rehousing fund.", ""),
            ("provider", "Housing search workshop.", "Metro Housing Partnership"),
        ),
    ),
    "income": GoalIdea(
        "I want to stop worrying about rent every month.",
        "Increase household income and apply for benefits the client is eligible for.",
        "Apply for SNAP and the utility assistance program",
        "Both applications submitted",
        (
            ("client", "Bring last two months of bank statements.", ""),
            ("case_manager", "Complete the benefits screening with the client.", ""),
        ),
    ),
    "employment": GoalIdea(
        "Get back to work, something close to the bus line.",
        "Obtain part-time employment within transit reach.",
        "Attend four job-readiness sessions",
        "Attendance sheet signed by the job coach",
        (
            ("client", "Update résumé with the job coach.", ""),
            ("provider", "Job-readiness sessions on Tuesdays.", "WorkSource Center"),
        ),
    ),
    "mental_health": GoalIdea(
        "I'd like to feel steady again and sleep through the night.",
        "Engage in outpatient mental health care.",
        "Attend an intake appointment and two follow-ups",
        "Appointments kept, confirmed by the clinic",
        (
            ("case_manager", "Make the referral and arrange a warm hand-off.", ""),
            ("family", "Drive to the first appointment.", "Sister"),
        ),
    ),
    "transportation": GoalIdea(
        "Be able to get to appointments without asking for rides.",
        "Secure reliable transportation for appointments and work.",
        "Obtain a reduced-fare transit pass",
        "Pass in hand",
        (("client", "Bring proof of income to the transit office.", ""),),
    ),
    "family_support": GoalIdea(
        "See my family more and have people to call when things get hard.",
        "Strengthen the client's natural support network.",
        "Join a weekly community group",
        "Attended at least three times",
        (("client", "Visit the Thursday parents' group.", ""),),
    ),
}
DEFAULT_IDEA = GoalIdea(
    "I want things to feel under control again.",
    "Stabilise the most pressing area of need.",
    "Meet with the case manager every two weeks",
    "Meetings held",
    (("client", "Keep a list of questions for each meeting.", ""),),
)

STRENGTHS = (
    "Determined and keeps appointments; knows the bus routes well.",
    "Good with people; six years of retail experience.",
    "Strong faith community; a friend helps with rides.",
)
SUPPORTS = (
    "Older sister nearby; church food pantry.",
    "Neighbour who watches the children after school.",
    "AA sponsor; cousin who lets them stay when needed.",
)


def _well_known(user: User | None, prefix: str) -> bool:
    return user is not None and user.email.startswith(prefix)


def seed(*, organization: Organization, seed: int = 1, share: float = 0.5) -> int:
    """Write plans for about ``share`` of the agency's active cases; returns how many."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    cases = list(
        Case.objects.filter(
            organization=organization, status=CaseStatus.ACTIVE, case_manager__isnull=False
        )
        .select_related("case_manager", "client", "program", "team")
        .order_by("pk")
    )
    chosen = [c for c in cases if rng.random() <= share]
    # The demo supervisor's queue and the demo case manager's returned plan come first.
    chosen.sort(key=lambda c: not _well_known(c.case_manager, "casemanager@"))
    made = 0
    for n, case in enumerate(chosen):
        supervisors = access.team_supervisors(case.team_id)
        if case.case_manager is None or not supervisors:
            continue
        if n == 0:
            fate = "submitted"
        elif n == 1:
            fate = "returned"
        else:
            fate = rng.choice(("approved", "approved", "approved", "reviewed", "draft"))
        _plan(rng, case, case.case_manager, supervisors[0], fate)
        made += 1
    return made


def _plan(rng: random.Random, case: Case, author: User, supervisor: User, fate: str) -> None:
    today = timezone.localdate()
    plan = services.plan_create(
        actor=author, case=case, strengths=rng.choice(STRENGTHS), supports=rng.choice(SUPPORTS)
    )
    needs = list(case.identified_needs.order_by("-assessment__assessed_on", "score")[:3])
    domains: list[tuple[int | None, str]] = [(n.pk, n.domain) for n in needs]
    domains = domains or [(None, "housing"), (None, "income")]
    for priority, (need_id, domain) in enumerate(domains[:3], start=1):
        idea = IDEAS.get(domain, DEFAULT_IDEA)
        goal = services.goal_add(
            actor=author,
            plan=plan,
            client_words=idea.words,
            summary=idea.summary,
            priority=priority,
            strengths_used=plan.strengths if priority == 1 else "",
            need_id=need_id,
        )
        services.objective_add(
            actor=author,
            goal=goal,
            description=idea.objective,
            measure=idea.measure,
            target_date=today + timedelta(days=rng.randint(20, 120)),
        )
        for kind, description, name in idea.steps:
            services.step_add(
                actor=author,
                goal=goal,
                description=description,
                owner_kind=StepOwner(kind),
                owner_name=name,
                due_date=today + timedelta(days=rng.randint(7, 60)),
            )
    if fate == "draft":
        return
    plan = services.plan_participation_record(
        actor=author,
        plan=plan,
        expected_version=plan.version,
        reviewed_with_client_on=today,
        client_agreement=ClientAgreement.AGREES if rng.random() < 0.8 else ClientAgreement.PARTLY,
        client_comments="I'm not ready to move out of this neighbourhood yet.",
        acknowledgement=rng.choice((Acknowledgement.SIGNED_PAPER, Acknowledgement.VERBAL)),
        acknowledged_on=today,
    )
    plan = services.plan_submit(actor=author, plan=plan, expected_version=plan.version)
    if fate == "submitted":
        return
    if fate == "returned":
        services.plan_return(
            actor=supervisor,
            plan=plan,
            expected_version=plan.version,
            comment="Good start. Please add a target date for the income goal that fits the "
            "benefits office's timeline, and name who drives to the first appointment.",
        )
        return
    plan = services.plan_approve(actor=supervisor, plan=plan, expected_version=plan.version)
    if fate == "reviewed":
        _backdate(plan, days=rng.randint(80, 100))
        goals = list(plan.goals.all())
        services.plan_review_record(
            actor=author,
            plan=plan,
            reviewed_on=today - timedelta(days=rng.randint(0, 5)),
            summary="Steady progress; the client feels more in control.",
            ratings=[
                Rating(
                    g.pk,
                    rng.choice((-1, 0, 0, 1, 1, 2)),
                    rng.choice((Progress.IN_PROGRESS, Progress.IN_PROGRESS, Progress.ACHIEVED)),
                    "Talked it through at the review meeting.",
                )
                for g in goals
            ],
        )


def _backdate(plan: ServicePlan, *, days: int) -> None:
    """Move an approval into the past, so a review can follow it believably (demo only)."""
    when = timezone.now() - timedelta(days=days)
    ServicePlan.objects.filter(pk=plan.pk).update(
        approved_on=when.date(), decided_at=when, submitted_at=when - timedelta(days=2)
    )
    PlanVersion.objects.filter(plan=plan).update(approved_at=when)
    PlanEvent.objects.filter(plan=plan, kind=PlanEventKind.APPROVED).update(occurred_at=when)

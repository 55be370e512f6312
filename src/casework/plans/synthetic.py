"""Service plans at scale for ``casework generate``: rows built in memory, inserted in bulk.

Called after cases exist. About half of the active cases with a case manager get a plan:
most approved (some after an earlier version, many already reviewed), the rest drafts,
waiting for approval or returned. Each case's ``next_review_on`` is set as approval and
review would set it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from casework.clients.models import Case, CaseStatus
from casework.core.models import Program, TeamMembership, TeamRole

from .models import (
    ActionStep,
    Goal,
    GoalRating,
    Objective,
    PlanEvent,
    PlanEventKind,
    PlanReview,
    PlanStatus,
    PlanVersion,
    Priority,
    Progress,
    ReviewOutcome,
    ServicePlan,
    StepOwner,
)
from .snapshot import digest_of

PLANNED_SHARE = 0.5  # active cases with a case manager that have a plan
FATES = (
    (PlanStatus.APPROVED, 0.72),
    (PlanStatus.DRAFT, 0.14),
    (PlanStatus.SUBMITTED, 0.09),
    (PlanStatus.RETURNED, 0.05),
)
REVISED_SHARE = 0.2  # approved plans that replaced an earlier approved version

GOALS = (
    ("housing", "Housing", "I want a place of my own.", "Secure stable, affordable housing."),
    ("income", "Income", "Stop worrying about rent every month.", "Increase household income."),
    ("employment", "Employment", "Get back to work near the bus line.", "Obtain employment."),
    ("mental_health", "Mental health", "Feel steady again.", "Engage in outpatient care."),
    ("food", "Food", "Have enough food for the kids every week.", "Improve food security."),
    ("transportation", "Transportation", "Get to appointments on my own.", "Reliable transport."),
)
OBJECTIVES = (
    ("Submit three rental applications", "Copies of the applications"),
    ("Apply for SNAP", "Application submitted"),
    ("Attend four job-readiness sessions", "Attendance sheet"),
    ("Keep three clinic appointments", "Confirmed by the clinic"),
    ("Obtain a reduced-fare transit pass", "Pass in hand"),
)
STEPS = (
    (StepOwner.CLIENT, "Gather ID and pay stubs.", ""),
    (StepOwner.CASE_MANAGER, "Check eligibility for the assistance fund.", ""),
    (StepOwner.PROVIDER, "Housing search workshop.", "Metro Housing Partnership"),
    (StepOwner.FAMILY, "Drive to the first appointment.", "Sister"),
    (StepOwner.CLIENT, "Bring bank statements to the next meeting.", ""),
)
COMMENTS = ("On track.", "Slower than hoped; barriers with transport.", "Done ahead of time.")

Insert = Callable[..., None]
Content = list[tuple[Goal, list[Objective], list[ActionStep]]]


def _key(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _fate(rng: random.Random) -> PlanStatus:
    roll = rng.random()
    for status, share in FATES:
        if roll < share:
            return status
        roll -= share
    return PlanStatus.APPROVED


class _Builder:
    def __init__(
        self, organization_id: int, rng: random.Random, today: date, now: datetime
    ) -> None:
        self.org = organization_id
        self.rng = rng
        self.today = today
        self.now = now
        self.first: list[ServicePlan] = []  # number 1: inserted first (revisions point at them)
        self.second: list[ServicePlan] = []
        # plan → its goals, each with objectives and steps, in memory until the plans have ids.
        self.content: dict[int, Content] = {}
        self.reviews: list[tuple[ServicePlan, date, date, int]] = []  # plan, on, next, author
        self.events: list[tuple[ServicePlan, str, int, datetime, str]] = []
        self.next_review: dict[int, date] = {}

    def moment(self, day: date) -> datetime:
        """A working hour on ``day``, never later than now."""
        hour = self.rng.randint(8, 17)
        when = self.now - timedelta(days=(self.today - day).days, hours=self.now.hour - hour)
        return min(when, self.now)

    def plan(
        self, case: Case, number: int, status: PlanStatus, author: int, started: date
    ) -> ServicePlan:
        plan = ServicePlan(
            organization_id=self.org,
            case_id=case.pk,
            number=number,
            status=status,
            strengths="Determined; keeps appointments.",
            supports="Older sister nearby; church food pantry.",
            created_by_id=author,
            created_at=self.moment(started),
            updated_at=self.moment(started),
            version=1,
        )
        (self.first if number == 1 else self.second).append(plan)
        self.content[id(plan)] = []
        self.events.append((plan, PlanEventKind.CREATED, author, plan.created_at, ""))
        return plan

    def goals(self, plan: ServicePlan, like: ServicePlan | None, case: Case) -> None:
        rng = self.rng
        if like is not None:
            source = self.content[id(like)]
            for goal, objectives, steps in source:
                self.content[id(plan)].append(
                    (
                        _copy(goal, organization_id=self.org),
                        [_copy(o, organization_id=self.org) for o in objectives],
                        [_copy(s, organization_id=self.org) for s in steps],
                    )
                )
            return
        for position, (domain, label, words, summary) in enumerate(
            rng.sample(GOALS, k=rng.randint(1, 3)), start=1
        ):
            goal = Goal(
                organization_id=self.org,
                case_id=case.pk,
                key=_key(rng),
                position=position,
                domain=domain,
                domain_label=label,
                client_words=words,
                summary=summary,
                priority=rng.choice(Priority.values),
                status=Progress.NOT_STARTED,
                created_at=plan.created_at,
            )
            objectives = [
                Objective(
                    organization_id=self.org,
                    key=_key(rng),
                    position=n,
                    description=text,
                    measure=measure,
                    target_date=self.today + timedelta(days=rng.randint(-60, 150)),
                    status=Progress.IN_PROGRESS,
                    created_at=plan.created_at,
                )
                for n, (text, measure) in enumerate(
                    rng.sample(OBJECTIVES, k=rng.randint(1, 2)), start=1
                )
            ]
            steps = [
                ActionStep(
                    organization_id=self.org,
                    key=_key(rng),
                    position=n,
                    description=text,
                    owner_kind=kind,
                    owner_name=name,
                    due_date=self.today + timedelta(days=rng.randint(-30, 60)),
                    created_at=plan.created_at,
                )
                for n, (kind, text, name) in enumerate(
                    rng.sample(STEPS, k=rng.randint(1, 3)), start=1
                )
            ]
            self.content[id(plan)].append((goal, objectives, steps))

    def decide(
        self,
        plan: ServicePlan,
        status: PlanStatus,
        author: int,
        supervisor: int,
        submitted: date,
    ) -> date:
        """Submit (and approve or return) ``plan``; the day it was decided."""
        rng = self.rng
        plan.submitted_by_id = author
        plan.submitted_at = self.moment(submitted)
        plan.version = 2
        self.events.append((plan, PlanEventKind.SUBMITTED, author, plan.submitted_at, ""))
        decided = min(submitted + timedelta(days=rng.randint(0, 6)), self.today)
        if status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED):
            plan.decided_by_id = supervisor
            plan.decided_at = max(self.moment(decided), plan.submitted_at)
            plan.approved_on = decided
            plan.version = 3
            plan.reviewed_with_client_on = submitted
            plan.client_agreement = "agrees"
            plan.acknowledgement = rng.choice(("signed_paper", "verbal"))
            plan.acknowledged_on = submitted
            plan.agreed_content = digest_of(
                strengths=plan.strengths, supports=plan.supports, goals=self.content[id(plan)]
            )
            self.events.append((plan, PlanEventKind.APPROVED, supervisor, plan.decided_at, ""))
        elif status == PlanStatus.RETURNED:
            plan.decided_by_id = supervisor
            plan.decided_at = max(self.moment(decided), plan.submitted_at)
            plan.return_comment = "Please add target dates that fit the client's schedule."
            plan.version = 3
            self.events.append(
                (plan, PlanEventKind.RETURNED, supervisor, plan.decided_at, plan.return_comment)
            )
        plan.updated_at = plan.decided_at or plan.submitted_at
        return decided

    def case(self, case: Case, author: int, supervisor: int, interval: int, started: date) -> None:
        rng = self.rng
        fate = _fate(rng)
        if fate != PlanStatus.APPROVED:
            plan = self.plan(case, 1, fate, author, started)
            self.goals(plan, None, case)
            if fate != PlanStatus.DRAFT:
                self.decide(plan, fate, author, supervisor, started)
            return
        earlier = None
        if (self.today - started).days > interval + 30 and rng.random() < REVISED_SHARE:
            earlier = self.plan(case, 1, PlanStatus.SUPERSEDED, author, started)
            self.goals(earlier, None, case)
            first_approved = self.decide(
                earlier, PlanStatus.SUPERSEDED, author, supervisor, started
            )
            reviewed = first_approved + timedelta(days=interval)
            self.reviews.append((earlier, reviewed, reviewed + timedelta(days=interval), author))
            started = min(reviewed + timedelta(days=rng.randint(1, 10)), self.today)
            earlier.superseded_at = self.moment(started)
        plan = self.plan(case, 2 if earlier else 1, PlanStatus.APPROVED, author, started)
        self.goals(plan, earlier, case)
        approved = self.decide(plan, PlanStatus.APPROVED, author, supervisor, started)
        due = approved + timedelta(days=interval)
        for _ in range(2):
            if due > self.today:
                break
            reviewed = min(due + timedelta(days=rng.randint(-7, 7)), self.today)
            due = reviewed + timedelta(days=interval)
            self.reviews.append((plan, reviewed, due, author))
        self.next_review[case.pk] = due


def _copy(obj: Any, **values: Any) -> Any:
    """An unsaved copy of an unsaved plan item, keeping its key (so versions compare)."""
    fields = {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }
    fields.update(values)
    return type(obj)(**fields)


def _snapshot(plan: ServicePlan, content: Content) -> dict[str, Any]:
    return {
        "format": 1,
        "number": plan.number,
        "strengths": plan.strengths,
        "supports": plan.supports,
        "goals": [
            {
                "key": str(goal.key),
                "domain_label": goal.domain_label,
                "client_words": goal.client_words,
                "summary": goal.summary,
                "priority": goal.priority,
                "priority_label": str(Priority(goal.priority).label),
                "strengths_used": goal.strengths_used,
                "objectives": [
                    {
                        "key": str(o.key),
                        "description": o.description,
                        "measure": o.measure,
                        "target_date": o.target_date.isoformat(),
                        "status": o.status,
                        "status_label": str(Progress(o.status).label),
                    }
                    for o in objectives
                ],
                "steps": [
                    {
                        "key": str(s.key),
                        "description": s.description,
                        "owner_kind": s.owner_kind,
                        "owner": f"{StepOwner(s.owner_kind).label}"
                        + (f": {s.owner_name}" if s.owner_name else ""),
                        "due_date": s.due_date.isoformat() if s.due_date else "",
                    }
                    for s in steps
                ],
            }
            for goal, objectives, steps in content
        ],
    }


def _set_next_reviews(next_review: dict[int, date]) -> None:
    """One statement per batch of cases: what approval and review set through the services."""
    if not next_review:
        return
    db = connections[DEFAULT_DB_ALIAS]
    table = db.ops.quote_name(Case._meta.db_table)
    rows = [(day, pk) for pk, day in next_review.items()]
    with db.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET next_review_on = %s WHERE id = %s",  # noqa: S608 — our own name
            rows,
        )


def generate(
    *,
    organization_id: int,
    cases: Sequence[Case],
    rng: random.Random,
    today: date,
    now: datetime,
    insert: Insert,
) -> dict[str, int]:
    """Plans, their goals, objectives, steps, workflow events, approved versions and reviews."""
    candidates = [
        c for c in cases if c.status == CaseStatus.ACTIVE and c.case_manager_id is not None
    ]
    if not candidates:
        return {}
    team_ids = {c.team_id for c in candidates}
    supervisors: dict[int, int] = {}
    for team_id, user_id in (
        TeamMembership.objects.filter(team_id__in=team_ids, role=TeamRole.SUPERVISOR)
        .order_by("team_id", "pk")
        .values_list("team_id", "user_id")
    ):
        supervisors.setdefault(team_id, user_id)
    intervals = dict(
        Program.objects.filter(organization_id=organization_id).values_list(
            "pk", "review_interval_days"
        )
    )
    builder = _Builder(organization_id, rng, today, now)
    for case in candidates:
        if rng.random() >= PLANNED_SHARE:
            continue
        author = case.case_manager_id
        supervisor = supervisors.get(case.team_id)
        if author is None or supervisor is None or supervisor == author:
            continue
        started = min(case.opened_on + timedelta(days=rng.randint(10, 40)), today)
        builder.case(case, author, supervisor, intervals.get(case.program_id, 90), started)

    insert(builder.first, returning=True)
    by_case = {p.case_id: p for p in builder.first}
    for plan in builder.second:
        plan.based_on_id = by_case[plan.case_id].pk
    insert(builder.second, returning=True)
    plans = builder.first + builder.second

    goals: list[Goal] = []
    for plan in plans:
        for goal, _objectives, _steps in builder.content[id(plan)]:
            goal.plan_id = plan.pk
            goals.append(goal)
    insert(goals, returning=True)
    objectives: list[Objective] = []
    steps: list[ActionStep] = []
    for plan in plans:
        for goal, goal_objectives, goal_steps in builder.content[id(plan)]:
            for objective in goal_objectives:
                objective.goal_id = goal.pk
            for step in goal_steps:
                step.goal_id = goal.pk
            objectives.extend(goal_objectives)
            steps.extend(goal_steps)
    insert(objectives)
    insert(steps)

    insert(
        [
            PlanEvent(
                organization_id=organization_id,
                plan_id=plan.pk,
                kind=kind,
                actor_id=actor,
                occurred_at=when,
                comment=comment,
            )
            for plan, kind, actor, when, comment in builder.events
        ]
    )
    versions = [
        PlanVersion(
            organization_id=organization_id,
            case_id=plan.case_id,
            plan_id=plan.pk,
            number=plan.number,
            snapshot=_snapshot(plan, builder.content[id(plan)]),
            approved_by_id=plan.decided_by_id,
            approved_at=plan.decided_at,
        )
        for plan in plans
        if plan.decided_by_id is not None
        and plan.decided_at is not None
        and plan.status in (PlanStatus.APPROVED, PlanStatus.SUPERSEDED)
    ]
    insert(versions)

    reviews = [
        PlanReview(
            organization_id=organization_id,
            case_id=plan.case_id,
            plan_id=plan.pk,
            reviewed_on=on,
            reviewed_by_id=author,
            summary="Reviewed with the client.",
            outcome=ReviewOutcome.CONTINUE,
            next_review_on=next_on,
            created_at=builder.moment(on),
        )
        for plan, on, next_on, author in builder.reviews
    ]
    insert(reviews, returning=True)
    ratings = [
        GoalRating(
            organization_id=organization_id,
            review_id=review.pk,
            goal_id=goal.pk,
            attainment=rng.choice((-1, 0, 0, 1, 1, 2)),
            status=rng.choice((Progress.IN_PROGRESS, Progress.IN_PROGRESS, Progress.ACHIEVED)),
            comment=rng.choice(COMMENTS),
        )
        for review, (plan, _on, _next, _author) in zip(reviews, builder.reviews, strict=True)
        for goal, _objectives, _steps in builder.content[id(plan)]
    ]
    insert(ratings)
    _set_next_reviews(builder.next_review)
    return {
        "plans": len(plans),
        "plan_goals": len(goals),
        "plan_objectives": len(objectives),
        "plan_steps": len(steps),
        "plan_events": len(builder.events),
        "plan_versions": len(versions),
        "plan_reviews": len(reviews),
        "goal_ratings": len(ratings),
    }

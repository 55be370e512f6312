"""Request and response shapes of the plans API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from casework.core.schemas import Input, PatchInput, StaffRef

from .models import (
    Acknowledgement,
    ClientAgreement,
    PlanStatus,
    Priority,
    Progress,
    ReviewOutcome,
    StepOwner,
)

VERSION_HELP = "The version you loaded; if someone saved since, you get 409."


class ObjectiveOut(Schema):
    id: int
    key: UUID = Field(description="Stays the same across plan versions.")
    description: str
    measure: str
    target_date: date
    achieved_on: date | None
    status: Progress
    version: int


class StepOut(Schema):
    id: int
    key: UUID
    description: str
    owner_kind: StepOwner
    owner_user: StaffRef | None
    owner_name: str
    due_date: date | None
    done_on: date | None
    version: int


class GoalOut(Schema):
    id: int
    key: UUID
    need_id: int | None = Field(description="The assessed need the goal answers.")
    domain: str
    domain_label: str
    client_words: str
    summary: str
    priority: Priority
    strengths_used: str
    status: Progress
    version: int
    objectives: list[ObjectiveOut]
    steps: list[StepOut]

    @staticmethod
    def resolve_objectives(obj: Any) -> list[Any]:
        return list(obj.objectives.all())

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class PlanSummaryOut(Schema):
    id: int
    case_id: int
    number: int = Field(description="Version number of the plan within its case.")
    status: PlanStatus
    based_on_id: int | None
    submitted_at: datetime | None
    approved_on: date | None
    return_comment: str = Field(description="The supervisor's comments when returned.")
    version: int = Field(description="Edit version, for optimistic concurrency.")


class PlanOut(PlanSummaryOut):
    strengths: str
    supports: str
    reviewed_with_client_on: date | None
    client_agreement: ClientAgreement | None
    client_comments: str
    acknowledgement: Acknowledgement | None
    acknowledged_on: date | None
    signature_name: str
    submitted_by: StaffRef | None
    decided_by: StaffRef | None
    goals: list[GoalOut]

    @staticmethod
    def resolve_client_agreement(obj: Any) -> str | None:
        return obj.client_agreement or None

    @staticmethod
    def resolve_acknowledgement(obj: Any) -> str | None:
        return obj.acknowledgement or None

    @staticmethod
    def resolve_goals(obj: Any) -> list[Any]:
        return list(obj.goals.all())


class PlanCreateIn(Input):
    strengths: str = ""
    supports: str = ""


class PlanPatch(PatchInput):
    not_null = frozenset({"strengths", "supports"})
    version: int = Field(description=VERSION_HELP)
    strengths: str | None = None
    supports: str | None = None


class ParticipationIn(Input):
    version: int = Field(description=VERSION_HELP)
    reviewed_with_client_on: date | None = None
    client_agreement: ClientAgreement | None = None
    client_comments: str = Field("", description="In the client's own words.")
    acknowledgement: Acknowledgement | None = None
    acknowledged_on: date | None = None
    signature_name: str = Field("", max_length=200)


class PlanVersionIn(Input):
    version: int = Field(description=VERSION_HELP)


class PlanDecisionIn(Input):
    version: int = Field(description=VERSION_HELP)
    comment: str = Field("", description="Required when returning the plan.")


class GoalIn(Input):
    client_words: str = Field(description="The goal the way the client said it.")
    summary: str = ""
    priority: Priority = Priority.MEDIUM
    strengths_used: str = ""
    need_id: int | None = Field(None, description="An identified need of the case.")


class GoalPatch(PatchInput):
    not_null = frozenset({"client_words", "summary", "priority", "strengths_used"})
    version: int = Field(description=VERSION_HELP)
    client_words: str | None = None
    summary: str | None = None
    priority: Priority | None = None
    strengths_used: str | None = None
    need_id: int | None = None


class ObjectiveIn(Input):
    description: str
    measure: str = Field("", max_length=300)
    target_date: date


class ObjectivePatch(PatchInput):
    not_null = frozenset({"description", "measure", "target_date"})
    version: int = Field(description=VERSION_HELP)
    description: str | None = None
    measure: str | None = Field(None, max_length=300)
    target_date: date | None = None


class ProgressIn(Input):
    version: int = Field(description=VERSION_HELP)
    status: Progress
    achieved_on: date | None = Field(None, description="Today if left out and achieved.")


class StepIn(Input):
    description: str
    owner_kind: StepOwner
    owner_user_id: int | None = Field(None, description="The colleague, when one does it.")
    owner_name: str = Field("", max_length=200, description="The family member or provider.")
    due_date: date | None = None


class StepPatch(PatchInput):
    not_null = frozenset({"description", "owner_kind", "owner_name"})
    version: int = Field(description=VERSION_HELP)
    description: str | None = None
    owner_kind: StepOwner | None = None
    owner_user_id: int | None = None
    owner_name: str | None = Field(None, max_length=200)
    due_date: date | None = None


class RatingIn(Input):
    goal_id: int
    attainment: int = Field(ge=-2, le=2, description="Goal attainment, −2 to +2.")
    status: Progress
    comment: str = ""


class ReviewIn(Input):
    reviewed_on: date | None = None
    summary: str = ""
    outcome: ReviewOutcome = ReviewOutcome.CONTINUE
    ratings: list[RatingIn]


class RatingOut(Schema):
    goal_id: int
    attainment: int
    status: Progress
    comment: str


class ReviewOut(Schema):
    id: int
    plan_id: int
    reviewed_on: date
    reviewed_by: StaffRef
    summary: str
    outcome: ReviewOutcome
    next_review_on: date
    ratings: list[RatingOut]

    @staticmethod
    def resolve_ratings(obj: Any) -> list[Any]:
        return list(obj.ratings.all())


class PlanVersionOut(Schema):
    id: int
    plan_id: int
    number: int
    approved_at: datetime
    approved_by: StaffRef
    snapshot: dict[str, Any] = Field(description="The plan as it was approved.")

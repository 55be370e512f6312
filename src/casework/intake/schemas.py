"""Request and response shapes of the intake API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.clients.schemas import ClientRef
from casework.core.schemas import Input, ProgramRef, StaffRef, TeamRef

from .models import ApplicationSource, ApplicationStatus, Decision, DeclineReason, LifeDomain


class CaseRef(Schema):
    id: int
    reference: str
    status: str
    team: TeamRef
    case_manager: StaffRef | None


class ApplicationOut(Schema):
    id: int
    status: ApplicationStatus
    case: CaseRef
    client: ClientRef
    program: ProgramRef
    source: ApplicationSource
    received_on: date
    priority: int = Field(description="1 urgent … 4 routine: the order of the waitlist.")
    waitlisted_at: datetime | None
    position: int | None = Field(
        None, description="Place on the program's waitlist (priority, then date waitlisted)."
    )
    decided_at: datetime | None
    version: int


class RuleResultOut(Schema):
    criterion: str
    label: str
    outcome: str = Field(description="pass, fail or needs_info.")
    explanation: str


class ScreeningOut(Schema):
    outcome: str = Field(description="fail if any rule fails, else needs_info if any does.")
    summary: str
    rules: list[RuleResultOut]


class ApplicationDecisionOut(Schema):
    decision: Decision
    decided_by: StaffRef
    decided_at: datetime
    priority: int | None
    case_manager: StaffRef | None
    reason: str
    notes: str
    referral_elsewhere: str


class DocumentOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    uploaded_by: StaffRef
    uploaded_at: datetime


class ApplicationDetailOut(ApplicationOut):
    referring_agency: str
    referring_person: str
    referring_contact: str
    presenting_needs: list[LifeDomain]
    applicant_words: str
    screening_answers: dict[str, Any]
    screening: ScreeningOut
    decline_reason: str
    referral_elsewhere: str
    decisions: list[ApplicationDecisionOut]
    documents: list[DocumentOut]


class ApplicationFilters(Schema):
    status: ApplicationStatus | None = None
    program: int | None = Field(None, description="Program id.")
    source: ApplicationSource | None = None
    priority: int | None = Field(None, ge=1, le=4)


class ApplicationIn(Input):
    client: int = Field(description="Id of the client (found with the clients search).")
    program: int
    team: int | None = Field(
        None, description="Team that screens; the program's first if left out."
    )
    source: ApplicationSource
    received_on: date | None = None
    referring_agency: str = Field("", max_length=200)
    referring_person: str = Field("", max_length=200)
    referring_contact: str = Field("", max_length=200)
    presenting_needs: list[str] = Field(default_factory=list, description="Life domain codes.")
    applicant_words: str = ""
    screening_answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers keyed by eligibility criterion."
    )


class ScreeningIn(Input):
    version: int = Field(description="The application version you loaded; newer gives 409.")
    screening_answers: dict[str, Any] = Field(description="Replaces all answers.")
    presenting_needs: list[str] | None = None
    applicant_words: str | None = None


class WaitlistIn(Input):
    version: int
    priority: int = Field(description="1 urgent … 4 routine.")
    notes: str = ""


class AcceptIn(Input):
    version: int
    case_manager: int = Field(description="Id of the case manager (see the suggestions).")
    notes: str = Field("", description="Required when screening does not show eligibility.")


class DeclineIn(Input):
    version: int
    reason: DeclineReason | str
    referral_elsewhere: str = Field(description="Where else the applicant can get help.")
    notes: str = ""


class SuggestionOut(Schema):
    case_manager: StaffRef
    team: TeamRef
    moves_team: bool = Field(
        description="Accepting with this case manager moves the case off the screening team."
    )
    caseload: int
    capacity: int
    speaks_language: bool
    expertise: list[str]
    score: float
    reasons: list[str]

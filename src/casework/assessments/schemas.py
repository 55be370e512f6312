"""Request and response shapes of the assessments API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.core.schemas import Input, StaffRef

from .models import AssessmentStatus, ExternalKind, InstrumentPurpose, VersionStatus


class InstrumentOut(Schema):
    id: int
    code: str
    name: str
    description: str
    purpose: InstrumentPurpose
    shipped: bool = Field(description="Comes with Casework (read-only; adapt it to change it).")
    based_on: int | None = Field(description="The Casework instrument this one adapts.")

    @staticmethod
    def resolve_shipped(obj: Any) -> bool:
        return bool(obj.organization_id is None)

    @staticmethod
    def resolve_based_on(obj: Any) -> int | None:
        value: int | None = obj.based_on_id
        return value


class InstrumentVersionOut(Schema):
    id: int
    instrument: InstrumentOut
    number: int
    status: VersionStatus
    definition: dict[str, Any]
    published_at: datetime | None
    published_by: StaffRef | None
    version: int = Field(description="Edit version of a draft, for optimistic concurrency.")


class InstrumentCreateIn(Input):
    code: str = Field(max_length=60, pattern=r"^[a-z0-9-]+$")
    name: str = Field(max_length=200)
    description: str = ""
    purpose: InstrumentPurpose = InstrumentPurpose.OTHER
    based_on: int | None = Field(None, description="Id of an instrument to start from.")


class DraftUpdateIn(Input):
    definition: dict[str, Any]
    version: int = Field(description="The draft version you loaded; a newer saved one gives 409.")


class PublishIn(Input):
    version: int | None = None


class VersionRef(Schema):
    id: int
    number: int
    instrument_id: int
    instrument_code: str
    instrument_name: str

    @staticmethod
    def resolve_instrument_code(obj: Any) -> str:
        return str(obj.instrument.code)

    @staticmethod
    def resolve_instrument_name(obj: Any) -> str:
        return str(obj.instrument.name)


class AssessmentOut(Schema):
    id: int
    case_id: int
    client_id: int
    instrument_version: VersionRef
    assessor: StaffRef
    assessed_on: date
    status: AssessmentStatus
    answers: dict[str, Any] = Field(description="Question id → answer.")
    scores: dict[str, Any] = Field(description="Score id → {label, kind, value, max, band}.")
    completed_at: datetime | None
    signed_by: StaffRef | None
    signed_at: datetime | None
    version: int
    updated_at: datetime


class AssessmentSummaryOut(Schema):
    id: int
    instrument_version: VersionRef
    assessor: StaffRef
    assessed_on: date
    status: AssessmentStatus
    version: int


class AssessmentStartIn(Input):
    instrument_version: int = Field(description="Id of a published instrument version.")
    assessed_on: date | None = Field(None, description="Defaults to today.")


class AnswersIn(Input):
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Question id → answer; null or empty clears it."
    )
    version: int = Field(description="The version you loaded; a newer saved one gives 409.")


class AssessmentSignIn(Input):
    acknowledged: bool = Field(description="The assessor confirms it is accurate and complete.")
    version: int


class ScoreChangeOut(Schema):
    id: str
    label: str
    kind: str
    previous: float | None
    current: float | None
    change: float | None
    direction: str = Field(description="up, down, same or none.")
    maximum: float | None


class ComparisonOut(Schema):
    assessment_id: int
    previous_assessment_id: int | None
    previous_assessed_on: date | None
    rows: list[ScoreChangeOut]


class ExternalAssessmentOut(Schema):
    id: int
    case_id: int
    kind: ExternalKind
    professional_name: str
    professional_organization: str
    assessed_on: date
    findings: str
    client_summary: str
    has_report: bool
    report_content_type: str
    report_size: int | None
    recorded_by: StaffRef
    created_at: datetime

    @staticmethod
    def resolve_has_report(obj: Any) -> bool:
        return bool(obj.report)


class ExternalAssessmentIn(Schema):
    kind: ExternalKind
    professional_name: str = Field(max_length=200)
    professional_organization: str = Field("", max_length=200)
    assessed_on: date
    findings: str
    client_summary: str = ""


class IdentifiedNeedOut(Schema):
    id: int
    case_id: int
    assessment_id: int
    domain: str
    domain_label: str
    score: float
    note: str
    created_at: datetime

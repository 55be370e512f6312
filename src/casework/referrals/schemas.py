"""Request and response shapes of the referrals API (the staff side)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from ninja import Field, Schema
from pydantic import AwareDatetime

from casework.consent.models import Category
from casework.core.schemas import Input, PatchInput, StaffRef

from .models import EventVia, ReferralStatus, Urgency


class MatchReason(Schema):
    fits: bool | None = Field(description="true fits, false does not, null: to check.")
    text: str = Field(max_length=500)


class ReferralIn(Input):
    service_id: int
    reason: str = Field(max_length=4000)
    categories: list[Category] = Field(
        description="What the referral carries; must include identity_contact."
    )
    goal_id: int | None = None
    action_step_id: int | None = None
    location_id: int | None = Field(None, description="A service-at-location of the service.")
    urgency: Urgency = Urgency.ROUTINE
    eligibility_note: str = Field("", max_length=4000)
    in_house_note: str = Field("", max_length=4000)
    self_help_note: str = Field("", max_length=4000)
    match_reasons: list[MatchReason] | None = None


class ReferralPatch(PatchInput):
    """Change a draft; what is left out stays as it is."""

    not_null: ClassVar[frozenset[str]] = frozenset(
        {"service_id", "reason", "categories", "urgency"}
    )

    expected_version: int
    service_id: int | None = None
    reason: str | None = Field(None, max_length=4000)
    categories: list[Category] | None = None
    goal_id: int | None = None
    action_step_id: int | None = None
    location_id: int | None = None
    urgency: Urgency | None = None
    eligibility_note: str | None = Field(None, max_length=4000)
    in_house_note: str | None = Field(None, max_length=4000)
    self_help_note: str | None = Field(None, max_length=4000)
    match_reasons: list[MatchReason] | None = None


class VersionIn(Input):
    expected_version: int


class EventIn(Input):
    """What the provider said (a phone call or a letter)."""

    expected_version: int
    status: ReferralStatus
    happened_on: date
    via: EventVia = EventVia.PHONE
    note: str = Field("", max_length=4000)
    decline_reason: str = Field("", max_length=2000)
    first_appointment_at: AwareDatetime | None = None
    outcome: str = Field("", max_length=4000)


class CloseIn(Input):
    expected_version: int
    note: str = Field("", max_length=4000)


class CancelIn(Input):
    expected_version: int
    reason: str = Field(max_length=2000)


class LinkIn(Input):
    days: int | None = Field(None, ge=1, le=90, description="Default: the agency's setting.")


class LinkOut(Schema):
    id: int
    url: str = Field(description="The secret link; shown only in this answer.")
    expires_at: datetime


class Ref(Schema):
    id: int
    name: str


class EventOut(Schema):
    status: ReferralStatus
    happened_on: date
    via: EventVia
    actor: StaffRef | None
    actor_name: str
    note: str
    step_done: str = Field(description="The plan's action step this answer marked done.")
    recorded_at: datetime


class ReferralOut(Schema):
    id: int
    case_id: int
    client_id: int
    status: ReferralStatus
    service: Ref
    provider: Ref
    recipient_organization_id: int | None
    goal_id: int | None
    action_step_id: int | None
    location_id: int | None
    reason: str
    urgency: Urgency
    eligibility_note: str
    in_house_note: str
    self_help_note: str
    match_reasons: list[dict[str, Any]]
    categories: list[str]
    consent_id: int | None
    disclosure_id: int | None
    created_by: StaffRef
    created_at: datetime
    sent_at: datetime | None
    answer_due_on: date | None
    received_on: date | None
    accepted_on: date | None
    waitlisted_on: date | None
    declined_on: date | None
    decline_reason: str
    first_appointment_at: datetime | None
    started_on: date | None
    ended_on: date | None
    outcome_kind: str
    outcome: str
    closed_at: datetime | None
    follow_up_task_id: int | None
    version: int


class ReferralDetailOut(ReferralOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Any) -> list[Any]:
        return list(obj.events.select_related("actor").order_by("recorded_at", "pk"))

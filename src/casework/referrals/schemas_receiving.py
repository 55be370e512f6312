"""Request and response shapes of the receiving side's API (partner agencies)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import AwareDatetime

from casework.consent.schemas import PacketSection
from casework.core.schemas import Input

from .models import EventVia, ReferralStatus, Urgency


class NamedRef(Schema):
    id: int
    name: str


class PartnerReferralOut(Schema):
    """A referral to the caller's partner agency, as listed: never the client's name."""

    id: int
    status: ReferralStatus
    urgency: Urgency
    sent_at: datetime | None
    answer_due_on: date | None
    service: NamedRef
    provider: NamedRef
    from_organization: NamedRef
    content_available: bool = Field(
        description="Whether the client's consent still allows their information to be shown."
    )


class PartnerReferralPage(Schema):
    items: list[PartnerReferralOut]
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None


class CaseManagerOut(Schema):
    name: str
    job_title: str
    phone: str
    email: str


class ReferralEventOut(Schema):
    status: ReferralStatus
    happened_on: date
    via: EventVia
    by: str
    note: str | None = Field(
        description="Null when there is none or the consent does not allow it: a note by the "
        "referring agency's staff only under a consent covering case notes, yours while the "
        "consent is in force."
    )
    step_done: str | None = Field(
        description="The client's plan step this answer marked done; null unless the consent "
        "covers the service plan."
    )


class PartnerReferralDetailOut(PartnerReferralOut):
    reason: str | None = Field(description="Null when the consent no longer allows it.")
    eligibility_note: str | None
    first_appointment_at: datetime | None
    declined_on: date | None
    decline_reason: str | None
    outcome: str | None
    case_manager: CaseManagerOut
    required_documents: list[str]
    events: list[ReferralEventOut]
    client: list[PacketSection] | None = Field(
        description="The consented information, by category; null once the consent ended."
    )
    next_statuses: list[ReferralStatus] = Field(
        description="What you may record next (POST .../status)."
    )


class StatusIn(Input):
    status: ReferralStatus
    happened_on: date
    note: str = ""
    decline_reason: str = Field("", description="Required when declining.")
    first_appointment_at: AwareDatetime | None = Field(
        None, description="Required for status `appointment`."
    )
    outcome: str = Field("", description="Required for status `not_completed`.")

"""Request and response shapes of the consent API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.core.schemas import Input, StaffRef

from .models import Category, PartyKind, Purpose, SignatureMethod
from .policy import Party


class PartyIn(Input):
    kind: PartyKind
    organization_id: int | None = Field(None, description="A partner agency (kind partner_agency).")
    relationship_id: int | None = Field(
        None, description="One of the client's relationships (kind person)."
    )
    provider_id: int | None = Field(
        None, description="A provider in the agency's resource directory (kind provider)."
    )
    name: str = Field(
        "", max_length=200, description="Kind other: the organization or professional."
    )
    role: str = Field("", max_length=200, description="Kind other: their role or organization.")

    def party(self) -> Party:
        return Party(
            kind=self.kind,
            organization_id=self.organization_id,
            relationship_id=self.relationship_id,
            provider_id=self.provider_id,
            name=self.name,
            role=self.role,
        )


class PartyOut(Schema):
    kind: PartyKind
    organization_id: int | None
    relationship_id: int | None
    provider_id: int | None
    name: str
    role: str
    label: str

    @staticmethod
    def resolve_kind(obj: Any) -> str:
        return str(obj.party_kind)

    @staticmethod
    def resolve_organization_id(obj: Any) -> int | None:
        return obj.party_organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_relationship_id(obj: Any) -> int | None:
        return obj.party_relationship_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_provider_id(obj: Any) -> int | None:
        return obj.party_provider_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.party_name)

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return str(obj.party_role)

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.party_label)


class ConsentIn(Input):
    """A consent signed on screen. (A paper-signed consent with its scan is recorded on the
    consent form in Casework.)"""

    party: PartyIn
    purposes: list[Purpose]
    purpose_other: str = Field("", max_length=200)
    categories: list[Category]
    effective_on: date
    expires_on: date
    signed_name: str = Field(max_length=200, description="The client's typed name.")
    signed_confirmed: bool = Field(description="The client read the consent and signed it.")
    signed_on: date
    witness_name: str = Field("", max_length=200)


class ConsentOut(Schema):
    id: int
    client_id: int
    party: PartyOut
    purposes: list[Purpose]
    purpose_other: str
    categories: list[Category]
    effective_on: date
    expires_on: date
    status: str = Field(description="active, pending, expired or revoked, today.")
    signature_method: SignatureMethod
    has_document: bool
    signed_on: date
    witness_name: str
    recorded_by: StaffRef
    recorded_at: datetime
    revoked_on: date | None
    revoked_reason: str
    revoked_by: StaffRef | None

    @staticmethod
    def resolve_party(obj: Any) -> Any:
        return obj

    @staticmethod
    def resolve_has_document(obj: Any) -> bool:
        return bool(obj.document)


class RevokeIn(Input):
    revoked_on: date
    reason: str = Field(max_length=2000)


class ConsentDecisionIn(Input):
    client_id: int
    party: PartyIn
    purpose: Purpose
    categories: list[Category]
    on: date | None = Field(None, description="The day to decide for; today if left out.")


class GapOut(Schema):
    code: str = Field(description="no_consent, pending, expired, revoked, purpose or categories.")
    message: str
    categories: list[Category]


class ConsentDecisionOut(Schema):
    allowed: bool
    consent_id: int | None
    covered: list[Category]
    missing: list[Category]
    gaps: list[GapOut]
    message: str


class DisclosureIn(Input):
    party: PartyIn
    purpose: Purpose
    categories: list[Category]


class PacketRow(Schema):
    label: str
    text: str


class PacketSection(Schema):
    category: Category
    title: str
    rows: list[PacketRow]


class DisclosureOut(Schema):
    id: int
    client_id: int
    consent_id: int
    party: PartyOut
    purpose: Purpose
    categories: list[Category]
    disclosed_by: StaffRef
    disclosed_at: datetime

    @staticmethod
    def resolve_party(obj: Any) -> Any:
        return obj


class DisclosureDetailOut(DisclosureOut):
    packet: list[PacketSection]


class SharedOut(Schema):
    """A disclosure to the caller's partner agency: content only while the consent is in force."""

    id: int
    from_organization: str
    purpose: Purpose
    categories: list[Category]
    disclosed_at: datetime
    content_available: bool
    packet: list[PacketSection] | None

    @staticmethod
    def resolve_from_organization(obj: Any) -> str:
        return str(obj.organization.name)

    @staticmethod
    def resolve_content_available(obj: Any) -> bool:
        return bool(obj.content_available)

    @staticmethod
    def resolve_packet(obj: Any) -> Any:
        return getattr(obj, "shown_packet", None)


class SharedPage(Schema):
    items: list[SharedOut]
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None

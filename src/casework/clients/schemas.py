"""Request and response shapes of the clients-and-cases API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.core.schemas import Input, PatchInput, ProgramRef, StaffRef, TeamRef

from .models import CaseStatus


class ClientRef(Schema):
    id: int
    display_name: str = Field(description="Preferred name first: the name to use with the person.")


class CaseOut(Schema):
    id: int
    reference: str
    status: CaseStatus
    opened_on: date
    closed_on: date | None
    client: ClientRef
    program: ProgramRef
    team: TeamRef
    case_manager: StaffRef | None
    version: int
    updated_at: datetime


class CaseAssignmentOut(Schema):
    case_manager: StaffRef
    team: TeamRef
    started_at: datetime
    ended_at: datetime | None
    assigned_by: StaffRef | None
    reason: str


class CaseDetailOut(CaseOut):
    assignments: list[CaseAssignmentOut] = Field(description="Who managed the case, newest first.")

    @staticmethod
    def resolve_assignments(obj: Any) -> list[Any]:
        return list(obj.assignments.all())


class CaseFilters(Schema):
    status: CaseStatus | None = None
    team: int | None = Field(None, description="Team id.")
    mine: bool = Field(False, description="Only cases you manage.")


class CaseAssignIn(Input):
    case_manager: int = Field(description="Id of the new case manager, a member of the team.")
    team: int | None = Field(None, description="Id of the new team; the case's team if left out.")
    reason: str = Field("", max_length=300)
    version: int = Field(description="The case version you loaded; a newer saved one gives 409.")


class ClientCaseOut(Schema):
    id: int
    reference: str
    status: CaseStatus
    program: ProgramRef


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    preferred_name: str
    display_name: str
    date_of_birth: date | None
    preferred_language: str
    version: int
    created_at: datetime
    updated_at: datetime


class ClientDetailOut(ClientOut):
    cases: list[ClientCaseOut] = Field(description="The client's cases that you may see.")


class ClientPatch(PatchInput):
    """Fields left out stay as they are; ``date_of_birth`` may be set to null."""

    not_null = frozenset({"first_name", "last_name", "preferred_name", "preferred_language"})

    version: int = Field(description="The version you loaded; a newer saved one gives 409.")
    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: date | None = None
    preferred_language: str | None = None


# --- the whole record ------------------------------------------------------------------------


class PhoneOut(Schema):
    id: int
    number: str
    kind: str
    is_current: bool
    started_on: date
    ended_on: date | None


class EmailOut(Schema):
    id: int
    email: str
    is_current: bool
    started_on: date
    ended_on: date | None


class AddressOut(Schema):
    id: int
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    county: str
    is_current: bool
    started_on: date
    ended_on: date | None


class IdentifierOut(Schema):
    id: int
    kind: str
    system: str
    value: str


class RelationshipOut(Schema):
    id: int
    relationship_type: str
    related_client: ClientRef | None
    contact_name: str
    contact_phone: str
    contact_organization: str
    contact_role: str
    household_member: bool
    head_of_household: bool
    emergency_contact: bool


class ClientRecordOut(ClientDetailOut):
    middle_name: str
    suffix: str
    name_data_quality: int
    dob_data_quality: int
    sex: str
    gender: list[int]
    gender_detail: str
    pronouns: str
    race_ethnicity: list[int]
    race_ethnicity_detail: str
    veteran_status: int
    interpreter_needed: bool
    strengths: str
    values_preferences: str
    no_voicemail: bool
    no_contact_at_home: bool
    no_mail: bool
    safe_contact_times: str
    safe_contact_note: str
    ssn_masked: str = Field(description="Never the whole number: ***-**-1234, or empty.")
    ssn_data_quality: int
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]
    identifiers: list[IdentifierOut]
    relationships: list[RelationshipOut]


class _RecordFields(Schema):
    middle_name: str | None = None
    suffix: str | None = None
    name_data_quality: int | None = Field(None, description="HMIS: 1, 2, 8, 9 or 99.")
    dob_data_quality: int | None = Field(None, description="HMIS: 1, 2, 8, 9 or 99.")
    sex: str | None = None
    gender: list[int] | None = Field(None, description="HMIS FY2024 gender codes.")
    gender_detail: str | None = None
    pronouns: str | None = None
    race_ethnicity: list[int] | None = Field(None, description="HMIS FY2024 race codes.")
    race_ethnicity_detail: str | None = None
    veteran_status: int | None = Field(None, description="HMIS: 0, 1, 8, 9 or 99.")
    interpreter_needed: bool | None = None
    strengths: str | None = None
    values_preferences: str | None = None
    no_voicemail: bool | None = None
    no_contact_at_home: bool | None = None
    no_mail: bool | None = None
    safe_contact_times: str | None = None
    safe_contact_note: str | None = None
    ssn: str | None = Field(None, description="Four or nine digits; stored masked. Never returned.")
    ssn_data_quality: int | None = None


class ClientRecordPatch(ClientPatch, _RecordFields):
    not_null = ClientPatch.not_null | frozenset(
        {
            "middle_name",
            "suffix",
            "name_data_quality",
            "dob_data_quality",
            "sex",
            "gender",
            "gender_detail",
            "pronouns",
            "race_ethnicity",
            "race_ethnicity_detail",
            "veteran_status",
            "interpreter_needed",
            "strengths",
            "values_preferences",
            "no_voicemail",
            "no_contact_at_home",
            "no_mail",
            "safe_contact_times",
            "safe_contact_note",
            "ssn",
            "ssn_data_quality",
        }
    )


class IdentifierIn(Input):
    kind: str = Field(description="medicaid, medicare, hmis, external, or ssn (duplicate check).")
    value: str
    system: str = ""


class DuplicateCheckIn(Input):
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list)
    phone: str = ""


class MatchOut(Schema):
    client: ClientRef
    date_of_birth: date | None
    score: float
    reasons: list[str]


class ClientCreateIn(Input, _RecordFields):
    first_name: str
    last_name: str
    preferred_name: str = ""
    date_of_birth: date | None = None
    preferred_language: str = "en"
    phone: str = ""
    identifiers: list[IdentifierIn] = Field(default_factory=list)
    confirmed_new_person: bool = Field(
        False,
        description="Create even though possible duplicates exist (after showing them).",
    )


class ClientSearchIn(Input):
    name: str = Field("", description="Name fragments, any order: 'smi jo'.")
    date_of_birth: date | None = None
    identifier: str = ""
    phone: str = ""


class ClientFoundOut(Schema):
    id: int
    display_name: str
    first_name: str
    last_name: str
    date_of_birth: date | None


class PhoneIn(Input):
    number: str
    kind: str = "mobile"
    started_on: date | None = None


class EmailIn(Input):
    email: str
    started_on: date | None = None


class AddressIn(Input):
    line1: str
    city: str
    line2: str = ""
    state: str = ""
    postal_code: str = ""
    county: str = ""
    started_on: date | None = None


class RelationshipIn(Input):
    relationship_type: str
    related_client: int | None = Field(None, description="Id of a client of your agency.")
    contact_name: str = ""
    contact_phone: str = ""
    contact_organization: str = ""
    contact_role: str = ""
    household_member: bool = False
    head_of_household: bool = False
    emergency_contact: bool = False


class RelationshipUpdateIn(Input):
    """Every detail that can change (what is left out is cleared); the person named cannot."""

    relationship_type: str
    contact_name: str = Field("", description="Ignored for a client of the agency.")
    contact_phone: str = ""
    contact_organization: str = ""
    contact_role: str = ""
    household_member: bool = False
    head_of_household: bool = False
    emergency_contact: bool = False


class MergeIn(Input):
    merged: int = Field(description="Id of the duplicate record that merges into this one.")


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    moved: dict[str, list[int]]
    filled: list[str]
    conflicting_fields: list[str]
    merged_at: datetime
    unmerged_at: datetime | None

    @staticmethod
    def resolve_conflicting_fields(obj: Any) -> list[str]:
        return sorted(obj.conflicts)

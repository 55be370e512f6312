"""Request and response shapes of the directory API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.core.schemas import Input

from .models import ProviderNoteKind


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    taxonomy: str


class LanguageOut(Schema):
    code: str
    name: str


class OpeningOut(Schema):
    weekday: int = Field(description="0 is Monday.")
    opens_at: str
    closes_at: str

    @staticmethod
    def resolve_opens_at(obj: Any) -> str:
        return str(obj.opens_at.strftime("%H:%M"))

    @staticmethod
    def resolve_closes_at(obj: Any) -> str:
        return str(obj.closes_at.strftime("%H:%M"))


class ProviderRef(Schema):
    id: int
    name: str
    is_own_agency: bool


class OutcomeOut(Schema):
    sent: int
    accepted: int
    declined: int
    completed: int
    not_completed: int
    acceptance_rate: float | None
    completion_rate: float | None
    days_to_first_appointment: float | None


class ServiceOut(Schema):
    id: int
    hsds_id: str
    name: str
    provider: ProviderRef
    status: str
    description: str
    minimum_age: int | None
    maximum_age: int | None
    is_free: bool
    accepting_referrals: bool
    in_house: bool
    last_verified_on: date | None
    stale: bool
    categories: list[CategoryOut]
    languages: list[LanguageOut]
    openings: list[OpeningOut]
    version: int

    @staticmethod
    def resolve_in_house(obj: Any) -> bool:
        return bool(obj.provider.is_own_agency)

    @staticmethod
    def resolve_stale(obj: Any) -> bool:
        return bool(obj.is_stale)

    @staticmethod
    def resolve_categories(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": a.taxonomy_term_id,
                "code": a.taxonomy_term.code,
                "name": a.taxonomy_term.name,
                "taxonomy": a.taxonomy_term.taxonomy_name,
            }
            for a in obj.attribute_list
        ]

    @staticmethod
    def resolve_languages(obj: Any) -> list[dict[str, str]]:
        return [{"code": lang.code, "name": lang.name} for lang in obj.language_list]

    @staticmethod
    def resolve_openings(obj: Any) -> list[Any]:
        return list(obj.opening_list)


class HitOut(Schema):
    service: ServiceOut
    distance_km: float | None
    location_id: int | None


class SearchPageOut(Schema):
    items: list[HitOut]
    count: int = Field(description="Services found, counted up to 1,001.")
    count_capped: bool
    page: int
    page_size: int
    has_next: bool


class ServiceDetailOut(ServiceOut):
    alternate_name: str
    eligibility_description: str
    application_process: str
    fees_description: str
    wait_time: str
    outcome: OutcomeOut | None = None


class ProviderNoteOut(Schema):
    """A colleague's note on a provider (not a case's contact note: that is ``NoteOut``)."""

    id: int
    provider_id: int
    service_id: int | None
    kind: ProviderNoteKind
    text: str
    contact_name: str
    contact_phone: str
    contact_email: str
    created_at: datetime


class ProviderOut(Schema):
    id: int
    hsds_id: str
    name: str
    description: str
    website: str
    is_own_agency: bool
    partner_organization_id: int | None
    last_verified_on: date | None
    services: list[ServiceOut]
    notes: list[ProviderNoteOut]
    outcome: OutcomeOut | None = None


class NoteIn(Input):
    kind: ProviderNoteKind
    text: str = Field(max_length=4000)
    contact_name: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=50)
    contact_email: str = Field("", max_length=254)
    service_id: int | None = None


class ReasonOut(Schema):
    fits: bool | None
    text: str


class ServiceMatchOut(Schema):
    """A directory service matched to a case's needs (not a possible duplicate client)."""

    service: ServiceOut
    location_id: int | None
    distance_km: float | None
    score: float
    fits: list[ReasonOut]
    misfits: list[ReasonOut]

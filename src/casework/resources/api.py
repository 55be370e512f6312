"""REST API of the resource directory: search, a service, a provider, notes, verifying,
and matching services to a case."""

from __future__ import annotations

from dataclasses import asdict
from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from casework import access
from casework.core.api_auth import request_user
from casework.core.models import User
from casework.core.pagination import MAX_PAGE
from casework.core.schemas import with_errors
from casework.referrals import matching
from casework.referrals.outcomes import provider_outcomes

from . import geo, queries, services
from .models import ProviderNote, Service
from .schemas import (
    NoteIn,
    ProviderNoteOut,
    ProviderOut,
    SearchPageOut,
    ServiceDetailOut,
    ServiceMatchOut,
)
from .search import DirectoryQuery, Sort, search_services

router = Router(tags=["directory"])


class SearchFilters(Schema):
    words: str = Field("", max_length=200, description="Words, matched on prefixes.")
    category: str = Field("", max_length=100, description="Our category code or a term id.")
    language: str = Field("", max_length=20, description="A language spoken, e.g. es.")
    age: int | None = Field(None, ge=0, le=120)
    free: bool = False
    open_now: bool = False
    weekday: int | None = Field(None, ge=0, le=6, description="Open on this weekday (0 Monday)")
    at: time | None = Field(
        None,
        description=(
            "…at this time (with weekday): the agency's local time, e.g. 10:00, without an "
            "offset (opening hours are kept in the agency's time zone)."
        ),
    )
    postal_code: str = Field("", max_length=20, description="Measure distances from here.")
    case_id: int | None = Field(None, description="Measure distances from this case's client.")
    radius_km: float | None = Field(None, gt=0, le=500)
    accepting: bool = False
    in_house: bool = False
    sort: str = Field(Sort.RELEVANCE, pattern="^(relevance|distance|name)$")
    page: int = Field(
        1,
        ge=1,
        le=MAX_PAGE,
        description="Page number, from 1 to 1,000,000,000; a page past the last one is empty.",
    )
    page_size: int = Field(20, ge=1, le=100)

    @field_validator("at")
    @classmethod
    def _local_time(cls, value: time | None) -> time | None:
        # Without a date a time with an offset has no one local time (daylight saving
        # moves it), and the databases compare such times differently or not at all.
        if value is not None and value.tzinfo is not None:
            raise ValueError(
                _(
                    "Give the time without a time zone, e.g. 10:00: opening hours are in "
                    "the agency's time zone (%(zone)s)."
                )
                % {"zone": settings.TIME_ZONE}
            )
        return value


class MatchFilters(Schema):
    goal_id: int | None = None
    language: str = Field("", max_length=20)
    max_km: float | None = Field(None, gt=0, le=500)
    free_only: bool = False
    days: list[int] = Field(default_factory=list, description="Weekdays the client can go.")
    in_house_first: bool = False
    accessible: bool = False
    words: str = Field("", max_length=200)
    limit: int = Field(20, ge=1, le=50)


def _reader(request: HttpRequest) -> User:
    user = request_user(request)
    access.require(
        access.directory_read_allowed(user), "The resource directory is for the agency's staff."
    )
    return user


def _outcome(organization_id: int, provider_id: int) -> dict[str, Any] | None:
    found = provider_outcomes(organization_id=organization_id, provider_ids=[provider_id]).get(
        provider_id
    )
    if found is None:
        return None
    return asdict(found) | {
        "acceptance_rate": found.acceptance_rate,
        "completion_rate": found.completion_rate,
    }


def _point(user: User, filters: SearchFilters) -> geo.Point | None:
    if filters.case_id is not None:
        point = geo.locate_client(access.get_case(user, filters.case_id).client)
        if point is None:
            raise ValidationError({"case_id": "The client's address could not be placed."})
        return point
    if filters.postal_code:
        point = geo.locate_postal_code(access.organization_id(user), filters.postal_code)
        if point is None:
            raise ValidationError({"postal_code": "No directory address has this postal code."})
        return point
    if filters.sort == Sort.DISTANCE:
        raise ValidationError({"sort": "Give a postal_code or case_id to sort by distance."})
    return None


@router.get("/directory/services", response=with_errors({200: SearchPageOut}, 403, 404, 422))
def list_services(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    """Search the directory; distances from a postal code or from a case's client."""
    user = _reader(request)
    point = _point(user, filters)
    page = search_services(
        actor=user,
        query=DirectoryQuery(
            words=filters.words,
            category=filters.category,
            language=filters.language,
            age=filters.age,
            free_only=filters.free,
            open_now=filters.open_now,
            open_on=(filters.weekday, filters.at)
            if filters.weekday is not None and filters.at is not None
            else None,
            near=point,
            radius_km=filters.radius_km,
            accepting_only=filters.accepting,
            in_house_only=filters.in_house,
            sort=filters.sort,
            page=filters.page,
            page_size=filters.page_size,
        ),
    )
    return {
        "items": [
            {
                "service": hit.service,
                "distance_km": round(hit.distance_km, 2) if hit.distance_km is not None else None,
                "location_id": hit.location.location_id if hit.location else None,
            }
            for hit in page.hits
        ],
        "count": page.count,
        "count_capped": page.count_capped,
        "page": page.number,
        "page_size": page.page_size,
        "has_next": page.has_next,
    }


@router.get(
    "/directory/services/{service_id}", response=with_errors({200: ServiceDetailOut}, 403, 404)
)
def get_service(request: HttpRequest, service_id: int) -> Service:
    user = _reader(request)
    service = queries.get_service(user, service_id)
    service.outcome = _outcome(service.organization_id, service.provider_id)  # type: ignore[attr-defined]
    return service


@router.get(
    "/directory/providers/{provider_id}", response=with_errors({200: ProviderOut}, 403, 404)
)
def get_provider(request: HttpRequest, provider_id: int) -> dict[str, Any]:
    user = _reader(request)
    provider = queries.get_provider(user, provider_id)
    return {
        "id": provider.pk,
        "hsds_id": provider.hsds_id,
        "name": provider.name,
        "description": provider.description,
        "website": provider.website,
        "is_own_agency": provider.is_own_agency,
        "partner_organization_id": provider.partner_organization_id,
        "last_verified_on": provider.last_verified_on,
        "services": list(queries.provider_services(user, provider)[:100]),
        "notes": list(queries.notes(user, provider)[:50]),
        "outcome": _outcome(provider.organization_id, provider.pk),
    }


@router.post(
    "/directory/providers/{provider_id}/notes",
    response=with_errors({201: ProviderNoteOut}, 403, 404, 422),
)
def add_note(request: HttpRequest, provider_id: int, payload: NoteIn) -> Status[ProviderNote]:
    """A colleague's note: experience, quality, a violation on record, a contact person."""
    user = _reader(request)
    provider = queries.get_provider(user, provider_id)
    service = queries.get_service(user, payload.service_id) if payload.service_id else None
    note = services.provider_note_add(
        actor=user,
        provider=provider,
        service=service,
        kind=payload.kind,
        text=payload.text,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
    )
    return Status(201, note)


@router.post(
    "/directory/services/{service_id}/verify",
    response=with_errors({200: ServiceDetailOut}, 403, 404),
)
def verify_service(request: HttpRequest, service_id: int) -> Service:
    """The service's details were checked with the provider today."""
    user = _reader(request)
    services.service_verify(actor=user, service=queries.get_service(user, service_id))
    return get_service(request, service_id)


@router.get(
    "/cases/{case_id}/matches", response=with_errors({200: list[ServiceMatchOut]}, 403, 404, 422)
)
def case_matches(
    request: HttpRequest, case_id: int, filters: Query[MatchFilters]
) -> list[dict[str, Any]]:
    """Services for the case's needs, best first, with the reasons they fit and do not."""
    user = _reader(request)
    case = access.get_case(user, case_id)
    goal = queries.get_goal(user, case.pk, filters.goal_id)
    bad_days = [d for d in filters.days if not 0 <= d <= 6]
    if bad_days:
        raise ValidationError({"days": "Weekdays are 0 (Monday) to 6 (Sunday)."})
    found = matching.match_for_case(
        actor=user,
        case=case,
        goal=goal,
        preferences=matching.Preferences(
            language=filters.language or case.client.preferred_language,
            max_km=filters.max_km,
            free_only=filters.free_only,
            days=tuple(sorted(set(filters.days))),
            in_house_first=filters.in_house_first,
            accessible=filters.accessible,
            words=filters.words,
        ),
        limit=filters.limit,
    )
    return [
        {
            "service": m.service,
            "location_id": m.location.location_id if m.location else None,
            "distance_km": round(m.distance_km, 2) if m.distance_km is not None else None,
            "score": m.score,
            "fits": m.fits,
            "misfits": m.misfits,
        }
        for m in found
    ]

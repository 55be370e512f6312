"""REST API for referrals, the staff side: a case's referrals, drafts, sending under consent,
answers from a phone call, closing, cancelling and secure links for providers.

The receiving side (partner agencies) is in ``api_receiving``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Router, Status
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.clients.services import case_viewed
from casework.consent.services import ConsentRequired
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.models import User
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors
from casework.plans.models import ActionStep, Goal
from casework.resources.models import Service, ServiceAtLocation
from casework.resources.queries import directory_services

from . import queries, services
from .models import Referral
from .schemas import (
    CancelIn,
    CloseIn,
    EventIn,
    LinkIn,
    LinkOut,
    ReferralDetailOut,
    ReferralIn,
    ReferralOut,
    ReferralPatch,
    VersionIn,
)

router = Router(tags=["referrals"])


def _service(user: User, pk: int) -> Service:
    service = directory_services(user).select_related("provider").filter(pk=pk).first()
    if service is None:
        raise NotFound("No such service.")
    return service


def _goal(pk: int | None) -> Goal | None:
    # Belonging to the case is the service's check.
    return Goal.objects.filter(pk=pk).first() if pk is not None else None


def _step(pk: int | None) -> ActionStep | None:
    return ActionStep.objects.select_related("goal").filter(pk=pk).first() if pk else None


def _location(pk: int | None) -> ServiceAtLocation | None:
    return ServiceAtLocation.objects.filter(pk=pk).first() if pk is not None else None


def _detail(user: User, pk: int) -> Referral:
    return queries.get_referral(user, pk)


def _consent_refused(exc: ConsentRequired) -> JsonResponse:
    """422 naming what consent is missing, in the API's error shape plus the decision."""
    decision = exc.decision
    body = {
        "error": {
            "code": "invalid",
            "message": decision.message,
            "fields": {"consent": [decision.message]},
            "consent": {
                "consent_id": decision.consent.pk if decision.consent else None,
                "covered": list(decision.covered),
                "missing": list(decision.missing),
                "gaps": [
                    {"code": g.code, "message": g.message, "categories": list(g.categories)}
                    for g in decision.gaps
                ],
            },
        }
    }
    return JsonResponse(body, status=422)


@router.get("/cases/{case_id}/referrals", response=with_errors({200: list[ReferralOut]}, 404))
@paginate(PageNumberPagination)
def list_referrals(request: HttpRequest, case_id: int) -> QuerySet[Referral]:
    """The case's referrals, newest first."""
    user = request_user(request)
    case = access.get_case(user, case_id)
    case_viewed(actor=user, case=case, via="api", part="referrals")
    return queries.case_referrals(user, case).select_related("created_by")


@router.post("/cases/{case_id}/referrals", response=with_errors({201: ReferralDetailOut}, 403, 404))
def create_referral(request: HttpRequest, case_id: int, payload: ReferralIn) -> Status[Referral]:
    """A draft referral to a directory service (send it with POST /referrals/{id}/send)."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    referral = services.referral_create(
        actor=user,
        case=case,
        service=_service(user, payload.service_id),
        reason=payload.reason,
        categories=list(payload.categories),
        goal=_goal(payload.goal_id),
        action_step=_step(payload.action_step_id),
        location=_location(payload.location_id),
        urgency=payload.urgency,
        eligibility_note=payload.eligibility_note,
        in_house_note=payload.in_house_note,
        self_help_note=payload.self_help_note,
        match_reasons=[r.model_dump() for r in payload.match_reasons]
        if payload.match_reasons is not None
        else None,
    )
    return Status(201, _detail(user, referral.pk))


@router.get("/referrals/{referral_id}", response=with_errors({200: ReferralDetailOut}, 404))
def get_referral(request: HttpRequest, referral_id: int) -> Referral:
    user = request_user(request)
    referral = _detail(user, referral_id)
    services.referral_viewed(actor=user, referral=referral, via="api", content_shown=True)
    return referral


@router.patch(
    "/referrals/{referral_id}", response=with_errors({200: ReferralDetailOut}, 403, 404, 409)
)
def update_referral(request: HttpRequest, referral_id: int, payload: ReferralPatch) -> Referral:
    """Change a draft; fields left out keep their value."""
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    sent = payload.model_dump(exclude_unset=True)
    value = sent.get
    service_id = value("service_id", referral.service_id)
    match_reasons = sent.get("match_reasons", referral.match_reasons)
    services.referral_update(
        actor=user,
        referral=referral,
        expected_version=payload.expected_version,
        service=_service(user, service_id),
        reason=value("reason", referral.reason),
        categories=list(value("categories", referral.categories)),
        goal=_goal(value("goal_id", referral.goal_id)),
        action_step=_step(value("action_step_id", referral.action_step_id)),
        location=_location(value("location_id", referral.location_id)),
        urgency=value("urgency", referral.urgency),
        eligibility_note=value("eligibility_note", referral.eligibility_note),
        in_house_note=value("in_house_note", referral.in_house_note),
        self_help_note=value("self_help_note", referral.self_help_note),
        match_reasons=match_reasons,
    )
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/send",
    response=with_errors({200: ReferralDetailOut}, 403, 404, 409),
)
def send_referral(
    request: HttpRequest, referral_id: int, payload: VersionIn
) -> Referral | JsonResponse:
    """Send under the client's consent. Refused with 422: ``fields.consent`` says what is
    missing and ``consent`` holds the decision (gaps, missing categories). A provider
    without Casework whose email address the directory knows gets a secure link by email."""
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    try:
        services.referral_send(
            actor=user,
            referral=referral,
            expected_version=payload.expected_version,
            base_url=request.build_absolute_uri("/")[:-1],
        )
    except ConsentRequired as exc:
        return _consent_refused(exc)
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/events",
    response=with_errors({200: ReferralDetailOut}, 403, 404, 409),
)
def record_event(request: HttpRequest, referral_id: int, payload: EventIn) -> Referral:
    """Record what the provider said (a phone call): accepted, declined, an appointment..."""
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    services.referral_record(
        actor=user,
        referral=referral,
        expected_version=payload.expected_version,
        status=payload.status,
        happened_on=payload.happened_on,
        via=payload.via,
        note=payload.note,
        decline_reason=payload.decline_reason,
        first_appointment_at=payload.first_appointment_at,
        outcome=payload.outcome,
    )
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/close",
    response=with_errors({200: ReferralDetailOut}, 403, 404, 409),
)
def close_referral(request: HttpRequest, referral_id: int, payload: CloseIn) -> Referral:
    """Close the loop once the service ended or the provider declined."""
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    services.referral_close(
        actor=user, referral=referral, expected_version=payload.expected_version, note=payload.note
    )
    return _detail(user, referral_id)


@router.post(
    "/referrals/{referral_id}/cancel",
    response=with_errors({200: ReferralDetailOut}, 403, 404, 409),
)
def cancel_referral(request: HttpRequest, referral_id: int, payload: CancelIn) -> Referral:
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    services.referral_cancel(
        actor=user,
        referral=referral,
        expected_version=payload.expected_version,
        reason=payload.reason,
    )
    return _detail(user, referral_id)


@router.post("/referrals/{referral_id}/links", response=with_errors({201: LinkOut}, 403, 404))
def create_link(request: HttpRequest, referral_id: int, payload: LinkIn) -> Status[dict[str, Any]]:
    """A secret link for the provider to this referral. The URL is in this answer only;
    when the directory knows the provider's email address, it also goes there by email."""
    user = request_user(request)
    referral = queries.get_referral(user, referral_id)
    link, token = services.referral_link_create(
        actor=user,
        referral=referral,
        days=payload.days,
        base_url=request.build_absolute_uri("/")[:-1],
    )
    url = request.build_absolute_uri(reverse("referral-link", args=[token]))
    return Status(201, {"id": link.pk, "url": url, "expires_at": link.expires_at})

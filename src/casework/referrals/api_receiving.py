"""REST API for the receiving side: a partner agency's referrals, one referral, its answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from casework import access
from casework.core.api_auth import request_user
from casework.core.models import User
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries_receiving as queries
from . import services
from .forms_receiving import provider_next_statuses
from .models import EventVia, Referral
from .receiving import referral_context
from .schemas_receiving import PartnerReferralDetailOut, PartnerReferralPage, StatusIn

router = Router(tags=["referrals to us"])


def _partner(request: HttpRequest) -> User:
    user = request_user(request)
    access.require(access.is_partner_staff(user), _("This is for partner agencies."))
    return user


def _listed(referral: Referral, viewable: bool) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "status": referral.status,
        "urgency": referral.urgency,
        "sent_at": referral.sent_at,
        "answer_due_on": referral.answer_due_on,
        "service": {"id": referral.service_id, "name": referral.service.name},
        "provider": {"id": referral.provider_id, "name": referral.provider.name},
        "from_organization": {
            "id": referral.organization_id,
            "name": referral.organization.name,
        },
        "content_available": viewable,
    }


def _detail(user: User, referral: Referral) -> dict[str, Any]:
    context = referral_context(referral)
    services.referral_viewed(
        actor=user, referral=referral, via=EventVia.PARTNER, content_shown=context["shown"]
    )
    shown: bool = context["shown"]
    manager = context["case_manager"]
    profile = context["case_manager_profile"]
    return {
        **_listed(referral, shown),
        "reason": referral.reason if shown else None,
        "eligibility_note": referral.eligibility_note if shown else None,
        "first_appointment_at": referral.first_appointment_at,
        "declined_on": referral.declined_on,
        "decline_reason": referral.decline_reason if shown else None,
        "outcome": referral.outcome if shown else None,
        "case_manager": {
            "name": manager.get_full_name() or manager.email,
            "job_title": profile.job_title if profile is not None else "",
            "phone": profile.phone if profile is not None else "",
            "email": manager.email,
        },
        "required_documents": [d.document for d in context["required_documents"]],
        "events": [
            {
                "status": e.event.status,
                "happened_on": e.event.happened_on,
                "via": e.event.via,
                "by": e.event.actor_name
                or (
                    e.event.actor.get_full_name() or e.event.actor.email
                    if e.event.actor is not None
                    else ""
                ),
                # Through the consent decision, like the page (services.received_events).
                "note": e.note or None,
                "step_done": e.step_done or None,
            }
            for e in context["events"]
        ],
        "client": context["sections"] if shown else None,
        "next_statuses": [status for status, _label in provider_next_statuses(referral)],
    }


@router.get("/partner/referrals", response=with_errors({200: PartnerReferralPage}, 403))
def list_partner_referrals(
    request: HttpRequest,
    pagination: Query[PageNumberPagination.Input],
    show: str = "",
) -> dict[str, Any]:
    """For partner agencies: referrals sent to your organization, newest first. ``show``:
    ``new`` (not answered yet), ``in_progress`` or ``closed``; the client is never named here."""
    user = _partner(request)
    page = PageNumberPagination().paginate_queryset(
        queries.partner_inbox(user, show), pagination=pagination, request=request
    )
    viewable = queries.viewable_ids(page["items"])
    page["items"] = [_listed(r, r.pk in viewable) for r in page["items"]]
    return page


@router.get(
    "/partner/referrals/{referral_id}",
    response=with_errors({200: PartnerReferralDetailOut}, 403, 404),
)
def get_partner_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    """One referral to your organization, with the client's information while their consent
    allows it (reading it is recorded)."""
    user = _partner(request)
    return _detail(user, queries.get_partner_referral(user, referral_id))


@router.post(
    "/partner/referrals/{referral_id}/status",
    response=with_errors({200: PartnerReferralDetailOut}, 403, 404),
)
def update_partner_referral(
    request: HttpRequest, referral_id: int, payload: StatusIn
) -> dict[str, Any]:
    """Tell the referring agency what happened: received, accepted, declined (with a reason),
    waitlisted, first appointment (with its date and time), started, completed or not."""
    user = _partner(request)
    referral = queries.get_partner_referral(user, referral_id)
    services.referral_provider_update(
        referral=referral,
        via=EventVia.PARTNER,
        actor=user,
        status=payload.status,
        happened_on=payload.happened_on,
        note=payload.note,
        decline_reason=payload.decline_reason,
        first_appointment_at=payload.first_appointment_at,
        outcome=payload.outcome,
    )
    return _detail(user, queries.get_partner_referral(user, referral_id))

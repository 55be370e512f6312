"""REST API for consent: consents (list, get, record, revoke), the decision, disclosures,
and a partner agency's "shared with us"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from casework import access
from casework.clients.services import client_record_viewed
from casework.core.api_auth import request_user
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import policy, queries, services
from .models import Consent, Disclosure, SignatureMethod
from .schemas import (
    ConsentDecisionIn,
    ConsentDecisionOut,
    ConsentIn,
    ConsentOut,
    DisclosureDetailOut,
    DisclosureIn,
    DisclosureOut,
    RevokeIn,
    SharedOut,
    SharedPage,
)

router = Router(tags=["consent"])


@router.get("/clients/{client_id}/consents", response=with_errors({200: list[ConsentOut]}, 404))
@paginate(PageNumberPagination)
def list_consents(request: HttpRequest, client_id: int) -> QuerySet[Consent]:
    """The client's consents, newest first: in force, not yet in force, expired and revoked."""
    user = request_user(request)
    client = queries.get_client(user, client_id)
    client_record_viewed(actor=user, client=client, via="api", part="consents")
    return queries.consents(user, client)


@router.post("/clients/{client_id}/consents", response=with_errors({201: ConsentOut}, 403, 404))
def create_consent(request: HttpRequest, client_id: int, payload: ConsentIn) -> Status[Consent]:
    """Record a consent the client signed on screen (typed name and confirmation)."""
    user = request_user(request)
    client = queries.get_client(user, client_id, write=True)
    consent = services.consent_record(
        actor=user,
        client=client,
        party=payload.party.party(),
        fields=services.ConsentFields(
            purposes=list(payload.purposes),
            purpose_other=payload.purpose_other,
            categories=list(payload.categories),
            effective_on=payload.effective_on,
            expires_on=payload.expires_on,
            signature_method=SignatureMethod.ON_SCREEN,
            signed_name=payload.signed_name,
            signed_confirmed=payload.signed_confirmed,
            signed_on=payload.signed_on,
            witness_name=payload.witness_name,
        ),
    )
    return Status(201, queries.get_consent(user, consent.pk))


@router.get("/consents/{consent_id}", response=with_errors({200: ConsentOut}, 404))
def get_consent(request: HttpRequest, consent_id: int) -> Consent:
    return queries.get_consent(request_user(request), consent_id)


@router.post("/consents/{consent_id}/revoke", response=with_errors({200: ConsentOut}, 403, 404))
def revoke_consent(request: HttpRequest, consent_id: int, payload: RevokeIn) -> Consent:
    """Stop all further sharing under the consent from ``revoked_on``; past disclosures stay."""
    user = request_user(request)
    consent = queries.get_consent(user, consent_id)
    services.consent_revoke(
        actor=user, consent=consent, revoked_on=payload.revoked_on, reason=payload.reason
    )
    return queries.get_consent(user, consent_id)


@router.post("/consent/decision", response=with_errors({200: ConsentDecisionOut}, 403, 404))
def decision(request: HttpRequest, payload: ConsentDecisionIn) -> dict[str, Any]:
    """Ask the policy: may these categories go to this party for this purpose on this day?"""
    user = request_user(request)
    client = queries.get_client(user, payload.client_id)
    result = policy.decide(
        client=client,
        party=payload.party.party(),
        purpose=payload.purpose,
        categories=list(payload.categories),
        on=payload.on or timezone.localdate(),
    )
    return {
        "allowed": result.allowed,
        "consent_id": result.consent.pk if result.consent else None,
        "covered": list(result.covered),
        "missing": list(result.missing),
        "gaps": [
            {"code": g.code, "message": g.message, "categories": list(g.categories)}
            for g in result.gaps
        ],
        "message": result.message,
    }


@router.get(
    "/clients/{client_id}/disclosures", response=with_errors({200: list[DisclosureOut]}, 404)
)
@paginate(PageNumberPagination)
def list_disclosures(request: HttpRequest, client_id: int) -> QuerySet[Disclosure]:
    """The disclosure report: every time the client's information was shared, newest first."""
    user = request_user(request)
    return queries.disclosures(user, queries.get_client(user, client_id))


@router.post(
    "/clients/{client_id}/disclosures",
    response=with_errors({201: DisclosureDetailOut}, 403, 404),
)
def create_disclosure(
    request: HttpRequest, client_id: int, payload: DisclosureIn
) -> Status[Disclosure]:
    """Share information. Refused (422, field ``consent``) unless a consent in force covers
    the party, the purpose and every category asked for; the message names what is missing."""
    user = request_user(request)
    client = queries.get_client(user, client_id, write=True)
    disclosure = services.disclosure_make(
        actor=user,
        client=client,
        party=payload.party.party(),
        purpose=payload.purpose,
        categories=list(payload.categories),
    )
    return Status(201, queries.get_disclosure(user, disclosure.pk))


@router.get("/disclosures/{disclosure_id}", response=with_errors({200: DisclosureDetailOut}, 404))
def get_disclosure(request: HttpRequest, disclosure_id: int) -> Disclosure:
    return queries.get_disclosure(request_user(request), disclosure_id)


@router.get("/shared-with-us", response=with_errors({200: SharedPage}, 403))
def list_shared(
    request: HttpRequest, pagination: Query[PageNumberPagination.Input]
) -> dict[str, Any]:
    """For partner agencies: disclosures made to your organization, newest first; whether
    each one's content is still available (open one to read it)."""
    user = request_user(request)
    access.require(access.is_partner_staff(user), "This is for partner agencies.")
    page = PageNumberPagination().paginate_queryset(
        queries.shared_with_us(user), pagination=pagination, request=request
    )
    viewable = queries.viewable_ids(page["items"])
    for disclosure in page["items"]:
        disclosure.content_available = disclosure.pk in viewable
    return page


@router.get("/shared-with-us/{disclosure_id}", response=with_errors({200: SharedOut}, 403, 404))
def get_shared(request: HttpRequest, disclosure_id: int) -> Disclosure:
    """One disclosure to your organization, with its content while the consent is in force."""
    user = request_user(request)
    access.require(access.is_partner_staff(user), "This is for partner agencies.")
    disclosure = queries.get_shared(user, disclosure_id)
    shown = services.disclosure_content_allowed(disclosure).allowed
    services.disclosure_viewed_by_partner(actor=user, disclosure=disclosure, via="api", shown=shown)
    disclosure.content_available = shown  # type: ignore[attr-defined]
    disclosure.shown_packet = disclosure.packet if shown else None  # type: ignore[attr-defined]
    return disclosure

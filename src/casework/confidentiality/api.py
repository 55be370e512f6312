"""REST API: restrict a record, break glass into one, and the access report."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from casework import access
from casework.clients.models import Client
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.models import AuditEvent
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, services
from .models import BreakGlassGrant
from .schemas import (
    AccessReportFilters,
    AccessReportPage,
    BreakGlassIn,
    BreakGlassOut,
    RestrictionIn,
    RestrictionOut,
)

router = Router(tags=["confidentiality"])


def _restrictable(user: Any, client_id: int) -> Client:
    """An admin restricts any record of the agency: they need not see its content."""
    client = Client.objects.filter(
        pk=client_id, organization_id=access.organization_id(user)
    ).first()
    if client is None or not access.restrict_allows(user, client):
        raise NotFound(_("No such client."))
    return client


@router.put(
    "/clients/{client_id}/restriction",
    response=with_errors({200: RestrictionOut}, 404),
)
def restrict_client(request: HttpRequest, client_id: int, payload: RestrictionIn) -> Client:
    """Restrict the record to the teams of the client's open cases (agency admins)."""
    user = request_user(request)
    return services.client_restrict(
        actor=user, client=_restrictable(user, client_id), reason=payload.reason
    )


@router.delete(
    "/clients/{client_id}/restriction",
    response=with_errors({200: RestrictionOut}, 404),
)
def unrestrict_client(request: HttpRequest, client_id: int) -> Client:
    """Lift the restriction (agency admins)."""
    user = request_user(request)
    return services.client_unrestrict(actor=user, client=_restrictable(user, client_id))


@router.post(
    "/clients/{client_id}/break-glass",
    response=with_errors({201: BreakGlassOut}, 403, 404),
)
def break_glass(
    request: HttpRequest, client_id: int, payload: BreakGlassIn
) -> Status[BreakGlassGrant]:
    """Open a record you do not normally see, read-only, for a limited time.

    Supervisors, program managers and agency admins; restricted records agency admins
    only. Anyone else gets a 404 that says nothing about whether the record exists.
    """
    user = request_user(request)
    client = access.break_glass_candidate(user, client_id)
    if client is None:
        raise NotFound(_("No such client."))
    if not payload.reason.strip():
        raise ValidationError({"reason": _("Say why you need this record now.")})
    grant = services.break_glass_open(actor=user, client=client, reason=payload.reason)
    return Status(201, grant)


@router.get(
    "/clients/{client_id}/access-report",
    response=with_errors({200: AccessReportPage}, 403, 404),
)
def access_report(
    request: HttpRequest,
    client_id: int,
    filters: Query[AccessReportFilters],
    pagination: Query[PageNumberPagination.Input],
) -> dict[str, Any]:
    """Every read and change of the client's record and cases (privacy officers), newest
    first; reads under a break-glass grant carry the grant's id."""
    user = request_user(request)
    client = queries.report_client(user, client_id)
    events = queries.access_events(
        user, client, date_from=filters.date_from, date_to=filters.date_to
    )
    paginator = PageNumberPagination()
    body = paginator.paginate_queryset(events, pagination, request)
    rows: list[AuditEvent] = body["items"]
    queries.mark_break_glass(rows, queries.client_grants(user, client))
    return body

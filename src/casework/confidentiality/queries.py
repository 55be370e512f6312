"""Reads for the privacy officer: who has seen and changed a client's record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from casework import access
from casework.clients.models import Client
from casework.core.errors import NotFound
from casework.core.models import AuditEvent, User

from .models import BreakGlassGrant

BREAK_GLASS_ACTION = "client.break_glass"


def report_client(user: User, client_id: int) -> Client:
    """The client whose access report the privacy officer asks for (404 otherwise).

    Privacy officers see every record's history, restricted ones too: that is their job,
    and the report shows who looked, never what the record says.
    """
    access.require(access.can_read_access_report(user), "Only privacy officers read this report.")
    client = Client.objects.filter(
        pk=client_id, organization_id=access.organization_id(user)
    ).first()
    if client is None:
        raise NotFound("No such client.")
    return client


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_events(
    user: User,
    client: Client,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Every read and change of the client's record and cases, newest first.

    Uses the audit log's (organization, client_id, occurred_at) index.
    """
    events = access.audit_events(user).filter(client_id=client.pk)
    if date_from is not None:
        events = events.filter(occurred_at__gte=_start_of(date_from))
    if date_to is not None:
        events = events.filter(occurred_at__lt=_start_of(date_to + timedelta(days=1)))
    return events.select_related("actor").order_by("-occurred_at", "-pk")


def client_grants(user: User, client: Client) -> list[BreakGlassGrant]:
    """Every break-glass grant to the client's record, newest first (privacy officers)."""
    if not access.can_read_access_report(user) or client.organization_id != user.organization_id:
        return []
    return list(
        BreakGlassGrant.objects.filter(organization_id=client.organization_id, client=client)
        .select_related("user")
        .order_by("-granted_at", "-pk")
    )


def mark_break_glass(events: Iterable[AuditEvent], grants: list[BreakGlassGrant]) -> None:
    """Set ``event.break_glass`` to the grant an event happened under (or None).

    The grant event itself, and what its holder did while it lasted, are highlighted.
    """
    by_id = {g.pk: g for g in grants}
    for event in events:
        grant: BreakGlassGrant | None = None
        if event.action == BREAK_GLASS_ACTION:
            grant = by_id.get(int(event.changes.get("grant_id", 0) or 0))
        else:
            for g in grants:
                if g.user_id == event.actor_id and g.granted_at <= event.occurred_at < g.expires_at:
                    grant = g
                    break
        event.break_glass = grant  # type: ignore[attr-defined]

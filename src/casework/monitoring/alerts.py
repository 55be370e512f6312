"""Alerts: how any app tells a person that something needs them (an emergency note, a
plan to approve, a break-glass access, a case without contact).

Below the apps that raise them: it knows the alert, the case and the policy's team
supervisors, nothing else. Reading and dismissing alerts belongs to the monitoring
app's pages and services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from casework import access
from casework.clients.models import Case
from casework.core.models import User

from .models import Alert, AlertKind


def alert_raise(
    *,
    recipients: Iterable[User],
    kind: AlertKind,
    key: str,
    message: str,
    case: Case | None = None,
    link: str = "",
) -> list[Alert]:
    """Raise one alert per recipient; a key already raised for a recipient is left alone.

    Called from inside other services' transactions (an emergency note) and from the
    sweep. Returns the alerts that are new. ``message`` must not hold client details:
    it names the case by its number.
    """
    created: list[Alert] = []
    for recipient in {r.pk: r for r in recipients}.values():
        if recipient.organization_id is None:
            continue
        if Alert.objects.filter(recipient=recipient, key=key).exists():
            continue
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    organization_id=recipient.organization_id,
                    recipient=recipient,
                    case=case,
                    kind=kind,
                    key=key,
                    message=message[:300],
                    link=link,
                )
        except IntegrityError:  # raised by a concurrent sweep a moment ago
            continue
        created.append(alert)
    return created


def alerts_settle(*, key_prefix: str) -> int:
    """What the alerts are about has been dealt with (a plan decided, say): close every open
    alert whose key starts with ``key_prefix``, whoever it was for. Returns how many."""
    return Alert.objects.filter(key__startswith=key_prefix, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )


def case_supervisors(case: Case) -> list[User]:
    """The supervisors of the case's team: who hears about emergencies and plans to approve."""
    return access.team_supervisors(case.team_id)

"""Every change to tasks, appointments, calendar feeds and alerts goes through these functions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.clients.models import Case
from casework.core import access, audit
from casework.core.errors import PermissionDenied
from casework.core.models import User

from .models import Alert, AlertKind

# --- alerts ---------------------------------------------------------------------------------


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


def alert_dismiss(*, actor: User, alert: Alert) -> Alert:
    """The recipient says they have seen to it."""
    if alert.recipient_id != actor.pk:
        raise PermissionDenied(_("Only the person an alert is for can dismiss it."))
    if alert.dismissed_at is not None:
        return alert
    with transaction.atomic():
        alert.dismissed_at = timezone.now()
        alert.save(update_fields=["dismissed_at"])
        audit.record(
            action="alert.dismiss",
            actor=actor,
            organization=alert.organization_id,
            target=alert,
            client_id=alert.case.client_id if alert.case_id and alert.case else None,
            changes={"kind": alert.kind},
        )
    return alert


def case_supervisors(case: Case) -> list[User]:
    """The supervisors of the case's team: who hears about emergencies and plans to approve."""
    return access.team_supervisors(case.team_id)

"""Restricting a client's record, and break-glass access to a record in an emergency.

Audit events carry ids and categories only: a restriction's reason is a category
(``RestrictionReason``), and a break-glass reason (free text a person wrote) stays in
its grant row, which only the privacy officer's report reads.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.clients.models import Client, RestrictionReason
from casework.core import audit
from casework.core.models import Role, User
from casework.monitoring.alerts import alert_raise
from casework.monitoring.models import AlertKind

from .models import BreakGlassGrant

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 1000


def client_restrict(*, actor: User, client: Client, reason: str) -> Client:
    """Only the teams serving the client will see the record from now on."""
    access.require(access.restrict_allows(actor, client), _("Only agency admins restrict records."))
    if reason not in RestrictionReason.values:
        raise ValidationError({"reason": _("Choose why the record is restricted.")})
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.is_restricted and locked.restriction_reason == reason:
            return locked
        was_restricted = locked.is_restricted
        locked.is_restricted = True
        locked.restriction_reason = reason
        locked.restricted_at = timezone.now()
        Client.objects.filter(pk=locked.pk).update(
            is_restricted=True, restriction_reason=reason, restricted_at=locked.restricted_at
        )
        audit.record(
            action="client.restrict",
            actor=actor,
            target=locked,
            client_id=locked.pk,
            changes={"reason": reason, "was_restricted": was_restricted},
        )
    access.forget_standing(actor)
    return locked


def client_unrestrict(*, actor: User, client: Client) -> Client:
    """Lift the restriction: the record is seen again as any other."""
    access.require(
        access.restrict_allows(actor, client), _("Only agency admins lift a restriction.")
    )
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if not locked.is_restricted:
            return locked
        previous = locked.restriction_reason
        locked.is_restricted = False
        locked.restriction_reason = ""
        locked.restricted_at = None
        Client.objects.filter(pk=locked.pk).update(
            is_restricted=False, restriction_reason="", restricted_at=None
        )
        audit.record(
            action="client.unrestrict",
            actor=actor,
            target=locked,
            client_id=locked.pk,
            changes={"reason": previous},
        )
    access.forget_standing(actor)
    return locked


def privacy_officers(organization_id: int) -> list[User]:
    """Users with the auditor role: who hears of every break-glass grant."""
    return list(
        User.objects.filter(
            organization_id=organization_id,
            is_active=True,
            staff_profile__roles__icontains=f'"{Role.AUDITOR.value}"',
        ).order_by("pk")
    )


def break_glass_open(*, actor: User, client: Client, reason: str) -> BreakGlassGrant:
    """Open a record the actor does not normally see, read-only, for a limited time.

    Refused (403) to anyone the policy does not let break glass into this record. The
    grant is audited and every privacy officer of the agency is alerted at once.
    """
    access.require(
        access.break_glass_allows(actor, client),
        _("You may not open this record in an emergency."),
    )
    reason = reason.strip()
    if len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            {"reason": _("Say why you need this record now, in a sentence or two.")}
        )
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": MAX_REASON_CHARS}}
        )
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            organization_id=client.organization_id,
            user=actor,
            client=client,
            reason=reason,
            client_was_restricted=client.is_restricted,
            granted_at=now,
            expires_at=now + timedelta(hours=settings.CASEWORK_BREAK_GLASS_HOURS),
        )
        audit.record(
            action="client.break_glass",
            actor=actor,
            target=grant,
            client_id=client.pk,
            changes={
                "grant_id": grant.pk,
                "hours": settings.CASEWORK_BREAK_GLASS_HOURS,
                "restricted": client.is_restricted,
            },
        )
        alert_raise(
            recipients=privacy_officers(client.organization_id),
            kind=AlertKind.BREAK_GLASS,
            key=f"break_glass:{grant.pk}",
            message=_("%(who)s used emergency access to client record %(id)s.")
            % {"who": actor.get_full_name() or actor.email, "id": client.pk},
            link=reverse("client-access-report", kwargs={"pk": client.pk}),
        )
    access.forget_standing(actor)
    return grant


def break_glass_end(*, actor: User, client_id: int) -> int:
    """End the actor's own emergency access to a client now, before it expires.

    The grants stay (the privacy officer's history); their expiry becomes now, so the
    report shows the window that was really open. Returns how many grants ended.
    """
    now = timezone.now()
    with transaction.atomic():
        grants = list(
            BreakGlassGrant.objects.select_for_update().filter(
                user=actor, client_id=client_id, expires_at__gt=now
            )
        )
        for grant in grants:
            grant.expires_at = now
            grant.save(update_fields=["expires_at"])
            audit.record(
                action="client.break_glass_end",
                actor=actor,
                target=grant,
                client_id=client_id,
                changes={"grant_id": grant.pk},
            )
    access.forget_standing(actor)
    return len(grants)

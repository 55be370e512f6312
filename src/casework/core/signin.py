"""Sign-in throttling and lockout.

Failures are counted per email address (hashed, so the table never holds
what someone typed) and per network address. Unknown addresses lock exactly
like real ones, so the sign-in page never tells whether an account exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import SignInAttempt, User


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Throttle:
    locked: bool
    until: datetime | None = None
    by_address: bool = False


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.CASEWORK_LOGIN_WINDOW_MINUTES)


def _recent_failures(**filters: str | None) -> list[datetime]:
    """Failures inside the window, after the last success for the same key."""
    qs = SignInAttempt.objects.filter(attempted_at__gte=_window_start(), **filters)
    last_success = (
        qs.filter(succeeded=True)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
        .first()
    )
    failures = qs.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(attempted_at__gt=last_success)
    return list(failures.order_by("-attempted_at").values_list("attempted_at", flat=True))


def check(*, email: str, ip_address: str | None) -> Throttle:
    """Is this email or address locked out right now?"""
    lockout = timedelta(minutes=settings.CASEWORK_LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    if ip_address:
        by_ip = SignInAttempt.objects.filter(
            ip_address=ip_address, succeeded=False, attempted_at__gte=_window_start()
        ).count()
        if by_ip >= settings.CASEWORK_LOGIN_IP_MAX_FAILURES:
            return Throttle(locked=True, until=now + lockout, by_address=True)
    failures = _recent_failures(email=email_key(email))
    if len(failures) >= settings.CASEWORK_LOGIN_MAX_FAILURES:
        until = failures[0] + lockout
        if until > now:
            return Throttle(locked=True, until=until)
    return Throttle(locked=False)


def record(*, email: str, ip_address: str | None, user: User | None, succeeded: bool) -> None:
    with transaction.atomic():
        SignInAttempt.objects.create(
            email=email_key(email), ip_address=ip_address, succeeded=succeeded
        )
        if user is None:
            return
        if succeeded:
            if user.locked_until is not None:
                user.locked_until = None
                user.save(update_fields=["locked_until"])
            audit.record(action="auth.sign_in", actor=user, target=user)
            return
        audit.record(action="auth.sign_in_failed", actor=user, target=user)
        throttle = check(email=email, ip_address=None)
        if throttle.locked and user.locked_until != throttle.until:
            user.locked_until = throttle.until
            user.save(update_fields=["locked_until"])
            audit.record(
                action="auth.locked_out",
                actor=user,
                target=user,
                changes={"until": throttle.until.isoformat() if throttle.until else None},
            )

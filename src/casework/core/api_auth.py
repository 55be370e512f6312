"""Who is calling the API: a personal token (scripts) or the signed-in session (browser).

Both return the acting ``User``; the API reads it from ``request.auth``. What that
user may then see and do is decided by ``casework.access``, never here.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from . import permissions
from .models import TOKEN_PREFIX_LENGTH, ApiToken, User

TOKEN_SCHEME_PREFIX = "cw_"  # noqa: S105 - a marker every token starts with, not a secret
# Recording every use would turn each API read into a write; a minute is precise enough
# to tell whether a token is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(
            403,
            "The CSRF token is missing or wrong. Send the casework_csrftoken cookie's "
            "value in an X-CSRFToken header.",
        )


class TwoFactorRequired(HttpError):
    def __init__(self) -> None:
        super().__init__(
            403, "Your agency requires two-factor sign-in. Set it up in Casework first."
        )


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None for any token that does not work."""
    if not raw.startswith(TOKEN_SCHEME_PREFIX):
        return None
    prefix = raw[len(TOKEN_SCHEME_PREFIX) : len(TOKEN_SCHEME_PREFIX) + TOKEN_PREFIX_LENGTH]
    digest = ApiToken.hash(raw)
    candidates = (
        ApiToken.objects.usable()
        .filter(prefix=prefix)
        .select_related("user__organization", "user__staff_profile")
    )
    # The prefix narrows the search; the constant-time comparison of the full hash
    # decides, so response times tell nothing about how much of a guess was right.
    token = next(
        (c for c in candidates if hmac.compare_digest(c.token_hash, digest)),
        None,
    )
    if token is None:
        return None
    user = token.user
    organization = user.organization
    if (
        not user.is_active
        or organization is None
        or not organization.is_active
        or user.organization_id != token.organization_id
    ):
        return None
    _note_use(token)
    return user


def _note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests with the same token write at most once.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cw_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token.strip())
        if user is None:
            # A token that was sent but does not work is refused outright rather than
            # falling back to the session: the caller meant to use the token.
            raise AuthenticationError(
                message="The API token is not valid, has expired or was revoked."
            )
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's signed-in session; unsafe methods need the CSRF token."""

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        # Ninja's own cookie auth checks CSRF before knowing whether anyone is signed
        # in; checking afterwards lets an anonymous caller get 401, not a CSRF 403.
        if self.csrf and check_csrf(request) is not None:
            raise CsrfFailed
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        organization = user.organization
        if organization is not None and not organization.is_active:
            return None
        # The web pages send such a person to two-factor set-up; the API cannot, so it
        # refuses until they have done it.
        if permissions.two_factor_pending(user):
            raise TwoFactorRequired
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()


def request_user(request: HttpRequest) -> User:
    """The user an authenticated API request acts as."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError
    return user

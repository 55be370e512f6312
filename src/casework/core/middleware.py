"""Request-wide concerns: action context for the audit log, idle timeout, 2FA, headers."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import context, permissions

Handler = Callable[[HttpRequest], HttpResponse]

LAST_SEEN_KEY = "casework_last_seen"
# Rewriting the session on every request costs a write; a minute of slack is harmless.
LAST_SEEN_RESOLUTION_SECONDS = 60


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Give each request an id and its address so audit events can group and place it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with context.action_context(ip_address=client_ip(request)) as ctx:
            response = self.get_response(request)
        response["X-Request-Id"] = ctx.request_id
        return response


class IdleTimeoutMiddleware:
    """Sign a person out after CASEWORK_IDLE_TIMEOUT_MINUTES without a request."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            timeout = settings.CASEWORK_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - int(last_seen) > timeout:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(m)d minutes without activity. "
                        "Please sign in again."
                    )
                    % {"m": settings.CASEWORK_IDLE_TIMEOUT_MINUTES},
                )
                return redirect(f"{reverse('sign-in')}?next={request.path}")
            if last_seen is None or now - int(last_seen) >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


TWO_FACTOR_EXEMPT_PREFIXES = ("/account/two-factor/", "/sign-out/", "/static/", "/api/")


class TwoFactorRequiredMiddleware:
    """Where the organization requires it, nothing works until 2FA is set up."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and permissions.two_factor_pending(user)
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
        ):
            return redirect("two-factor-setup")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Casework needs no camera, microphone, location or payment APIs."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with client data must not linger in shared caches or the back button.
            response.setdefault("Cache-Control", "no-store")
        return response

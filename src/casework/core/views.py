"""The kernel's own pages: the audit log and the error pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from . import permissions
from .forms import AuditFilterForm
from .web import AuthenticatedRequest, is_partial, window

# --- Audit log ----------------------------------------------------------------------------


def _start_of(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@vary_on_headers("HX-Request")
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    permissions.require(permissions.can_read_audit_log(user))
    form = AuditFilterForm(request.GET or None, viewer=user)
    events = permissions.audit_events(user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"] is not None:
            events = events.filter(actor_id=data["actor"].pk)
        if data["date_from"]:
            events = events.filter(occurred_at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            events = events.filter(occurred_at__lt=_start_of(data["date_to"] + timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    page = window(request, events.select_related("actor").order_by("-occurred_at", "-pk"))
    template = "core/_audit_results.html" if is_partial(request) else "core/audit_log.html"
    return render(request, template, {"form": form, "page": page})


# --- Error pages -----------------------------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request: no context processors, no database."""
    try:
        body = loader.get_template("errors/500.html").render()
    except Exception:  # the page that reports errors must not fail itself
        body = _("Something went wrong on our side. Please try again in a moment.")
        return HttpResponse(body, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, status=500)

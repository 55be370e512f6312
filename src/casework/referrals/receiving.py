"""The receiving side of a referral: a partner agency's staff, and a provider's secure link.

Both see one referral at a time: the service, who referred and how to reach them,
the dates and the status timeline, and of the client only what the referral's
consented packet holds while the consent allows it (``services.referral_content``);
the timeline's texts only as far as the consent covers them (``services.received_events``).
Both answer through ``services.referral_provider_update``; every view is audited
(``services.referral_viewed``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access
from casework.core.forms import add_service_errors
from casework.core.middleware import client_ip
from casework.core.models import StaffProfile
from casework.core.web import AuthenticatedRequest, paginate

from . import queries_receiving as queries
from . import services
from .forms_receiving import ProviderUpdateForm
from .models import EventVia, Referral, ReferralLink

#: A secure link's page holds client information reached without signing in: no
#: browser or proxy keeps it, no other site learns the address, no search engine lists it.
#: Not "no-referrer": under it browsers send "Origin: null" with the page's own form,
#: and CSRF protection refuses every update.
PRIVATE_HEADERS = {
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def referral_context(referral: Referral) -> dict[str, Any]:
    """What the receiving side may see of one referral, now: every text of the client's
    (the packet, the timeline's notes and steps, the reason) through the consent decision."""
    decision, sections = services.referral_content(referral=referral)
    case_manager = referral.case.case_manager or referral.created_by
    try:
        profile: StaffProfile | None = case_manager.staff_profile
    except StaffProfile.DoesNotExist:
        profile = None
    return {
        "referral": referral,
        "shown": decision.allowed,
        "sections": sections if decision.allowed else [],
        "case_manager": case_manager,
        "case_manager_profile": profile,
        "events": services.received_events(decision=decision, events=referral.events.all()),
        "required_documents": list(referral.service.required_documents.all()),
        "today": timezone.localdate(),
    }


# --- partner agencies: "Referrals to us" ---------------------------------------------------------


@login_required
def partner_inbox(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.is_partner_staff(user), _("This page is for partner agencies."))
    show = request.GET.get("show", "")
    if show not in queries.INBOX_FILTERS:
        show = ""
    page = paginate(request, queries.partner_inbox(user, show))
    rows: list[Referral] = list(page.object_list)
    viewable = queries.viewable_ids(rows)
    tabs = [("", _("All"))] + [
        (key, str(label)) for key, (label, _s) in queries.INBOX_FILTERS.items()
    ]
    return render(
        request,
        "referrals/receiving/inbox.html",
        {
            "page": page,
            "rows": [(r, r.pk in viewable) for r in rows],
            "tabs": tabs,
            "show": show,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    access.require(access.is_partner_staff(user), _("This page is for partner agencies."))
    referral = queries.get_partner_referral(user, pk)
    status = 200
    if request.method == "POST":
        form = ProviderUpdateForm(request.POST, referral=referral)
        status = 400
        if form.is_valid():
            try:
                services.referral_provider_update(
                    referral=referral, via=EventVia.PARTNER, actor=user, **form.update_values()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: the referring agency can see your update."))
                return redirect("partner-referral", pk=referral.pk)
    else:
        form = ProviderUpdateForm(referral=referral)
    context = referral_context(referral)
    services.referral_viewed(
        actor=user, referral=referral, via=EventVia.PARTNER, content_shown=context["shown"]
    )
    return render(
        request,
        "referrals/receiving/detail.html",
        {**context, "form": form, "action": reverse("partner-referral", args=[referral.pk])},
        status=status,
    )


# --- the secure link -----------------------------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "referrals/receiving/link_gone.html", status=404))


def _misses_key(request: HttpRequest) -> str:
    # Hashed, so the cache never holds a network address.
    address = client_ip(request) or "unknown"
    return "referral-link-misses:" + hashlib.sha256(address.encode()).hexdigest()


def _too_many_misses(request: HttpRequest) -> bool:
    return int(cache.get(_misses_key(request), 0)) >= settings.CASEWORK_REFERRAL_LINK_MAX_MISSES


def _count_miss(request: HttpRequest) -> None:
    """One more wrong or dead link from this address, for the next
    CASEWORK_REFERRAL_LINK_MISS_MINUTES (counted from the first)."""
    key = _misses_key(request)
    if not cache.add(key, 1, settings.CASEWORK_REFERRAL_LINK_MISS_MINUTES * 60):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, settings.CASEWORK_REFERRAL_LINK_MISS_MINUTES * 60)


@require_http_methods(["GET", "POST"])
def link_view(request: HttpRequest, token: str) -> HttpResponse:
    """One referral through its secret link: no sign-in, nothing else of the agency.

    An address that has tried many links that do not work is turned away for a while,
    before any lookup, so guessing links is slow as well as hopeless."""
    if _too_many_misses(request):
        return _private(render(request, "referrals/receiving/link_throttled.html", status=429))
    link: ReferralLink | None = services.referral_link_find(token=token)
    if link is None:
        _count_miss(request)
        return _gone(request)
    referral = queries.for_link(link.referral_id)
    status = 200
    if request.method == "POST":
        form = ProviderUpdateForm(request.POST, referral=referral, ask_name=True)
        status = 400
        if form.is_valid():
            try:
                services.referral_provider_update(
                    referral=referral,
                    via=EventVia.LINK,
                    link=link,
                    actor_name=form.cleaned_data["actor_name"],
                    **form.update_values(),
                )
            except PermissionDenied:
                return _gone(request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: the referring agency can see your update."))
                return _private(redirect(request.path))
    else:
        form = ProviderUpdateForm(referral=referral, ask_name=True)
    context = referral_context(referral)
    services.referral_viewed(
        actor=None,
        referral=referral,
        via=EventVia.LINK,
        content_shown=context["shown"],
        link=link,
    )
    return _private(
        render(
            request,
            "referrals/receiving/link.html",
            {**context, "form": form, "action": request.path},
            status=status,
        )
    )

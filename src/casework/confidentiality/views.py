"""Restricting a record, breaking glass into one, and the privacy officer's access report."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from casework import access
from casework.clients.models import Case, Client
from casework.core.errors import NotFound
from casework.core.forms import add_service_errors
from casework.core.models import User
from casework.core.web import AuthenticatedRequest, is_partial, window

from . import queries, services
from .forms import AccessReportFilterForm, BreakGlassForm, ReportLookupForm, RestrictionForm


def restriction_context(user: User, client: Client) -> dict[str, object]:
    """What the client page needs for the restriction card (agency admins only)."""
    if not access.restrict_allows(user, client):
        return {}
    initial = {"reason": client.restriction_reason} if client.is_restricted else {}
    return {"restriction_form": RestrictionForm(initial=initial, prefix="restriction")}


@login_required
@require_POST
def client_restriction(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    client = access.get_client(user, pk)
    access.require(access.restrict_allows(user, client))
    if request.POST.get("lift"):
        services.client_unrestrict(actor=user, client=client)
        messages.success(request, _("The restriction is lifted."))
        return redirect("client-detail", pk=client.pk)
    form = RestrictionForm(request.POST, prefix="restriction")
    if form.is_valid():
        try:
            services.client_restrict(actor=user, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        messages.error(request, _("Choose why the record is restricted."))
        return redirect("client-detail", pk=client.pk)
    if access.clients(user).filter(pk=client.pk).exists():
        messages.success(request, _("The record is restricted to the teams serving this client."))
        return redirect("client-detail", pk=client.pk)
    messages.success(
        request,
        _(
            "The record is restricted. You are not on a team serving this client, so you no "
            "longer see it."
        ),
    )
    return redirect("home")


# --- break-glass ------------------------------------------------------------------------------


def break_glass_offer(
    request: AuthenticatedRequest, client_id: int, next_url: str = ""
) -> HttpResponse | None:
    """For a 404 on a record the user may break glass into, the page that offers it.

    None for everyone else: their 404 stays the plain one, which does not say whether
    the record exists.
    """
    client = access.break_glass_candidate(request.user, client_id)
    if client is None:
        return None
    form = BreakGlassForm()
    return _render_break_glass(request, client, form, next_url or request.path, status=404)


def case_break_glass_offer(request: AuthenticatedRequest, case_id: int) -> HttpResponse | None:
    if not access.can_break_glass(request.user):
        return None
    client_id = (
        Case.objects.filter(pk=case_id, organization_id=access.organization_id(request.user))
        .values_list("client_id", flat=True)
        .first()
    )
    if client_id is None:
        return None
    return break_glass_offer(request, client_id, request.path)


#: Pages of one case record reached by their own id (url name → the model, which has a case).
_RECORD_PAGES: dict[str, tuple[str, str]] = {
    "case-note": ("notes", "Note"),
    "case-assessment": ("assessments", "Assessment"),
    "case-plan-print": ("plans", "ServicePlan"),
    "case-plan-panel": ("plans", "ServicePlan"),
    "case-plan-versions": ("plans", "ServicePlan"),
    "case-referral": ("referrals", "Referral"),
}


def record_break_glass_offer(request: HttpRequest) -> HttpResponse | None:
    """For any 404 on a page of a case record (``cases/<case_id>/…``, a note, an
    assessment, a plan, a referral), the break-glass offer when the user may use it.

    Called by the 404 handler, so every case page offers it without each view asking.
    """
    user = getattr(request, "user", None)
    if (
        request.method != "GET"
        or user is None
        or not user.is_authenticated
        or not access.can_break_glass(user)
    ):
        return None
    match = request.resolver_match
    if match is None:
        return None
    if "case_id" in match.kwargs:
        return case_break_glass_offer(request, int(match.kwargs["case_id"]))  # type: ignore[arg-type]
    record = _RECORD_PAGES.get(match.url_name or "")
    if record is None or "pk" not in match.kwargs:
        return None
    model = apps.get_model(*record)
    client_id = (
        model._default_manager.filter(
            pk=match.kwargs["pk"], organization_id=access.organization_id(user)
        )
        .values_list("case__client_id", flat=True)
        .first()
    )
    if client_id is None:
        return None
    return break_glass_offer(request, client_id, request.path)  # type: ignore[arg-type]


def _render_break_glass(
    request: HttpRequest, client: Client, form: BreakGlassForm, next_url: str, status: int
) -> HttpResponse:
    from django.conf import settings

    return render(
        request,
        "confidentiality/break_glass.html",
        {
            "client_id": client.pk,
            "form": form,
            "next_url": next_url,
            "hours": settings.CASEWORK_BREAK_GLASS_HOURS,
        },
        status=status,
    )


@login_required
def break_glass(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    client = access.break_glass_candidate(user, pk)
    if client is None:
        raise NotFound
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    next_url = next_url or reverse("client-detail", kwargs={"pk": client.pk})
    if request.method != "POST":
        return _render_break_glass(request, client, BreakGlassForm(), next_url, status=200)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_open(actor=user, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.warning(
                request,
                _("Emergency access is open. Everything you view is recorded."),
            )
            return redirect(next_url)
    return _render_break_glass(request, client, form, next_url, status=400)


@login_required
@require_POST
def break_glass_end(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """End one's own emergency access now; nothing to check beyond who asks."""
    if services.break_glass_end(actor=request.user, client_id=pk):
        messages.success(request, _("Emergency access ended."))
    return redirect("home")


# --- who has seen this client's record ------------------------------------------------------


@login_required
def access_report_lookup(request: AuthenticatedRequest) -> HttpResponseBase:
    access.require(access.can_read_access_report(request.user))
    form = ReportLookupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        return redirect("client-access-report", pk=form.cleaned_data["client"])
    return render(request, "confidentiality/report_lookup.html", {"form": form})


@login_required
@vary_on_headers("HX-Request")
def access_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    client = queries.report_client(user, pk)
    form = AccessReportFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    events = queries.access_events(user, client, date_from=date_from, date_to=date_to)
    if form.is_bound and not form.is_valid():
        events = events.none()
    page = window(request, events)
    grants = queries.client_grants(user, client)
    queries.mark_break_glass(page.object_list, grants)
    context = {"client": client, "form": form, "page": page, "grants": grants}
    template = (
        "confidentiality/_report_results.html"
        if is_partial(request)
        else "confidentiality/access_report.html"
    )
    return render(request, template, context)

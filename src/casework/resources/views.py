"""Pages of the resource directory: search, a service, a provider, and matching for a case.

The URL of a search holds filter values only: near the client is ``near=client`` with
the case id, never an address or a name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.web import AuthenticatedRequest, is_partial
from casework.referrals import matching
from casework.referrals.forms import PreferencesForm
from casework.referrals.outcomes import provider_outcomes

from . import categories, geo, queries, services, words
from .forms import NearChoice, NoteForm, SearchForm, SettingsForm
from .models import Provider, Service
from .search import SearchPage, search_services


def refer_url(case_id: int, service_id: int, goal_id: int | None = None) -> str:
    """The referrals page for this case and service (the referrals app owns that page)."""
    query = {"service": service_id} | ({"goal": goal_id} if goal_id else {})
    return f"/cases/{case_id}/referrals/new/?{urlencode(query)}"


def _require_reader(request: AuthenticatedRequest) -> None:
    if not access.directory_read_allowed(request.user):
        raise PermissionDenied(_("The resource directory is for the agency's staff."))


def _case_or_none(request: AuthenticatedRequest, case_id: int | None) -> Any:
    if not case_id:
        return None
    return access.get_case(request.user, case_id)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _page_number(request: AuthenticatedRequest) -> int:
    return max(1, _int(request.GET.get("page")) or 1)


def _near(form: SearchForm, case: Any, organization_id: int) -> tuple[geo.Point | None, str]:
    """Where to measure from, and a problem to show when it cannot be placed."""
    data = form.cleaned_data
    near = data.get("near")
    point: geo.Point | None = None
    if near == NearChoice.CLIENT and case is not None:
        point = geo.locate_client(case.client)
        if point is None:
            return None, _("The client's address could not be placed on the map.")
    elif near == NearChoice.POSTAL_CODE:
        point = geo.locate_postal_code(organization_id, data.get("postal_code") or "")
        if point is None:
            return None, _("No directory address has this postal code: try a neighbouring one.")
    elif near == NearChoice.LOCATION and data.get("location"):
        point = geo.locate_location(organization_id, data["location"])
        if point is None:
            return None, _("That location has no position on the map.")
    return point, ""


def _outcomes_for(organization_id: int, services: list[Service]) -> dict[int, Any]:
    return provider_outcomes(
        organization_id=organization_id, provider_ids={s.provider_id for s in services}
    )


@login_required
def directory_search(request: AuthenticatedRequest) -> HttpResponse:
    _require_reader(request)
    user = request.user
    org_id = access.organization_id(user)
    form = SearchForm(request.GET or None, organization_id=org_id)
    page: SearchPage | None = None
    problem = ""
    case = None
    if form.is_bound and form.is_valid():
        case = _case_or_none(request, form.cleaned_data.get("case"))
        point, problem = _near(form, case, org_id)
        if not problem:
            page = search_services(actor=user, query=form.query(point, _page_number(request)))
    elif not form.is_bound:
        form = SearchForm(initial={"radius": "10"}, organization_id=org_id)
        page = search_services(actor=user, query=SearchForm.blank_query(page=_page_number(request)))
    case_id = _int(request.GET.get("case"))
    if case is None and case_id and not form.is_bound:
        case = _case_or_none(request, case_id)
    services_shown = [hit.service for hit in page.hits] if page else []
    context = {
        "form": form,
        "page": page,
        "problem": problem,
        "case": case,
        "outcomes": _outcomes_for(org_id, services_shown),
        "partial": is_partial(request),
        "can_manage": access.directory_manage_allowed(request.user),
    }
    template = "resources/_results.html" if context["partial"] else "resources/search.html"
    return render(request, template, context, status=200 if page or not form.is_bound else 400)


def _service_context(
    request: AuthenticatedRequest,
    service: Service,
    *,
    note_form: NoteForm | None = None,
    settings_form: SettingsForm | None = None,
) -> dict[str, Any]:
    user = request.user
    case = _case_or_none(request, _int(request.GET.get("case")))
    goal = queries.get_goal(user, case.pk, _int(request.GET.get("goal"))) if case else None
    match = matching.explain(actor=user, case=case, service=service, goal=goal) if case else None
    outcome = provider_outcomes(
        organization_id=service.organization_id, provider_ids=[service.provider_id]
    ).get(service.provider_id)
    can_manage = access.directory_manage_allowed(user)
    return {
        "service": service,
        "provider": service.provider,
        "categories": [
            (a.taxonomy_term, categories.label_of(a.taxonomy_term.code))
            for a in service.attributes.all()
        ],
        "open_days": words.days_in_words({o.weekday for o in service.openings.all()}),
        "openings": list(service.openings.all()),
        "in_house": queries.in_house_alternatives(user, service),
        "notes": list(queries.notes(user, service.provider)[:20]),
        "outcome": outcome,
        "case": case,
        "goal": goal,
        "match": match,
        "refer_url": refer_url(case.pk, service.pk, goal.pk if goal else None) if case else "",
        "can_contribute": access.directory_contribute_allowed(user),
        "can_manage": can_manage,
        "note_form": note_form or NoteForm(),
        "settings_form": settings_form
        or (
            SettingsForm(
                user=user,
                initial={
                    "accepting_referrals": service.accepting_referrals,
                    "in_house_program": service.in_house_program_id,
                    "partner_organization": service.provider.partner_organization_id,
                    "version": service.version,
                },
            )
            if can_manage
            else None
        ),
    }


@login_required
def service_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    service = queries.get_service(request.user, pk)
    return render(request, "resources/service_detail.html", _service_context(request, service))


@login_required
@require_POST
def service_verify(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _require_reader(request)
    service = queries.get_service(request.user, pk)
    services.service_verify(actor=request.user, service=service)
    messages.success(request, _("Marked verified today."))
    return redirect("directory-service", pk=service.pk)


@login_required
@require_POST
def service_settings(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _require_reader(request)
    user = request.user
    access.require(
        access.directory_manage_allowed(user),
        _("Only program managers and agency administrators change a service's settings."),
    )
    service = queries.get_service(user, pk)
    form = SettingsForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.service_settings_update(
                actor=user,
                service=service,
                accepting_referrals=data["accepting_referrals"],
                in_house_program=data["in_house_program"],
                partner_organization=data["partner_organization"],
                expected_version=data["version"],
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The agency's settings of this service are saved."))
            return redirect("directory-service", pk=service.pk)
    context = _service_context(request, service, settings_form=form)
    return render(request, "resources/service_detail.html", context, status=400)


@login_required
@require_POST
def provider_note_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _require_reader(request)
    user = request.user
    provider = queries.get_provider(user, pk)
    service_id = _int(request.POST.get("service"))
    service = queries.get_service(user, service_id) if service_id else None
    if service is not None and service.provider_id != provider.pk:
        raise NotFound("No such service.")
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.provider_note_add(
                actor=user, provider=provider, service=service, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your note is added for colleagues to read."))
            if service is not None:
                return redirect("directory-service", pk=service.pk)
            return redirect("directory-provider", pk=provider.pk)
    if service is not None:
        context = _service_context(request, service, note_form=form)
        return render(request, "resources/service_detail.html", context, status=400)
    return render(
        request,
        "resources/provider_detail.html",
        _provider_context(request, provider, note_form=form),
        status=400,
    )


@login_required
@require_POST
def provider_note_archive(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _require_reader(request)
    note = queries.get_note(request.user, pk)
    try:
        services.provider_note_archive(actor=request.user, note=note)
    except ValidationError:
        messages.info(request, _("This note was already archived."))
    else:
        messages.success(request, _("The note is archived."))
    back = _int(request.POST.get("service"))
    if back:
        return redirect("directory-service", pk=back)
    return redirect("directory-provider", pk=note.provider_id)


def _provider_context(
    request: AuthenticatedRequest, provider: Provider, *, note_form: NoteForm | None = None
) -> dict[str, Any]:
    user = request.user
    return {
        "provider": provider,
        "services": list(queries.provider_services(user, provider)[:100]),
        "notes": list(queries.notes(user, provider)[:50]),
        "outcome": provider_outcomes(
            organization_id=provider.organization_id, provider_ids=[provider.pk]
        ).get(provider.pk),
        "can_contribute": access.directory_contribute_allowed(user),
        "can_manage": access.directory_manage_allowed(user),
        "note_form": note_form or NoteForm(),
    }


@login_required
def provider_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_reader(request)
    provider = queries.get_provider(request.user, pk)
    return render(request, "resources/provider_detail.html", _provider_context(request, provider))


@login_required
def case_match(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    _require_reader(request)
    user = request.user
    case = access.get_case(user, case_id)
    goal = queries.get_goal(user, case.pk, _int(request.GET.get("goal")))
    client = case.client
    bound = any(k in request.GET for k in PreferencesForm.base_fields)
    form = PreferencesForm(
        request.GET if bound else None,
        initial={"language": client.preferred_language},
    )
    result = None
    if bound and form.is_valid():
        result = matching.match_case(
            actor=user, case=case, goal=goal, preferences=form.preferences()
        )
    elif not bound:
        result = matching.match_case(actor=user, case=case, goal=goal)
    matches = result.matches if result else []
    context = {
        "case": case,
        "client": client,
        "goal": goal,
        "form": form,
        "result": result,
        "matches": [
            (m, refer_url(case.pk, m.service.pk, goal.pk if goal else None)) for m in matches
        ],
        "outcomes": _outcomes_for(case.organization_id, [m.service for m in matches]),
        "partial": is_partial(request),
    }
    template = "resources/_matches.html" if context["partial"] else "resources/match.html"
    return render(request, template, context, status=200 if result else 400)

"""Staff pages for referrals: a case's referrals, the new-referral form with its live consent
panel, and a referral's page with its timeline and the actions its status allows.

The receiving side (partner inbox, secure link, letter) is in ``receiving`` and ``letter``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.consent import policy
from casework.consent.models import Category, PartyKind, Purpose
from casework.consent.services import ConsentRequired
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import Role, User
from casework.core.web import HOME_LIST_SIZE, AuthenticatedRequest, HomeSection, paginate
from casework.plans.models import Goal
from casework.resources.models import Service, ServiceAtLocation
from casework.resources.queries import directory_services

from . import matching, queries, services
from .forms import (
    CancelForm,
    CloseForm,
    LinkForm,
    RecordForm,
    ReferralEditForm,
    ReferralForm,
    SendForm,
)
from .models import NEXT_STATUSES, PROVIDER_STATUSES, Referral, ReferralStatus
from .queries import referral_allows

SECTION_SIZE = 5


def _today_context() -> dict[str, Any]:
    return {"today": timezone.localdate()}


# --- the case page's card and the home panel ----------------------------------------------------


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's Referrals card (``referrals/_case_section.html``)."""
    rows = list(queries.case_open_referrals(user, case)[: SECTION_SIZE + 1])
    return {
        "referral_section": {
            "rows": rows[:SECTION_SIZE],
            "more": len(rows) > SECTION_SIZE,
            "can_create": case.is_open and access.referral_create_allowed(user, case),
            "today": timezone.localdate(),
        }
    }


def home_waiting(user: User) -> HomeSection | None:
    """ "My referrals waiting for an answer": the most overdue answer first."""
    if not user.has_role(Role.CASE_MANAGER, Role.SUPERVISOR) or access.is_partner_staff(user):
        return None
    rows = list(queries.waiting_for_answer(user)[: HOME_LIST_SIZE + 1])
    return HomeSection(
        "referrals/home_waiting.html",
        {
            "referrals": rows[:HOME_LIST_SIZE],
            "more": len(rows) > HOME_LIST_SIZE,
            "today": timezone.localdate(),
        },
    )


# --- a case's referrals -----------------------------------------------------------------------


@login_required
def case_referrals(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = access.get_case(user, case_id)
    return render(
        request,
        "referrals/case_referrals.html",
        {
            "case": case,
            "page": paginate(request, queries.case_referrals(user, case)),
            "can_create": case.is_open and access.referral_create_allowed(user, case),
            **_today_context(),
        },
    )


# --- the new-referral form and its consent panel ----------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _current_goals(case: Case) -> list[Goal]:
    """One goal per key: the newest plan version's copy."""
    seen: set[Any] = set()
    goals = []
    for goal in queries.case_goals(case):
        if goal.key not in seen:
            seen.add(goal.key)
            goals.append(goal)
    return goals


def _service(user: User, pk: int | None) -> Service | None:
    if pk is None:
        return None
    service = directory_services(user).select_related("provider").filter(pk=pk).first()
    if service is None:
        raise NotFound("No such service.")
    return service


def _match(user: User, case: Case, service: Service, goal: Goal | None) -> matching.Match:
    return matching.explain(actor=user, case=case, service=service, goal=goal)


def _match_reasons(match: matching.Match) -> list[dict[str, Any]]:
    return [{"fits": r.fits, "text": r.text} for r in (*match.fits, *match.misfits)]


def _eligibility_text(match: matching.Match) -> str:
    lines = [f"✓ {r.text}" if r.fits else f"? {r.text}" for r in match.fits]
    lines += [f"✗ {r.text}" for r in match.misfits]
    return "\n".join(lines)


def consent_record_url(
    case: Case, party: policy.Party, categories: list[str], next_url: str
) -> str:
    """The consent form prefilled for this provider, purpose referral and these categories."""
    key = party.key
    query = urlencode(
        {
            "party": key,
            "purpose": Purpose.REFERRAL,
            "categories": categories,
            "next": next_url,
        },
        doseq=True,
    )
    return f"{reverse('client-consent-new', args=[case.client_id])}?{query}"


def _consent_panel(
    case: Case, service: Service | None, categories: list[str], next_url: str
) -> dict[str, Any]:
    if service is None:
        return {"consent_panel": None}
    party = services.referral_party(service)
    decision = policy.decide(
        client=case.client,
        party=party,
        purpose=Purpose.REFERRAL,
        categories=categories,
        on=timezone.localdate(),
    )
    return {
        "consent_panel": {
            "decision": decision,
            "service": service,
            "party_is_partner": party.kind == PartyKind.PARTNER_AGENCY,
            "record_url": consent_record_url(case, party, categories, next_url),
            "categories": [str(Category(c).label) for c in Category.values if c in categories],
        }
    }


def _chosen_categories(request: HttpRequest) -> list[str]:
    chosen = request.GET.getlist("categories") or request.POST.getlist("categories")
    return [c for c in Category.values if c in chosen or c == Category.IDENTITY_CONTACT]


def _safe_next(request: HttpRequest, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


@login_required
def consent_panel(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """The live consent answer for a service and the chosen categories (htmx)."""
    user = request.user
    case = access.get_case(user, case_id)
    service = _service(user, _int(request.GET.get("service")))
    default = reverse("case-referrals", args=[case.pk])
    next_url = _safe_next(request, request.GET.get("next", ""), default)
    return render(
        request,
        "referrals/_consent_panel.html",
        {"case": case, **_consent_panel(case, service, _chosen_categories(request), next_url)},
    )


def _new_url(case: Case, service: Service | None, goal_id: int | None, sal: int | None) -> str:
    params = {
        k: v
        for k, v in (
            ("service", service.pk if service else None),
            ("goal", goal_id),
            ("location", sal),
        )
        if v is not None
    }
    base = reverse("case-referral-new", args=[case.pk])
    return f"{base}?{urlencode(params)}" if params else base


def _form_kwargs(user: User, case: Case, service: Service | None) -> dict[str, Any]:
    return {
        "services": directory_services(user).select_related("provider"),
        "goals": _current_goals(case),
        "service": service,
    }


def _base_url(request: HttpRequest) -> str:
    """This site's address, for a secure link that goes by email."""
    return request.build_absolute_uri("/")[:-1]


def _sent_message(referral: Referral, default: str) -> str:
    if referral.link_email:
        return _(
            "The referral is sent. A secure link goes to the provider by email, to %(address)s."
        ) % {"address": referral.link_email}
    return default


def _send_after_save(request: AuthenticatedRequest, referral: Referral) -> None:
    try:
        services.referral_send(
            actor=request.user,
            referral=referral,
            expected_version=referral.version,
            base_url=_base_url(request),
        )
    except ConsentRequired as exc:
        messages.error(
            request,
            _("The draft is saved but not sent: %(why)s") % {"why": exc.decision.message},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _sent_message(referral, _("The referral is sent.")))


@login_required
def referral_new(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE)
    access.require(
        access.referral_create_allowed(user, case), _("You may not make referrals for this case.")
    )
    service = _service(user, _int(request.GET.get("service") or request.POST.get("service")))
    goal_id = _int(request.GET.get("goal"))
    sal_id = _int(request.GET.get("location"))
    kwargs = _form_kwargs(user, case, service)
    goal = next((g for g in kwargs["goals"] if g.pk == goal_id), None)
    match = _match(user, case, service, goal) if service is not None else None
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST, **kwargs)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            chosen = _match(user, case, data["service"], data["goal"])
            try:
                referral = services.referral_create(
                    actor=user,
                    case=case,
                    service=data["service"],
                    reason=data["reason"],
                    categories=data["categories"],
                    goal=data["goal"],
                    action_step=data["action_step"],
                    location=data["location"],
                    urgency=data["urgency"],
                    eligibility_note=data["eligibility_note"],
                    in_house_note=data["in_house_note"],
                    self_help_note=data["self_help_note"],
                    match_reasons=_match_reasons(chosen),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if "send" in request.POST:
                    _send_after_save(request, referral)
                else:
                    messages.success(request, _("The referral is saved as a draft."))
                return redirect("case-referral", pk=referral.pk)
    else:
        initial: dict[str, Any] = {
            "service": service,
            "goal": goal,
            "categories": [Category.IDENTITY_CONTACT],
        }
        if goal is not None:
            initial["reason"] = goal.client_words
        if sal_id is not None and service is not None:
            initial["location"] = ServiceAtLocation.objects.filter(
                pk=sal_id, service=service
            ).first()
        if match is not None:
            initial["eligibility_note"] = _eligibility_text(match)
        form = ReferralForm(initial=initial, **kwargs)
    categories = (
        form.cleaned_data["categories"]
        if form.is_bound and form.is_valid()
        else _chosen_categories(request)
    )
    next_url = _new_url(case, service, goal_id, sal_id)
    return render(
        request,
        "referrals/referral_form.html",
        {
            "case": case,
            "form": form,
            "service": service,
            "match": match,
            "outcome": None,
            "next_url": next_url,
            "search_url": _match_url(case, goal_id),
            **_consent_panel(case, service, categories, next_url),
        },
        status=status,
    )


def _match_url(case: Case, goal_id: int | None) -> str:
    base = reverse("directory-match", args=[case.pk])
    return f"{base}?goal={goal_id}" if goal_id is not None else base


@login_required
def referral_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    referral = queries.get_referral(user, pk)
    access.require(
        referral_allows(user, referral, Action.CHANGE),
        _("You may view this referral but not change it."),
    )
    if referral.status != ReferralStatus.DRAFT:
        messages.error(request, _("This referral was sent: it can no longer be changed."))
        return redirect("case-referral", pk=referral.pk)
    case = referral.case
    kwargs = _form_kwargs(user, case, referral.service)
    conflict = None
    status = 200
    if request.method == "POST":
        form = ReferralEditForm(request.POST, **kwargs)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.referral_update(
                    actor=user,
                    referral=referral,
                    expected_version=data["expected_version"],
                    service=data["service"],
                    reason=data["reason"],
                    categories=data["categories"],
                    goal=data["goal"],
                    action_step=data["action_step"],
                    location=data["location"],
                    urgency=data["urgency"],
                    eligibility_note=data["eligibility_note"],
                    in_house_note=data["in_house_note"],
                    self_help_note=data["self_help_note"],
                    match_reasons=referral.match_reasons,
                )
            except ConflictError as exc:
                conflict, status = exc.message, 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if "send" in request.POST:
                    _send_after_save(request, referral)
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("case-referral", pk=referral.pk)
    else:
        form = ReferralEditForm(
            initial={
                "service": referral.service,
                "goal": referral.goal,
                "action_step": referral.action_step,
                "location": referral.location,
                "reason": referral.reason,
                "urgency": referral.urgency,
                "eligibility_note": referral.eligibility_note,
                "in_house_note": referral.in_house_note,
                "self_help_note": referral.self_help_note,
                "categories": referral.categories,
                "expected_version": referral.version,
            },
            **kwargs,
        )
    categories = (
        form.cleaned_data["categories"]
        if form.is_bound and form.is_valid()
        else (_chosen_categories(request) if form.is_bound else referral.categories)
    )
    next_url = reverse("case-referral-edit", args=[referral.pk])
    return render(
        request,
        "referrals/referral_form.html",
        {
            "case": case,
            "form": form,
            "referral": referral,
            "service": referral.service,
            "match": None,
            "conflict": conflict,
            "reload_url": next_url,
            "next_url": next_url,
            **_consent_panel(case, referral.service, categories, next_url),
        },
        status=status,
    )


# --- a referral's page and its actions --------------------------------------------------------


def _detail_context(user: User, referral: Referral, forms: dict[str, Form]) -> dict[str, Any]:
    can_change = referral.case.is_open and referral_allows(user, referral, Action.CHANGE)
    nexts = NEXT_STATUSES.get(referral.status, ())
    version = {"expected_version": referral.version}
    today = timezone.localdate()
    context: dict[str, Any] = {
        "referral": referral,
        "case": referral.case,
        "events": list(queries.referral_events(referral)),
        "can_change": can_change,
        "today": today,
        "letter_url": reverse("referral-letter", args=[referral.pk]),
        "letter_pdf_url": reverse("referral-letter-pdf", args=[referral.pk]),
        "packet": referral.disclosure.packet if referral.disclosure is not None else [],
        "links": list(queries.referral_links(referral)) if can_change else [],
        "now": timezone.now(),
        "category_labels": [
            str(Category(c).label) for c in Category.values if c in referral.categories
        ],
    }
    if referral.status == ReferralStatus.DRAFT:
        here = reverse("case-referral", args=[referral.pk])
        context |= _consent_panel(referral.case, referral.service, referral.categories, here)
    if not can_change:
        return context
    if referral.status == ReferralStatus.DRAFT:
        context["send_form"] = forms.get("send") or SendForm(initial=version)
    if any(s in PROVIDER_STATUSES for s in nexts):
        context["record_form"] = forms.get("record") or RecordForm(
            initial={**version, "happened_on": today}, current=referral.status
        )
    if ReferralStatus.CLOSED in nexts:
        context["close_form"] = forms.get("close") or CloseForm(initial=version)
    if ReferralStatus.CANCELLED in nexts:
        context["cancel_form"] = forms.get("cancel") or CancelForm(initial=version)
    if referral.is_open:
        context["link_form"] = forms.get("link") or LinkForm(initial={"days": _link_days()})
    return context


def _link_days() -> int:
    return int(settings.CASEWORK_REFERRAL_LINK_DAYS)


def _render_detail(
    request: AuthenticatedRequest,
    referral: Referral,
    *,
    forms: dict[str, Form] | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = _detail_context(request.user, referral, forms or {}) | extra
    response = render(request, "referrals/referral_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    referral = queries.get_referral(user, pk)
    services.referral_viewed(actor=user, referral=referral, via="staff", content_shown=True)
    return _render_detail(request, referral)


def _changeable(request: AuthenticatedRequest, pk: int) -> Referral:
    referral = queries.get_referral(request.user, pk)
    access.require(
        referral_allows(request.user, referral, Action.CHANGE),
        _("You may view this referral but not change it."),
    )
    return referral


def _after(
    request: AuthenticatedRequest,
    referral: Referral,
    name: str,
    form: Form,
    action: Any,
    success: str,
) -> HttpResponseBase:
    """Run ``action`` for a valid form; show the page again with what went wrong otherwise."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ConflictError as exc:
            fresh = queries.get_referral(request.user, referral.pk)
            return _render_detail(request, fresh, status=409, conflict=exc.message)
        except ConsentRequired as exc:
            return _render_detail(request, referral, status=409, refusal=exc.decision)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("case-referral", pk=referral.pk)
    return _render_detail(request, referral, forms={name: form}, status=400, open_form=name)


@login_required
@require_POST
def referral_send(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    referral = _changeable(request, pk)
    return _after(
        request,
        referral,
        "send",
        SendForm(request.POST),
        lambda data: services.referral_send(
            actor=request.user,
            referral=referral,
            expected_version=data["expected_version"],
            base_url=_base_url(request),
        ),
        _sent_message(
            referral, _("The referral is sent. You will be reminded if there is no answer.")
        ),
    )


@login_required
@require_POST
def referral_record(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    referral = _changeable(request, pk)
    return _after(
        request,
        referral,
        "record",
        RecordForm(request.POST, current=referral.status),
        lambda data: services.referral_record(
            actor=request.user,
            referral=referral,
            expected_version=data["expected_version"],
            status=data["status"],
            happened_on=data["happened_on"],
            via=data["via"],
            note=data["note"],
            decline_reason=data["decline_reason"],
            first_appointment_at=data["first_appointment_at"],
            outcome=data["outcome"],
        ),
        _("The provider's answer is recorded."),
    )


@login_required
@require_POST
def referral_close(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    referral = _changeable(request, pk)
    return _after(
        request,
        referral,
        "close",
        CloseForm(request.POST),
        lambda data: services.referral_close(
            actor=request.user,
            referral=referral,
            expected_version=data["expected_version"],
            note=data["note"],
        ),
        _("The referral is closed: the loop is closed."),
    )


@login_required
@require_POST
def referral_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    referral = _changeable(request, pk)
    return _after(
        request,
        referral,
        "cancel",
        CancelForm(request.POST),
        lambda data: services.referral_cancel(
            actor=request.user,
            referral=referral,
            expected_version=data["expected_version"],
            reason=data["reason"],
        ),
        _("The referral is cancelled."),
    )


@login_required
@require_POST
def referral_link_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Make a secure link and show its full address once, on this response only."""
    referral = _changeable(request, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            link, token = services.referral_link_create(
                actor=request.user,
                referral=referral,
                days=form.cleaned_data["days"],
                base_url=_base_url(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            url = request.build_absolute_uri(reverse("referral-link", args=[token]))
            return _render_detail(request, referral, new_link={"url": url, "link": link})
    return _render_detail(request, referral, forms={"link": form}, status=400, open_form="link")


@login_required
@require_POST
def referral_link_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    link = queries.get_link(request.user, pk)
    services.referral_link_revoke(actor=request.user, link=link)
    messages.success(request, _("The link is revoked: it shows nothing any more."))
    return redirect("case-referral", pk=link.referral_id)

"""Intake pages: the queue, a new application, one application and its decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from casework import access
from casework.access import Action
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.web import AuthenticatedRequest, is_partial, paginate

from . import queries, screening, services
from .forms import (
    TABS,
    AcceptForm,
    ApplicationForm,
    DeclineForm,
    DocumentForm,
    QueueFilterForm,
    ScreeningForm,
    WaitlistForm,
)
from .models import Application, ApplicationStatus

RECENT_APPLICANT_DAYS = 90


def _optional_url(name: str) -> str:
    """The URL of a page another app may not have yet (client search, registration)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# --- queue ---------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def intake_queue(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.can_use_intake_queue(user))
    form = QueueFilterForm(request.GET or None, viewer=user)
    tab = form.current_tab
    program = priority = None
    if form.is_bound and form.is_valid():
        program = form.cleaned_data["program"]
        priority = form.cleaned_data["priority"]
    counted = queries.applications(user).filter(
        status__in=(ApplicationStatus.SCREENING, ApplicationStatus.WAITLISTED)
    )
    if program is not None:
        counted = counted.filter(program_id=program.pk)
    counts = counted.aggregate(
        screening=Count("pk", filter=Q(status=ApplicationStatus.SCREENING)),
        waitlist=Count("pk", filter=Q(status=ApplicationStatus.WAITLISTED)),
    )
    rows: Any
    if tab == "waitlist":
        rows = queries.waitlist(user)
        if priority is not None:
            rows = rows.filter(priority=priority)
    elif tab == "decided":
        rows = queries.recent_decisions(user)
    else:
        rows = queries.screening_queue(user)
    if program is not None:
        field = "application__program_id" if tab == "decided" else "program_id"
        rows = rows.filter(**{field: program.pk})
    page = paginate(request, rows)
    visible: set[int] = set()
    if tab == "decided":
        ids = [d.application_id for d in page.object_list]
        visible = queries.visible_application_ids(user, ids)
    context = {
        "form": form,
        "tab": tab,
        "tab_label": TABS[tab],
        "tabs": [(key, label, counts.get(key)) for key, label in TABS.items()],
        "page": page,
        "visible": visible,
        "program": program,
        "can_receive": access.can_receive_applications(user),
        "days": queries.RECENTLY_DECIDED_DAYS,
    }
    template = "intake/_queue_results.html" if is_partial(request) else "intake/queue.html"
    return render(request, template, context)


# --- new application ----------------------------------------------------------------------------


@login_required
def application_new(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    access.require(
        access.can_receive_applications(user), _("Only intake coordinators receive applications.")
    )
    since = timezone.now() - timedelta(days=RECENT_APPLICANT_DAYS)
    chosen = request.POST.get("client") or request.GET.get("client") or ""
    wanted = Q(created_at__gte=since)
    if chosen.isdigit():
        wanted |= Q(pk=int(chosen))
    clients = access.clients(user).filter(wanted).order_by("-created_at", "-pk")
    programs = access.programs(user).filter(is_active=True)
    if request.method == "POST":
        form = ApplicationForm(request.POST, clients=clients, programs=programs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.application_receive(
                    actor=user,
                    client=data["client"],
                    program=data["program"],
                    team=data["team"],
                    source=data["source"],
                    received_on=data["received_on"],
                    referring_agency=data["referring_agency"],
                    referring_person=data["referring_person"],
                    referring_contact=data["referring_contact"],
                    presenting_needs=data["presenting_needs"],
                    applicant_words=data["applicant_words"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Application received: case %(ref)s is in screening.")
                    % {"ref": application.case.reference},
                )
                return redirect("intake-application", pk=application.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"received_on": timezone.localdate()}
        if chosen.isdigit():
            initial["client"] = int(chosen)
        form = ApplicationForm(initial=initial, clients=clients, programs=programs)
        status = 200
    return render(
        request,
        "intake/application_form.html",
        {
            "form": form,
            "client_search_url": _optional_url("client-list"),
            "client_register_url": _optional_url("client-register"),
            "recent_days": RECENT_APPLICANT_DAYS,
        },
        status=status,
    )


# --- one application --------------------------------------------------------------------------


def _render_application(
    request: AuthenticatedRequest,
    application: Application,
    *,
    bound: dict[str, forms.Form] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    bound = bound or {}
    result = screening.evaluate(
        application.program.eligibility_rules,
        application.screening_answers,
        date_of_birth=application.client.date_of_birth,
        on=application.received_on,
    )
    can_change = application.is_undecided and access.case_allows(
        user, application.case, Action.CHANGE
    )
    can_decide = queries.may_decide(user, application)
    initial = {"expected_version": application.version}
    context: dict[str, Any] = {
        "application": application,
        "case": application.case,
        "client": application.client,
        "result": result,
        "age": application.client.age_on(application.received_on),
        "position": queries.waitlist_position(user, application),
        "decisions": application.decisions.select_related("decided_by", "case_manager"),
        "documents": application.documents.select_related("uploaded_by"),
        "conflict": conflict,
        "can_change": can_change,
        "can_decide": can_decide,
    }
    if can_change:
        context["screening_form"] = bound.get("screening") or ScreeningForm(
            initial={
                **initial,
                **ScreeningForm.initial_for(application.screening_answers),
                "presenting_needs": application.presenting_needs,
                "applicant_words": application.applicant_words,
            },
            rules=application.program.eligibility_rules,
            has_birth_date=application.client.date_of_birth is not None,
        )
        context["document_form"] = bound.get("document") or DocumentForm()
    if can_decide:
        suggestions = queries.suggest_case_managers(user, application)
        context["suggestions"] = suggestions
        context["accept_form"] = bound.get("accept") or AcceptForm(
            initial={
                **initial,
                "case_manager": suggestions[0].user.pk if suggestions else None,
            },
            candidates=[s.user for s in suggestions],
        )
        context["waitlist_form"] = bound.get("waitlist") or WaitlistForm(
            initial={**initial, "priority": application.priority}
        )
        context["decline_form"] = bound.get("decline") or DeclineForm(initial=initial)
    return render(request, "intake/application_detail.html", context, status=status)


@login_required
def application_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_application(request, queries.get_application(request.user, pk))


def _decision_failed(
    request: AuthenticatedRequest,
    application: Application,
    name: str,
    form: forms.Form,
    exc: Exception | None,
) -> HttpResponse:
    if isinstance(exc, ConflictError):
        return _render_application(
            request, application, bound={name: form}, conflict=exc.message, status=409
        )
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc)
    return _render_application(request, application, bound={name: form}, status=400)


@login_required
@require_POST
def application_screening(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    application = queries.get_application(user, pk, Action.CHANGE)
    form = ScreeningForm(
        request.POST,
        rules=application.program.eligibility_rules,
        has_birth_date=application.client.date_of_birth is not None,
    )
    if not form.is_valid():
        return _decision_failed(request, application, "screening", form, None)
    data = form.cleaned_data
    try:
        services.application_update_screening(
            actor=user,
            application=application,
            expected_version=data["expected_version"],
            screening_answers=form.answers(),
            presenting_needs=data["presenting_needs"],
            applicant_words=data["applicant_words"],
        )
    except (ConflictError, ValidationError) as exc:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            # Answer errors come back as screening_answers.<criterion>: put them on the field.
            exc = ValidationError(
                {
                    name.replace("screening_answers.", "answer_"): messages_
                    for name, messages_ in exc.message_dict.items()
                }
            )
        return _decision_failed(request, application, "screening", form, exc)
    messages.success(request, _("Screening answers saved."))
    return redirect("intake-application", pk=application.pk)


@login_required
@require_POST
def application_waitlist(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    application = queries.get_application(user, pk, Action.ASSIGN)
    form = WaitlistForm(request.POST)
    if not form.is_valid():
        return _decision_failed(request, application, "waitlist", form, None)
    data = form.cleaned_data
    try:
        services.application_waitlist(
            actor=user,
            application=application,
            priority=data["priority"],
            expected_version=data["expected_version"],
            notes=data["notes"],
        )
    except (ConflictError, ValidationError) as exc:
        return _decision_failed(request, application, "waitlist", form, exc)
    messages.success(request, _("The application is on the waitlist."))
    return redirect("intake-application", pk=application.pk)


@login_required
@require_POST
def application_accept(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    application = queries.get_application(user, pk, Action.ASSIGN)
    candidates = [s.user for s in queries.suggest_case_managers(user, application)]
    form = AcceptForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return _decision_failed(request, application, "accept", form, None)
    data = form.cleaned_data
    try:
        services.application_accept(
            actor=user,
            application=application,
            case_manager=data["case_manager"],
            expected_version=data["expected_version"],
            notes=data["notes"],
        )
    except (ConflictError, ValidationError) as exc:
        return _decision_failed(request, application, "accept", form, exc)
    screening_team = application.case.team
    application.case.refresh_from_db(fields=["team"])
    words = {
        "ref": application.case.reference,
        "name": data["case_manager"].get_full_name() or data["case_manager"].email,
        "team": application.case.team.name,
        "screening": screening_team.name,
    }
    if application.case.team_id != screening_team.pk:
        message = _(
            "Accepted: case %(ref)s is active with %(name)s, and moved from %(screening)s "
            "to %(team)s."
        )
    else:
        message = _("Accepted: case %(ref)s is active with %(name)s.")
    messages.success(request, message % words)
    return redirect("intake-queue")


@login_required
@require_POST
def application_decline(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    application = queries.get_application(user, pk, Action.ASSIGN)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _decision_failed(request, application, "decline", form, None)
    data = form.cleaned_data
    try:
        services.application_decline(
            actor=user,
            application=application,
            reason=data["reason"],
            referral_elsewhere=data["referral_elsewhere"],
            expected_version=data["expected_version"],
            notes=data["notes"],
        )
    except (ConflictError, ValidationError) as exc:
        return _decision_failed(request, application, "decline", form, exc)
    messages.success(
        request,
        _("Declined: case %(ref)s is closed.") % {"ref": application.case.reference},
    )
    return redirect("intake-queue")


# --- documents ---------------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    application = queries.get_application(user, pk, Action.CHANGE)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _decision_failed(request, application, "document", form, None)
    try:
        services.document_upload(
            actor=user,
            application=application,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as exc:
        return _decision_failed(request, application, "document", form, exc)
    messages.success(request, _("The document is attached."))
    return redirect("intake-application", pk=application.pk)


@login_required
@require_GET
def document_download(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    document = queries.documents(user).select_related("application").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("No such document."))
    services.document_downloaded(actor=user, document=document, via="web")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

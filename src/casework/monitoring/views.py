"""Pages of tasks, appointments, alerts and the calendar feed; the case page's section."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import Role, User
from casework.core.web import AuthenticatedRequest, HomeSection, is_partial, paginate

from . import ical, queries, services
from .forms import TASK_VIEWS, AppointmentForm, AppointmentStatusForm, CaseFlagsForm, TaskForm
from .models import AppointmentStatus, Task, TaskStatus
from .queries import appointment_allows, task_allows

CASE_SECTION_SIZE = 5
HOME_LIST_SIZE = 8
FEED_PAST_DAYS = 60
FEED_LIMIT = 2000


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- the case page's section ----------------------------------------------------------------


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's monitoring section (``monitoring/_case_section.html``)."""
    can_change = case.is_open and access.case_allows(user, case, Action.CHANGE)
    return {
        "monitoring": {
            "tasks": list(queries.case_tasks(user, case)[:CASE_SECTION_SIZE]),
            "appointments": list(queries.case_appointments(user, case)[:CASE_SECTION_SIZE]),
            "can_change": can_change,
            "flags_form": CaseFlagsForm(
                initial={
                    "legal_involvement": case.legal_involvement,
                    "cps_involvement": case.cps_involvement,
                    "aps_involvement": case.aps_involvement,
                    "high_risk": case.high_risk,
                    "expected_version": case.version,
                },
                auto_id="flags-%s",
            )
            if access.can_set_case_flags(user, case)
            else None,
            "today": timezone.localdate(),
        }
    }


@login_required
@require_POST
def case_flags(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE)
    form = CaseFlagsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.case_set_flags(
                actor=user,
                case=case,
                expected_version=data["expected_version"],
                legal_involvement=data["legal_involvement"],
                cps_involvement=data["cps_involvement"],
                aps_involvement=data["aps_involvement"],
                high_risk=data["high_risk"],
            )
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The case's flags are saved."))
    else:
        messages.error(request, _("The form is out of date; reload the page."))
    return redirect(reverse("case-detail", kwargs={"pk": case.pk}) + "#case-monitoring-heading")


# --- home page panels (composed in casework.site.views.HOME_SECTIONS) ---------------------------


def home_alerts(user: User) -> HomeSection | None:
    if not user.organization_id:
        return None
    open_alerts = queries.alerts(user)
    items = list(open_alerts[:HOME_LIST_SIZE])
    if not items and not user.has_role(Role.CASE_MANAGER):
        return None
    count = len(items) if len(items) < HOME_LIST_SIZE else open_alerts.count()
    return HomeSection("core/home/alerts.html", {"alerts": items, "count": count})


def home_appointments(user: User) -> HomeSection | None:
    if not user.has_role(Role.CASE_MANAGER, Role.SUPERVISOR):
        return None
    return HomeSection(
        "core/home/appointments_today.html",
        {"appointments": list(queries.my_day(user)[: HOME_LIST_SIZE * 2])},
    )


def home_tasks(user: User) -> HomeSection | None:
    if not user.has_role(Role.CASE_MANAGER, Role.SUPERVISOR):
        return None
    today = timezone.localdate()
    week = queries.my_tasks(user, "open", today).filter(
        due_on__lte=today + timedelta(days=queries.DUE_SOON_DAYS)
    )
    counts = week.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due=Count("pk", filter=Q(due_on__gte=today)),
    )
    return HomeSection(
        "core/home/tasks.html",
        {"tasks": list(week[:HOME_LIST_SIZE]), "today": today, **counts},
    )


# --- tasks ----------------------------------------------------------------------------------


@login_required
def task_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    show = request.GET.get("show", "open")
    if show not in dict(TASK_VIEWS):
        show = "open"
    page = paginate(request, queries.my_tasks(user, show))
    return render(
        request,
        "monitoring/task_list.html",
        {"page": page, "show": show, "views": TASK_VIEWS, "today": timezone.localdate()},
    )


def _task_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "details": data["details"],
        "assignee": data["assignee"],
        "due_on": data["due_on"],
        "remind_on": data["remind_on"],
        "goal": data.get("goal"),
    }


@login_required
def task_new(request: AuthenticatedRequest, case_id: int | None = None) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE) if case_id is not None else None
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, viewer=user, case=case)
        status = 400
        if form.is_valid():
            try:
                task = services.task_create(
                    actor=user, case=case, **_task_kwargs(form.cleaned_data)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The task is saved."))
                if case is not None:
                    return redirect("case-detail", pk=case.pk)
                return redirect("task-edit", pk=task.pk)
    else:
        form = TaskForm(viewer=user, case=case, initial={"assignee": user.pk})
    return render(request, "monitoring/task_form.html", {"form": form, "case": case}, status=status)


@login_required
def task_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    task = queries.get_task(user, pk)
    can_change = task_allows(user, task, Action.CHANGE)
    context: dict[str, Any] = {"task": task, "case": task.case, "can_change": can_change}
    status = 200
    if request.method == "POST":
        access.require(can_change)
        form = TaskForm(request.POST, viewer=user, case=task.case)
        status = 400
        if form.is_valid():
            try:
                services.task_update(
                    actor=user,
                    task=task,
                    expected_version=form.cleaned_data["expected_version"],
                    **_task_kwargs(form.cleaned_data),
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                context["reload_url"] = reverse("task-edit", kwargs={"pk": task.pk})
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The task is saved."))
                return redirect("task-edit", pk=task.pk)
    else:
        form = TaskForm(
            viewer=user,
            case=task.case,
            initial={
                "title": task.title,
                "details": task.details,
                "assignee": task.assignee_id,
                "due_on": task.due_on,
                "remind_on": task.remind_on,
                "goal": task.goal_id,
                "expected_version": task.version,
            },
        )
    context["form"] = form
    return render(request, "monitoring/task_form.html", context, status=status)


TASK_ACTIONS = {
    "complete": (services.task_complete, _("The task is done.")),
    "reopen": (services.task_reopen, _("The task is open again.")),
    "cancel": (services.task_cancel, _("The task is cancelled.")),
}


@login_required
@require_POST
def task_status(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    user = request.user
    if action not in TASK_ACTIONS:
        raise NotFound
    task = queries.get_task(user, pk)
    service, done = TASK_ACTIONS[action]
    version = request.POST.get("expected_version")
    try:
        service(actor=user, task=task, expected_version=int(version) if version else None)
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_next_url(request, reverse("task-edit", kwargs={"pk": task.pk})))


# --- appointments ---------------------------------------------------------------------------


@login_required
def appointment_list(request: AuthenticatedRequest) -> HttpResponse:
    page = paginate(request, queries.my_upcoming(request.user))
    return render(request, "monitoring/appointment_list.html", {"page": page})


def _appointment_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": data["kind"],
        "title": data["title"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "location": data["location"],
        "attendees": list(data["attendees"]),
    }


@login_required
def appointment_new(request: AuthenticatedRequest, case_id: int | None = None) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE) if case_id is not None else None
    status = 200
    if request.method == "POST":
        form = AppointmentForm(request.POST, viewer=user)
        status = 400
        if form.is_valid():
            try:
                appointment = services.appointment_create(
                    actor=user, case=case, **_appointment_kwargs(form.cleaned_data)
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The appointment is saved."))
                if case is not None:
                    return redirect("case-detail", pk=case.pk)
                return redirect("appointment-edit", pk=appointment.pk)
    else:
        form = AppointmentForm(viewer=user)
    return render(
        request, "monitoring/appointment_form.html", {"form": form, "case": case}, status=status
    )


@login_required
def appointment_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    appointment = queries.get_appointment(user, pk)
    can_change = appointment_allows(user, appointment, Action.CHANGE)
    context: dict[str, Any] = {
        "appointment": appointment,
        "case": appointment.case,
        "can_change": can_change,
        "attendees": list(appointment.attendees.order_by("last_name", "first_name")),
        "status_form": AppointmentStatusForm(
            initial={"status": appointment.status, "expected_version": appointment.version}
        ),
    }
    status = 200
    if request.method == "POST":
        access.require(can_change)
        form = AppointmentForm(request.POST, viewer=user)
        status = 400
        if form.is_valid():
            try:
                services.appointment_update(
                    actor=user,
                    appointment=appointment,
                    expected_version=form.cleaned_data["expected_version"],
                    **_appointment_kwargs(form.cleaned_data),
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                context["reload_url"] = reverse("appointment-edit", kwargs={"pk": pk})
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The appointment is saved."))
                return redirect("appointment-edit", pk=pk)
    else:
        local_start = timezone.localtime(appointment.starts_at)
        form = AppointmentForm(
            viewer=user,
            initial={
                "kind": appointment.kind,
                "title": appointment.title,
                "starts_at": local_start,
                "ends_at": timezone.localtime(appointment.ends_at),
                "location": appointment.location,
                "attendees": [u.pk for u in context["attendees"]],
                "expected_version": appointment.version,
            },
        )
    context["form"] = form
    return render(request, "monitoring/appointment_form.html", context, status=status)


@login_required
@require_POST
def appointment_status(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    appointment = queries.get_appointment(user, pk)
    form = AppointmentStatusForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_set_status(
                actor=user,
                appointment=appointment,
                status=form.cleaned_data["status"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The appointment's status is saved."))
    else:
        messages.error(request, _("Choose a status from the list."))
    return redirect("appointment-edit", pk=pk)


# --- alerts ---------------------------------------------------------------------------------


@login_required
def alert_list(request: AuthenticatedRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    page = paginate(request, queries.alerts(request.user, include_dismissed=show_all))
    return render(request, "monitoring/alert_list.html", {"page": page, "show_all": show_all})


@login_required
@require_POST
def alert_dismiss(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    services.alert_dismiss(actor=user, alert=queries.get_alert(user, pk))
    if is_partial(request):
        # The row goes; the live region says so.
        return HttpResponse("")
    messages.success(request, _("The alert is dismissed."))
    return redirect(_next_url(request, reverse("alert-list")))


# --- calendar feed --------------------------------------------------------------------------


@login_required
@never_cache
def calendar_settings(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    secret = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(actor=user)
            messages.success(request, _("Your calendar address no longer works."))
        else:
            _feed, secret = services.calendar_feed_create(actor=user)
    feed = queries.active_calendar_feed(user)
    feed_url = (
        request.build_absolute_uri(reverse("calendar-feed", kwargs={"secret": secret}))
        if secret
        else ""
    )
    return render(
        request, "monitoring/calendar_settings.html", {"feed": feed, "feed_url": feed_url}
    )


@never_cache
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed itself: no sign-in (calendar apps cannot), the secret address is the key."""
    feed = queries.feed_by_secret(secret)
    if feed is None:
        raise Http404
    user = feed.user
    now = timezone.now()
    since = now - timedelta(days=FEED_PAST_DAYS)
    appointments = list(
        queries.attending(user)
        .filter(ends_at__gte=since)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
    tasks = list(
        Task.objects.select_related("case")
        .filter(
            assignee=user,
            organization_id=feed.organization_id,
            status=TaskStatus.OPEN,
            due_on__gte=since.date(),
        )
        .order_by("due_on", "pk")[:FEED_LIMIT]
    )
    type(feed).objects.filter(pk=feed.pk).update(last_used_at=now)
    body = ical.render(
        name=_("Casework"),
        host=request.get_host().split(":")[0],
        base_url=request.build_absolute_uri("/").rstrip("/"),
        appointments=appointments,
        tasks=tasks,
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="casework.ics"'
    return response

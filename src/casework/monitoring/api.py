"""REST API for tasks, appointments, alerts, calendar feeds and case flags (/api/v1/).

No ``from __future__ import annotations``: django-ninja reads the ``Query[...]``
annotations at runtime.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.api_auth import request_user
from casework.core.models import User
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, services
from .models import Alert, Appointment, Task
from .schemas import (
    AlertFilter,
    AlertOut,
    AppointmentFilter,
    AppointmentIn,
    AppointmentOut,
    AppointmentStatusIn,
    AppointmentUpdateIn,
    CalendarFeedOut,
    CaseFlagsIn,
    CaseFlagsOut,
    TaskFilter,
    TaskIn,
    TaskOut,
    TaskUpdateIn,
    TaskVersionIn,
)

router = Router(tags=["monitoring"])


def _staff(user: User, pk: int, field: str) -> User:
    found = access.users(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No member of your agency has this id.")})
    return found


def _goal(case: Case | None, pk: int | None) -> Any:
    if pk is None:
        return None
    from casework.plans.models import Goal

    goal = Goal.objects.filter(pk=pk, case=case).first() if case is not None else None
    if goal is None:
        raise ValidationError({"goal": _("Choose a goal of this case's plan.")})
    return goal


# --- tasks ----------------------------------------------------------------------------------


@router.get("/tasks", response=with_errors({200: list[TaskOut]}, 404), tags=["tasks"])
@paginate(PageNumberPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilter]) -> QuerySet[Task]:
    """Your tasks: ``show`` is open (default), due (this week), overdue, done or cancelled.
    With ``case``: that case's open tasks, whoever they are assigned to."""
    user = request_user(request)
    if filters.case is not None:
        case = access.get_case(user, filters.case)
        return queries.case_tasks(user, case)
    return queries.my_tasks(user, filters.show)


@router.post("/tasks", response=with_errors({201: TaskOut}, 403, 404), tags=["tasks"])
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Task]:
    user = request_user(request)
    case = access.get_case(user, payload.case) if payload.case is not None else None
    assignee = _staff(user, payload.assignee, "assignee") if payload.assignee else user
    task = services.task_create(
        actor=user,
        case=case,
        goal=_goal(case, payload.goal),
        title=payload.title,
        details=payload.details,
        assignee=assignee,
        due_on=payload.due_on,
        remind_on=payload.remind_on,
    )
    return Status(201, queries.get_task(user, task.pk))


@router.get("/tasks/{task_id}", response=with_errors({200: TaskOut}, 404), tags=["tasks"])
def get_task(request: HttpRequest, task_id: int) -> Task:
    return queries.get_task(request_user(request), task_id)


@router.patch(
    "/tasks/{task_id}", response=with_errors({200: TaskOut}, 403, 404, 409), tags=["tasks"]
)
def update_task(request: HttpRequest, task_id: int, payload: TaskUpdateIn) -> Task:
    user = request_user(request)
    task = queries.get_task(user, task_id)
    services.task_update(
        actor=user,
        task=task,
        expected_version=payload.version,
        title=payload.title,
        details=payload.details,
        assignee=_staff(user, payload.assignee, "assignee"),
        goal=_goal(task.case, payload.goal),
        due_on=payload.due_on,
        remind_on=payload.remind_on,
    )
    return queries.get_task(user, task_id)


TASK_ACTIONS = {
    "complete": services.task_complete,
    "reopen": services.task_reopen,
    "cancel": services.task_cancel,
}


@router.post(
    "/tasks/{task_id}/{action}",
    response=with_errors({200: TaskOut}, 403, 404, 409),
    tags=["tasks"],
)
def change_task_status(
    request: HttpRequest, task_id: int, action: str, payload: TaskVersionIn
) -> Task:
    """``action`` is complete, reopen or cancel."""
    user = request_user(request)
    service = TASK_ACTIONS.get(action)
    task = queries.get_task(user, task_id)
    if service is None:
        raise ValidationError({"action": _("Use complete, reopen or cancel.")})
    service(actor=user, task=task, expected_version=payload.version)
    return queries.get_task(user, task_id)


# --- appointments ---------------------------------------------------------------------------


@router.get(
    "/appointments", response=with_errors({200: list[AppointmentOut]}, 404), tags=["appointments"]
)
@paginate(PageNumberPagination)
def list_appointments(
    request: HttpRequest, filters: Query[AppointmentFilter]
) -> QuerySet[Appointment]:
    """Your upcoming appointments (organized or attended); with ``case``, that case's."""
    user = request_user(request)
    if filters.case is not None:
        qs = queries.case_appointments(user, access.get_case(user, filters.case))
    else:
        qs = queries.my_upcoming(user)
    return qs.prefetch_related("attendees")


def _attendees(user: User, ids: list[int]) -> list[User]:
    return [_staff(user, pk, "attendees") for pk in dict.fromkeys(ids)]


@router.post(
    "/appointments",
    response=with_errors({201: AppointmentOut}, 403, 404),
    tags=["appointments"],
)
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Status[Appointment]:
    user = request_user(request)
    case = access.get_case(user, payload.case) if payload.case is not None else None
    appointment = services.appointment_create(
        actor=user,
        case=case,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        attendees=_attendees(user, payload.attendees),
    )
    return Status(201, queries.get_appointment(user, appointment.pk))


@router.get(
    "/appointments/{appointment_id}",
    response=with_errors({200: AppointmentOut}, 404),
    tags=["appointments"],
)
def get_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    return queries.get_appointment(request_user(request), appointment_id)


@router.patch(
    "/appointments/{appointment_id}",
    response=with_errors({200: AppointmentOut}, 403, 404, 409),
    tags=["appointments"],
)
def update_appointment(
    request: HttpRequest, appointment_id: int, payload: AppointmentUpdateIn
) -> Appointment:
    user = request_user(request)
    appointment = queries.get_appointment(user, appointment_id)
    services.appointment_update(
        actor=user,
        appointment=appointment,
        expected_version=payload.version,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        attendees=_attendees(user, payload.attendees),
    )
    return queries.get_appointment(user, appointment_id)


@router.post(
    "/appointments/{appointment_id}/status",
    response=with_errors({200: AppointmentOut}, 403, 404, 409),
    tags=["appointments"],
)
def set_appointment_status(
    request: HttpRequest, appointment_id: int, payload: AppointmentStatusIn
) -> Appointment:
    """Attended, missed, cancelled, or scheduled again."""
    user = request_user(request)
    appointment = queries.get_appointment(user, appointment_id)
    services.appointment_set_status(
        actor=user, appointment=appointment, status=payload.status, expected_version=payload.version
    )
    return queries.get_appointment(user, appointment_id)


# --- alerts ---------------------------------------------------------------------------------


@router.get("/alerts", response=with_errors({200: list[AlertOut]}), tags=["alerts"])
@paginate(PageNumberPagination)
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> QuerySet[Alert]:
    """Your alerts, newest first; open ones only unless ``include_dismissed``."""
    return queries.alerts(request_user(request), include_dismissed=filters.include_dismissed)


@router.post(
    "/alerts/{alert_id}/dismiss", response=with_errors({200: AlertOut}, 404), tags=["alerts"]
)
def dismiss_alert(request: HttpRequest, alert_id: int) -> Alert:
    """You have seen to it. Dismissing twice is harmless."""
    user = request_user(request)
    return services.alert_dismiss(actor=user, alert=queries.get_alert(user, alert_id))


# --- calendar feed --------------------------------------------------------------------------


@router.post("/calendar-feed", response=with_errors({201: CalendarFeedOut}, 403), tags=["calendar"])
def create_calendar_feed(request: HttpRequest) -> Status[dict[str, Any]]:
    """A new secret calendar address (iCalendar) for your appointments and task due dates.
    Any earlier address stops working. The address is in this response and nowhere else."""
    feed, secret = services.calendar_feed_create(actor=request_user(request))
    url = request.build_absolute_uri(reverse("calendar-feed", kwargs={"secret": secret}))
    return Status(201, {"url": url, "created_at": feed.created_at})


@router.delete("/calendar-feed", response=with_errors({204: None}), tags=["calendar"])
def revoke_calendar_feed(request: HttpRequest) -> Status[None]:
    """Stop your calendar address. Harmless when there is none."""
    services.calendar_feed_revoke(actor=request_user(request))
    return Status(204, None)


# --- case flags -----------------------------------------------------------------------------


@router.put(
    "/cases/{case_id}/flags",
    response=with_errors({200: CaseFlagsOut}, 403, 404, 409),
    tags=["cases"],
)
def set_case_flags(request: HttpRequest, case_id: int, payload: CaseFlagsIn) -> Case:
    """Legal, CPS and APS involvement and high risk, all four at once."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    return services.case_set_flags(
        actor=user,
        case=case,
        expected_version=payload.version,
        legal_involvement=payload.legal_involvement,
        cps_involvement=payload.cps_involvement,
        aps_involvement=payload.aps_involvement,
        high_risk=payload.high_risk,
    )

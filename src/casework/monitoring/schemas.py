"""Request and response shapes of the tasks, appointments, alerts and calendar API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from casework.core.schemas import Input, StaffRef

from .models import AlertKind, AppointmentKind, AppointmentStatus, TaskStatus


class CaseNumberRef(Schema):
    id: int
    reference: str


class TaskOut(Schema):
    id: int
    case: CaseNumberRef | None
    goal: int | None = Field(description="Id of the plan goal the task serves.")
    title: str
    details: str
    due_on: date | None
    remind_on: date | None
    assignee: StaffRef
    status: TaskStatus
    completed_at: datetime | None
    version: int = Field(description="For optimistic concurrency: send it back when changing.")

    @staticmethod
    def resolve_goal(obj: Any) -> int | None:
        value: int | None = obj.goal_id
        return value


class TaskIn(Input):
    title: str = Field(max_length=200)
    assignee: int = Field(description="Staff id; yourself if left out.", default=0)
    case: int | None = None
    goal: int | None = None
    details: str = ""
    due_on: date | None = None
    remind_on: date | None = None


class TaskUpdateIn(Input):
    title: str = Field(max_length=200)
    assignee: int
    goal: int | None = None
    details: str = ""
    due_on: date | None = None
    remind_on: date | None = None
    version: int = Field(description="The version you loaded; a newer saved one gives 409.")


class TaskVersionIn(Input):
    version: int | None = None


class AppointmentOut(Schema):
    id: int
    case: CaseNumberRef | None
    organizer: StaffRef
    attendees: list[StaffRef]
    kind: AppointmentKind
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: AppointmentStatus
    version: int

    @staticmethod
    def resolve_attendees(obj: Any) -> list[Any]:
        return list(obj.attendees.all())


class AppointmentIn(Input):
    kind: AppointmentKind = AppointmentKind.OTHER
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    location: str = Field("", max_length=200)
    case: int | None = None
    attendees: list[int] = []


class AppointmentUpdateIn(Input):
    kind: AppointmentKind
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    location: str = Field("", max_length=200)
    attendees: list[int] = []
    version: int


class AppointmentStatusIn(Input):
    status: AppointmentStatus
    version: int | None = None


class AlertOut(Schema):
    id: int
    kind: AlertKind
    case: CaseNumberRef | None
    message: str
    link: str
    created_at: datetime
    dismissed_at: datetime | None


class CalendarFeedOut(Schema):
    url: str = Field(description="The secret address: shown only in this response.")
    created_at: datetime


class CaseFlagsIn(Input):
    legal_involvement: bool
    cps_involvement: bool
    aps_involvement: bool
    high_risk: bool
    version: int | None = None


class CaseFlagsOut(Schema):
    id: int
    reference: str
    legal_involvement: bool
    cps_involvement: bool
    aps_involvement: bool
    high_risk: bool
    version: int


class TaskFilter(Schema):
    show: Literal["open", "due", "overdue", "done", "cancelled"] = Field(
        "open", description="open, due (within a week), overdue, done or cancelled."
    )
    case: int | None = Field(None, description="A case's open tasks instead of yours.")


class AppointmentFilter(Schema):
    case: int | None = Field(None, description="A case's upcoming appointments instead of yours.")


class AlertFilter(Schema):
    include_dismissed: bool = False

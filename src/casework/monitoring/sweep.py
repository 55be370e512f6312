"""The monitoring sweep: raise the alerts that time alone brings about.

No contact with a client for too long, a plan review coming due, an objective past
its target date, a task overdue or due for its reminder. Each kind is found with one
query over the whole agency (or all agencies) and its alerts are inserted in bulk, so
the sweep runs the same few queries whatever the number of cases. Alert keys carry
the date they are about, so a second run raises nothing new and a later lapse (after
a new contact, say) raises a new alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.clients.models import Case, CaseStatus
from casework.core.models import Program
from casework.plans.queries import overdue_objectives

from .models import Alert, AlertKind, Task, TaskStatus

REVIEW_DUE_WITHIN_DAYS = 7
CHUNK = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class Candidate:
    organization_id: int
    recipient_id: int
    case_id: int | None
    key: str
    message: str
    link: str


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raise(kind: AlertKind, candidates: Iterable[Candidate]) -> int:
    """Insert the alerts not raised before; return how many are new."""
    wanted = {(c.recipient_id, c.key): c for c in candidates}
    if not wanted:
        return 0
    existing: set[tuple[int, str]] = set()
    for keys in _chunks(sorted({key for _recipient, key in wanted})):
        existing.update(
            Alert.objects.filter(kind=kind, key__in=keys).values_list("recipient_id", "key")
        )
    new = [c for ident, c in wanted.items() if ident not in existing]
    Alert.objects.bulk_create(
        [
            Alert(
                organization_id=c.organization_id,
                recipient_id=c.recipient_id,
                case_id=c.case_id,
                kind=kind,
                key=c.key,
                message=c.message[:300],
                link=c.link,
            )
            for c in new
        ],
        batch_size=500,
        # a sweep running at the same moment may have inserted some of them
        ignore_conflicts=True,
    )
    return len(new)


def _scope(qs: Any, organization_id: int | None) -> Any:
    return qs if organization_id is None else qs.filter(organization_id=organization_id)


def _case_link(case_id: int) -> str:
    return reverse("case-detail", kwargs={"pk": case_id})


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def no_contact(today: date, organization_id: int | None = None) -> int:
    """Active cases whose last contact (or opening) is older than their program allows."""
    limits = sorted(
        set(
            _scope(Program.objects.all(), organization_id).values_list(
                "no_contact_alert_days", flat=True
            )
        )
    )
    if not limits:
        return 0
    lapsed = Q()
    for days in limits:
        lapsed |= Q(program__no_contact_alert_days=days, since__lt=today - timedelta(days=days))
    rows = (
        _scope(Case.objects.all(), organization_id)
        .filter(status=CaseStatus.ACTIVE, case_manager__is_active=True)
        .annotate(since=Coalesce("last_contact_on", "opened_on"))
        .filter(lapsed)
        .values_list("pk", "organization_id", "case_manager_id", "reference", "since")
    )
    return _raise(
        AlertKind.NO_CONTACT,
        (
            Candidate(
                organization_id=org,
                recipient_id=manager,
                case_id=pk,
                key=f"no_contact:case:{pk}:{since.isoformat()}",
                message=_("No contact recorded on case %(ref)s since %(date)s.")
                % {"ref": ref, "date": _day(since)},
                link=_case_link(pk),
            )
            for pk, org, manager, ref, since in rows
        ),
    )


def review_due(today: date, organization_id: int | None = None) -> int:
    """Active cases whose plan review is due within a week, or past due."""
    rows = (
        _scope(Case.objects.all(), organization_id)
        .filter(
            status=CaseStatus.ACTIVE,
            case_manager__is_active=True,
            next_review_on__lte=today + timedelta(days=REVIEW_DUE_WITHIN_DAYS),
        )
        .values_list("pk", "organization_id", "case_manager_id", "reference", "next_review_on")
    )
    return _raise(
        AlertKind.REVIEW_DUE,
        (
            Candidate(
                organization_id=org,
                recipient_id=manager,
                case_id=pk,
                key=f"review_due:case:{pk}:{due.isoformat()}",
                message=_("The plan review of case %(ref)s is due on %(date)s.")
                % {"ref": ref, "date": _day(due)},
                link=_case_link(pk),
            )
            for pk, org, manager, ref, due in rows
        ),
    )


def objective_overdue(today: date, organization_id: int | None = None) -> int:
    """Objectives of approved plans past their target date (the plans app finds them)."""
    objectives = _scope(overdue_objectives(today=today), organization_id)
    rows = objectives.filter(
        goal__case__status=CaseStatus.ACTIVE,
        goal__case__case_manager__is_active=True,
    ).values_list(
        "pk",
        "goal__case__organization_id",
        "goal__case__case_manager_id",
        "goal__case_id",
        "goal__case__reference",
        "target_date",
    )
    return _raise(
        AlertKind.OBJECTIVE_OVERDUE,
        (
            Candidate(
                organization_id=org,
                recipient_id=manager,
                case_id=case_id,
                key=f"objective_overdue:objective:{pk}:{target.isoformat()}",
                message=_("An objective of case %(ref)s was due on %(date)s.")
                % {"ref": ref, "date": _day(target)},
                link=_case_link(case_id),
            )
            for pk, org, manager, case_id, ref, target in rows
        ),
    )


def _task_rows(qs: Any) -> Any:
    return qs.values_list(
        "pk", "organization_id", "assignee_id", "case_id", "case__reference", "due_on", "remind_on"
    )


def _task_link(pk: int) -> str:
    return reverse("task-edit", kwargs={"pk": pk})


def task_overdue(today: date, organization_id: int | None = None) -> int:
    """Open tasks past their due date: to the person they are assigned to."""
    rows = _task_rows(
        _scope(Task.objects.all(), organization_id).filter(
            status=TaskStatus.OPEN, due_on__lt=today, assignee__is_active=True
        )
    )

    def message(ref: str | None, due: date) -> str:
        if ref:
            return _("A task on case %(ref)s was due on %(date)s.") % {
                "ref": ref,
                "date": _day(due),
            }
        return _("A task of yours was due on %(date)s.") % {"date": _day(due)}

    return _raise(
        AlertKind.TASK_OVERDUE,
        (
            Candidate(
                organization_id=org,
                recipient_id=assignee,
                case_id=case_id,
                key=f"task_overdue:task:{pk}:{due.isoformat()}",
                message=message(ref, due),
                link=_task_link(pk),
            )
            for pk, org, assignee, case_id, ref, due, _remind in rows
        ),
    )


def task_reminder(today: date, organization_id: int | None = None) -> int:
    """Open tasks whose reminder date has come (and that are not overdue yet)."""
    rows = _task_rows(
        _scope(Task.objects.all(), organization_id)
        .filter(status=TaskStatus.OPEN, remind_on__lte=today, assignee__is_active=True)
        .exclude(due_on__lt=today)
    )

    def message(ref: str | None, due: date | None) -> str:
        when = _day(due) if due else _("no set date")
        if ref:
            return _("Reminder: a task on case %(ref)s is due %(date)s.") % {
                "ref": ref,
                "date": when,
            }
        return _("Reminder: a task of yours is due %(date)s.") % {"date": when}

    return _raise(
        AlertKind.TASK_REMINDER,
        (
            Candidate(
                organization_id=org,
                recipient_id=assignee,
                case_id=case_id,
                key=f"task_reminder:task:{pk}:{remind.isoformat()}",
                message=message(ref, due),
                link=_task_link(pk),
            )
            for pk, org, assignee, case_id, ref, due, remind in rows
        ),
    )


def run(*, today: date | None = None, organization_id: int | None = None) -> dict[str, int]:
    """Raise every kind of alert due ``today``; return how many new alerts of each kind."""
    day = today or timezone.localdate()
    return {
        AlertKind.NO_CONTACT.value: no_contact(day, organization_id),
        AlertKind.REVIEW_DUE.value: review_due(day, organization_id),
        AlertKind.OBJECTIVE_OVERDUE.value: objective_overdue(day, organization_id),
        AlertKind.TASK_OVERDUE.value: task_overdue(day, organization_id),
        AlertKind.TASK_REMINDER.value: task_reminder(day, organization_id),
    }

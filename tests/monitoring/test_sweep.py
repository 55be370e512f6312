"""The sweep raises each kind of alert once, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.monitoring import sweep
from casework.monitoring.models import Alert, AlertKind, TaskStatus
from casework.monitoring.tasks import run_sweep, schedule_periodic_sweep
from tests.factories import CaseFactory, TaskFactory
from tests.helpers import count_queries
from tests.personas import Personas

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 30)


@pytest.fixture
def quiet(personas: Personas) -> Personas:
    """Personas whose cases had contact today: nothing to alert about yet."""
    Case.objects.update(last_contact_on=TODAY, next_review_on=None)
    return personas


def _kinds(user: Any) -> list[str]:
    return sorted(Alert.objects.filter(recipient=user).values_list("kind", flat=True))


def test_nothing_is_raised_when_everything_is_in_order(quiet: Personas) -> None:
    counts = sweep.run(today=TODAY)
    assert set(counts) == {k.value for k in AlertKind} - {
        AlertKind.EMERGENCY_NOTE,
        AlertKind.PLAN_SUBMITTED,
        AlertKind.PLAN_RETURNED,
        AlertKind.BREAK_GLASS,
        AlertKind.REFERRAL_ANSWER,
    }
    assert sum(counts.values()) == 0
    assert not Alert.objects.exists()


def test_no_contact_for_longer_than_the_program_allows_alerts_the_case_manager(
    quiet: Personas,
) -> None:
    p = quiet
    p.program.no_contact_alert_days = 30
    p.program.save()
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=31))
    Case.objects.filter(pk=p.colleague_case.pk).update(last_contact_on=TODAY - timedelta(days=30))
    counts = sweep.run(today=TODAY)
    assert counts["no_contact"] == 1
    alert = Alert.objects.get()
    assert alert.recipient == p.case_manager
    assert alert.case == p.case
    assert p.case.reference in alert.message
    assert p.case.client.last_name not in alert.message
    assert alert.link == f"/cases/{p.case.pk}/"


def test_a_case_without_any_contact_counts_from_its_opening(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(
        last_contact_on=None, opened_on=TODAY - timedelta(days=40)
    )
    Case.objects.filter(pk=p.colleague_case.pk).update(
        last_contact_on=None, opened_on=TODAY - timedelta(days=5)
    )
    assert sweep.run(today=TODAY)["no_contact"] == 1
    assert _kinds(p.case_manager) == ["no_contact"]


def test_each_program_has_its_own_limit(quiet: Personas) -> None:
    p = quiet
    strict = CaseFactory(
        team__organization=p.agency,
        team__program__organization=p.agency,
        team__program__no_contact_alert_days=7,
        case_manager=p.colleague,
        last_contact_on=TODAY - timedelta(days=8),
    )
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=8))
    sweep.run(today=TODAY)
    assert list(Alert.objects.values_list("case_id", flat=True)) == [strict.pk]


def test_only_active_cases_are_watched(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(
        last_contact_on=TODAY - timedelta(days=90), status=CaseStatus.ON_HOLD
    )
    assert sweep.run(today=TODAY)["no_contact"] == 0


def test_a_plan_review_due_within_a_week_or_past_alerts_the_case_manager(
    quiet: Personas,
) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(next_review_on=TODAY + timedelta(days=7))
    Case.objects.filter(pk=p.colleague_case.pk).update(next_review_on=TODAY + timedelta(days=8))
    assert sweep.run(today=TODAY)["review_due"] == 1
    assert _kinds(p.case_manager) == ["review_due"]
    Case.objects.filter(pk=p.colleague_case.pk).update(next_review_on=TODAY - timedelta(days=3))
    assert sweep.run(today=TODAY)["review_due"] == 1
    assert _kinds(p.colleague) == ["review_due"]


def test_an_overdue_task_alerts_its_assignee(quiet: Personas) -> None:
    p = quiet
    TaskFactory(case=p.case, assignee=p.supervisor, due_on=TODAY - timedelta(days=1))
    TaskFactory(case=p.case, due_on=TODAY)
    TaskFactory(case=p.case, due_on=TODAY - timedelta(days=9), status=TaskStatus.DONE)
    assert sweep.run(today=TODAY)["task_overdue"] == 1
    alert = Alert.objects.get(kind=AlertKind.TASK_OVERDUE)
    assert alert.recipient == p.supervisor
    assert p.case.reference in alert.message
    assert "landlord" not in alert.message


def test_a_task_reminder_comes_on_its_date(quiet: Personas) -> None:
    p = quiet
    TaskFactory(case=None, organization=p.agency, assignee=p.colleague, remind_on=TODAY)
    TaskFactory(case=p.case, remind_on=TODAY + timedelta(days=1))
    assert sweep.run(today=TODAY)["task_reminder"] == 1
    assert _kinds(p.colleague) == ["task_reminder"]


def _objective(p: Personas, target: date, case: Case | None = None) -> Any:
    from casework.plans.models import Goal, Objective, PlanStatus, ServicePlan

    case = case or p.case
    plan, _ = ServicePlan.objects.get_or_create(
        case=case,
        defaults={
            "organization": p.agency,
            "status": PlanStatus.APPROVED,
            "created_by": p.case_manager,
        },
    )
    goal, _ = Goal.objects.get_or_create(
        plan=plan, defaults={"organization": p.agency, "case": case, "client_words": "A home"}
    )
    return Objective.objects.create(
        organization=p.agency, goal=goal, description="Apply for housing", target_date=target
    )


def test_an_objective_past_its_target_date_alerts_the_case_manager(quiet: Personas) -> None:
    p = quiet
    objective = _objective(p, TODAY - timedelta(days=1))
    _objective(p, TODAY)
    assert sweep.run(today=TODAY)["objective_overdue"] == 1
    alert = Alert.objects.get(kind=AlertKind.OBJECTIVE_OVERDUE)
    assert alert.recipient == p.case_manager
    assert str(objective.pk) in alert.key
    assert "housing" not in alert.message


def test_a_second_sweep_raises_nothing_new(quiet: Personas) -> None:
    p = quiet
    Case.objects.update(last_contact_on=TODAY - timedelta(days=60), next_review_on=TODAY)
    TaskFactory(case=p.case, due_on=TODAY - timedelta(days=2), remind_on=TODAY - timedelta(days=3))
    first = sweep.run(today=TODAY)
    assert first["no_contact"] == 3  # the case manager's, the colleague's, the outsider's
    assert first["review_due"] == 3
    assert first["task_overdue"] == 1
    total = Alert.objects.count()
    assert sum(sweep.run(today=TODAY).values()) == 0
    assert sum(sweep.run(today=TODAY + timedelta(days=1)).values()) == 0
    assert Alert.objects.count() == total


def test_a_new_lapse_after_a_contact_raises_a_new_alert(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=40))
    sweep.run(today=TODAY)
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=5))
    assert sweep.run(today=TODAY + timedelta(days=30))["no_contact"] == 1
    assert Alert.objects.filter(kind=AlertKind.NO_CONTACT).count() == 2


def test_a_dismissed_alert_is_not_raised_again(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=40))
    sweep.run(today=TODAY)
    Alert.objects.update(dismissed_at=timezone.now())
    assert sweep.run(today=TODAY)["no_contact"] == 0


def _something_of_every_kind(p: Personas, n: int) -> Callable[[], None]:
    def grow() -> None:
        for _ in range(n):
            case = CaseFactory(
                team=p.team,
                case_manager=p.case_manager,
                last_contact_on=TODAY - timedelta(days=45),
                next_review_on=TODAY,
            )
            TaskFactory(case=case, due_on=TODAY - timedelta(days=1))
            TaskFactory(case=case, due_on=TODAY + timedelta(days=2), remind_on=TODAY)
            _objective(p, TODAY - timedelta(days=1), case)

    return grow


def test_the_sweep_runs_the_same_queries_whatever_the_number_of_cases(quiet: Personas) -> None:
    p = quiet
    _something_of_every_kind(p, 2)()
    small, counts = count_queries(lambda: sweep.run(today=TODAY))
    assert counts["no_contact"] == 2
    _something_of_every_kind(p, 12)()
    large, counts = count_queries(lambda: sweep.run(today=TODAY))
    assert counts == {
        "no_contact": 12,
        "review_due": 12,
        "objective_overdue": 12,
        "task_overdue": 12,
        "task_reminder": 12,
    }
    assert large == small
    assert small <= 16  # at most four per kind: find, look up existing keys, insert


def test_the_sweep_task_reports_counts(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=timezone.localdate() - timedelta(90))
    result = run_sweep.call()
    assert result["no_contact"] == 1


def test_casework_sweep_prints_counts_and_takes_a_date(quiet: Personas) -> None:
    p = quiet
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=TODAY - timedelta(days=90))
    out = StringIO()
    call_command("sweep", "--date", TODAY.isoformat(), stdout=out)
    assert "no_contact: 1" in out.getvalue()
    assert "1 new alerts." in out.getvalue()


def test_the_worker_queues_the_repeating_sweep_once(quiet: Personas) -> None:
    from django_tasks_db.models import DBTaskResult

    assert schedule_periodic_sweep(15) is True
    assert schedule_periodic_sweep(15) is False
    assert DBTaskResult.objects.count() == 1


def test_the_repeating_sweep_queues_its_next_run(quiet: Personas) -> None:
    from django_tasks_db.models import DBTaskResult

    from casework.monitoring.tasks import run_sweep_every

    before = timezone.now()
    run_sweep_every.call(15)
    queued = DBTaskResult.objects.get()
    assert queued.run_after >= before + timedelta(minutes=15)
    assert schedule_periodic_sweep(15) is False


@pytest.mark.django_db(transaction=True)
def test_casework_worker_runs_the_sweep_and_queues_the_next_one(personas: Personas) -> None:
    from django_tasks_db.models import DBTaskResult

    p = personas
    Case.objects.exclude(pk=p.case.pk).update(last_contact_on=timezone.localdate())
    Case.objects.filter(pk=p.case.pk).update(last_contact_on=timezone.localdate() - timedelta(90))
    call_command("worker", "--max-tasks", "1", "--interval", "0", "--sweep-every", "30")
    assert _kinds(p.case_manager) == ["no_contact"]
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after > timezone.now() + timedelta(minutes=29)

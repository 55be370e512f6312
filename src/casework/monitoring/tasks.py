"""Background work of monitoring (Django Tasks, run by ``casework worker``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task

from . import sweep


@task()
def run_sweep() -> dict[str, int]:
    """Raise the alerts due today (no contact, reviews, objectives, tasks); counts by kind."""
    return sweep.run()


@task()
def run_sweep_every(minutes: int) -> dict[str, int]:
    """The sweep, then the same again ``minutes`` later: how ``casework worker`` repeats it."""
    counts = sweep.run()
    run_sweep_every.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue(minutes)
    return counts


def schedule_periodic_sweep(minutes: int) -> bool:
    """Queue the repeating sweep unless one is already waiting; True if queued now.

    Called when a worker starts: with several workers, the first one queues it and the
    others find it waiting (a rare double start only runs an idempotent sweep twice).
    """
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=run_sweep_every.module_path, status=TaskResultStatus.READY
    ).exists()
    if waiting:
        return False
    run_sweep_every.enqueue(minutes)
    return True

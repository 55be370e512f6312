"""``casework worker``: the background worker (django-tasks, database backend)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run queued background work (reminders, alerts, emails) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            default="*",
            help="Queues to work on, comma-separated; * for all (default).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued now, then exit (for cron or scripts).",
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="Exit after this many tasks."
        )
        parser.add_argument(
            "--sweep-every",
            type=int,
            default=int(os.environ.get("CASEWORK_SWEEP_EVERY_MINUTES", "15")),
            metavar="MINUTES",
            help=(
                "Run the monitoring sweep (alerts) this often; 0 to leave it to cron "
                "(casework sweep). Default 15, or CASEWORK_SWEEP_EVERY_MINUTES."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sweep_every"] > 0 and not options["batch"]:
            from casework.monitoring.tasks import schedule_periodic_sweep

            schedule_periodic_sweep(options["sweep_every"])
        call_command(
            "db_worker",
            queue_name=options["queue"],
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            # Reloading on code changes can cut a task off mid-way; never in production.
            reload=False,
            startup_delay=not options["batch"],
            verbosity=options["verbosity"],
        )

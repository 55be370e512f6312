"""``casework sweep``: raise the alerts due today, once (for cron or by hand)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.monitoring import sweep


class Command(BaseCommand):
    help = (
        "Raise the alerts due today: no recent contact, plan reviews due, objectives and "
        "tasks overdue, task reminders. Safe to run as often as you like."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", default=None, help="Sweep as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must look like 2026-11-30.") from exc
        counts = sweep.run(today=today)
        for kind, n in counts.items():
            self.stdout.write(f"{kind}: {n}")
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values())} new alerts."))

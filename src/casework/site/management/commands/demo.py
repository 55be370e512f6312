"""``casework demo``: a working Casework with a believable demo agency, in one command."""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from casework.clients.models import Case, CaseStatus
from casework.core.management.commands.serve import serve
from casework.core.models import Organization
from casework.site import demo


class Command(BaseCommand):
    help = "Prepare the database, seed a demo agency (synthetic data) once, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve",
            action="store_false",
            dest="serve",
            help="Prepare and seed only; do not start the web server.",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=min(2, os.cpu_count() or 1), help="Web worker processes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if Organization.objects.exists():
            self.stdout.write("The database already holds agency data: not seeding it again.")
        else:
            self.stdout.write(
                f"Creating the demo agency {demo.AGENCY_NAME} (synthetic data) in "
                f"{len(demo.STAGES)} stages: about 15 s on a quiet machine with SQLite, "
                "25 s with PostgreSQL, a few times that on a busy one…"
            )
            started = time.monotonic()
            try:
                summary = demo.seed(progress=self._progress)
            finally:
                self._progress_done()
            by_status = Counter(Case.objects.values_list("status", flat=True))
            cases = ", ".join(
                f"{by_status[status]} {label.lower()}"
                for status, label in CaseStatus.choices
                if by_status[status]
            )
            self.stdout.write(
                f"Created {summary.programs} programs, {summary.teams} teams, "
                f"{summary.staff} staff, {summary.clients} clients, "
                f"{by_status.total()} cases ({cases}), "
                f"{summary.applications.total()} intake applications, "
                f"{summary.assessments} assessments, {summary.plans} service plans, "
                f"{summary.notes} contact notes, {summary.monitoring} tasks, "
                f"appointments and alerts, {summary.consent} consents and disclosures, "
                f"{summary.directory} services in the resource directory and "
                f"{summary.referrals} referrals in {time.monotonic() - started:.1f} s."
            )
        self._print_accounts()
        if options["serve"]:
            serve(host=options["host"], port=options["port"], workers=options["workers"])

    _stage_started: float | None = None

    def _progress(self, number: int, of: int, stage: str) -> None:
        """One line per stage, as it starts; its time is added when it ends."""
        self._progress_done()
        self.stdout.write(f"  {number:>2}/{of}  {stage}…", ending="")
        self.stdout.flush()
        self._stage_started = time.monotonic()

    def _progress_done(self) -> None:
        if self._stage_started is not None:
            self.stdout.write(f" {time.monotonic() - self._stage_started:.1f} s")
            self._stage_started = None

    def _print_accounts(self) -> None:
        accounts = demo.demo_accounts()
        if not accounts:
            return
        width = max(len(a.role) for a in accounts)
        self.stdout.write("\nDemo accounts:")
        for account in accounts:
            self.stdout.write(f"  {account.role.ljust(width)}  {account.email}")
        self.stdout.write(
            f"\nPassword for every demo account: {demo.DEMO_PASSWORD}\n"
            f"Other staff sign in as firstname.lastname@{demo.DEMO_DOMAIN}, same password.\n"
        )

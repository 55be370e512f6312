"""``casework generate``: synthetic agency data at scale, for benchmarks and load tests."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.site.demo import DEMO_PASSWORD
from casework.site.generate import generate

PASSWORD_ENV = "CASEWORK_GENERATE_PASSWORD"  # noqa: S105 — the variable's name


class Command(BaseCommand):
    help = "Fill the database with a synthetic agency: staff, teams, clients and cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, required=True, help="How many clients.")
        parser.add_argument(
            "--staff-per-team", type=int, default=8, help="One supervisor and case managers (8)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data (1).")
        parser.add_argument("--organization-name", default="", help="Name of the agency.")
        parser.add_argument(
            "--organizations",
            type=int,
            default=1,
            help="Spread the clients over this many agencies.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Clients written per batch (2000)."
        )
        parser.add_argument(
            "--services",
            type=int,
            default=0,
            help="Resource directory services to generate for each new agency (0).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 0 or options["organizations"] < 1:
            raise CommandError("--clients must be 0 or more and --organizations 1 or more.")
        password = os.environ.get(PASSWORD_ENV) or DEMO_PASSWORD
        if options["services"] < 0:
            raise CommandError("--services must be 0 or more.")
        result = generate(
            clients=options["clients"],
            staff_per_team=options["staff_per_team"],
            seed=options["seed"],
            organization_name=options["organization_name"],
            organizations=options["organizations"],
            password=password,
            batch_size=options["batch_size"],
            progress=options["verbosity"] > 0,
            services=options["services"],
        )
        rate = result.rows / result.seconds if result.seconds else 0.0
        self.stdout.write(
            f"Generated {result.organizations} organization(s), {result.programs} programs, "
            f"{result.teams} teams and {result.staff} staff."
        )
        for kind, count in result.counts().items():
            self.stdout.write(f"  {kind.replace('_', ' ')}: {count:,}")
        self.stdout.write(f"{result.rows:,} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s).")
        if result.staff:
            source = PASSWORD_ENV if os.environ.get(PASSWORD_ENV) else "the demo password"
            self.stdout.write(f"Generated staff sign in with {source}. All data is synthetic.")

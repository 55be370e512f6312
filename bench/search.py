"""Client search and duplicate-check latency at scale.

    .venv/bin/python bench/search.py --clients 100000 --database postgres|sqlite

Starts from an empty database (a SQLite file in a temporary directory, or the
PostgreSQL database ``casework_bench_search``, dropped and created again),
generates an agency with ``casework.site.generate`` (which gives clients
phones and Medicaid ids too), and then times what the "Find a client" page and the
duplicate check run: the count and first page of a search, as an intake
coordinator (the widest view) and as a case manager. Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POSTGRES_SERVER = os.environ.get("CASEWORK_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DATABASE = "casework_bench_search"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=30, help="Timed runs per search (30).")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def configure(args: argparse.Namespace, data_dir: str) -> None:
    if args.database == "postgres":
        import psycopg

        with psycopg.connect(POSTGRES_SERVER + "postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
        url = POSTGRES_SERVER + POSTGRES_DATABASE
    else:
        url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="casework.settings",
        CASEWORK_DATA_DIR=data_dir,
        CASEWORK_DATABASE_URL=url,
        CASEWORK_TESTING="1",
        CASEWORK_LOG_LEVEL="WARNING",
    )


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    result = fn()  # warm
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 50), percentile(timings, 95), result


def prepare(args: argparse.Namespace) -> None:
    """Migrate and generate (the generator writes identifiers and phones too), then ANALYZE."""
    from django.core.management import call_command
    from django.db import connection

    from casework.site.generate import generate

    print(f"== {connection.vendor}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    print(f"== {connection.vendor}: generating {args.clients} clients", flush=True)
    started = time.monotonic()
    generate(clients=args.clients, seed=args.seed, progress=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"   generated in {time.monotonic() - started:.0f} s", flush=True)


def measure(args: argparse.Namespace) -> None:
    from django.core.paginator import Paginator
    from django.db import connection

    from casework import access
    from casework.clients.matching import find_possible_duplicates
    from casework.clients.models import Client, ClientIdentifier, ClientPhone
    from casework.clients.search import ClientQuery, search_clients
    from casework.core.models import Role, StaffProfile, TeamMembership, TeamRole, User

    intake_profile = (
        StaffProfile.objects.filter(roles__contains=[Role.INTAKE_COORDINATOR]).first()
        if connection.vendor == "postgresql"
        else next(p for p in StaffProfile.objects.all() if Role.INTAKE_COORDINATOR in p.roles)
    )
    if intake_profile is None:
        raise SystemExit("No intake coordinator was generated.")
    intake = User.objects.get(pk=intake_profile.user_id)
    member = (
        TeamMembership.objects.filter(role=TeamRole.MEMBER, user__managed_cases__isnull=False)
        .order_by("team_id", "user_id")
        .first()
    )
    if member is None:
        raise SystemExit("No case manager with a case was generated.")
    case_manager = member.user
    # Someone the case manager serves, to search for realistically.
    own = Client.objects.filter(cases__case_manager=case_manager).order_by("pk").first()
    # Someone intake may see (an applicant or a case in screening), from the middle of the table.
    middle = Client.objects.order_by("pk")[Client.objects.count() // 2].pk
    sample = access.clients(intake).filter(pk__gte=middle).order_by("pk").first()
    if sample is None:
        raise SystemExit("Intake sees nobody.")
    common_last = (
        Client.objects.values_list("last_name", flat=True).order_by("last_name").first() or "a"
    )
    seen = access.clients(intake).filter(pk__gte=middle).values("pk")
    identifier = (
        ClientIdentifier.objects.filter(client_id__in=seen)
        .order_by("client_id")
        .values_list("value", flat=True)
        .first()
    )
    phone = (
        ClientPhone.objects.filter(client_id__in=seen)
        .order_by("client_id")
        .values_list("number", flat=True)
        .first()
    )
    if own is None:
        raise SystemExit("The case manager has no client.")

    def search(user: User, **query: Any) -> Callable[[], int]:
        def run() -> int:
            found = search_clients(actor=user, query=ClientQuery(**query))
            page = Paginator(found, 25).get_page(1)
            list(page.object_list)
            return int(page.paginator.count)

        return run

    def duplicates(user: User, client: Client) -> Callable[[], int]:
        def run() -> int:
            return len(
                find_possible_duplicates(
                    actor=user,
                    first_name=client.first_name[:-1] + "y",
                    last_name=client.last_name,
                    date_of_birth=client.date_of_birth,
                )
            )

        return run

    cases: list[tuple[str, Callable[[], int]]] = [
        ("intake: 3-letter prefix 'smi'", search(intake, name="smi")),
        (f"intake: common last name '{common_last[:4]}'", search(intake, name=common_last[:4])),
        (
            "intake: two fragments, any order",
            search(intake, name=f"{sample.last_name[:4]} {sample.first_name[:2]}"),
        ),
        (
            "intake: full name + date of birth",
            search(
                intake,
                name=f"{sample.first_name} {sample.last_name}",
                date_of_birth=sample.date_of_birth,
            ),
        ),
        ("intake: date of birth only", search(intake, date_of_birth=sample.date_of_birth)),
        ("intake: Medicaid id", search(intake, identifier=identifier or "x")),
        ("intake: phone", search(intake, phone=phone or "0")),
        (
            "case manager: two fragments",
            search(case_manager, name=f"{own.first_name[:3]} {own.last_name[:3]}"),
        ),
        ("case manager: prefix 'a'", search(case_manager, name="a")),
        ("intake: duplicate check", duplicates(intake, sample)),
        ("case manager: duplicate check", duplicates(case_manager, own)),
    ]
    print(
        f"\n{connection.vendor}, {Client.objects.count()} clients, {args.runs} runs each\n"
        f"{'search':<44} {'found':>7} {'p50 ms':>8} {'p95 ms':>8}"
    )
    for label, fn in cases:
        p50, p95, found = timed(fn, args.runs)
        print(f"{label:<44} {found:>7} {p50:>8.1f} {p95:>8.1f}", flush=True)


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory(prefix="casework-search-") as data_dir:
        configure(args, data_dir)
        import django

        django.setup()
        prepare(args)
        measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Audited appends from many sessions of one agency at once.

    .venv/bin/python bench/audit.py --database postgres|sqlite --sessions 8 --appends 40

Each session is a thread with a database connection of its own that, like a request,
opens a transaction, records one audit event of the agency, keeps the transaction open
for ``--hold-ms`` (the rest of the request's work) and commits. While one session's
event is uncommitted, a log with one locked chain per agency makes every other session
wait; a log that appends without waiting lets them overlap. Prints appends per second,
p50/p95 of one transaction (from its start to its commit), the lanes the agency's log
ended with, and the result of verifying the log.

Starts from an empty database: a SQLite file in a temporary directory, or the
PostgreSQL database ``casework_bench_audit``, dropped and created again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

POSTGRES_SERVER = os.environ.get("CASEWORK_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DATABASE = "casework_bench_audit"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--sessions", type=int, default=8, help="Concurrent sessions (8).")
    parser.add_argument("--appends", type=int, default=40, help="Appends per session (40).")
    parser.add_argument(
        "--hold-ms",
        type=float,
        default=10.0,
        help="How long each transaction stays open after its append, in ms (10).",
    )
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


def measure(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from casework.core import audit
    from casework.core.models import AuditChainHead, Organization, User

    call_command("migrate", verbosity=0)
    agency = Organization.objects.create(name="Bench Agency", slug="bench")
    staff = [
        User.objects.create(email=f"staff{n}@bench.test", organization=agency)
        for n in range(args.sessions)
    ]
    audit.record(action="bench.start", actor=staff[0])  # the agency's log exists before
    start = threading.Barrier(args.sessions)
    timings: list[float] = []
    failures: list[BaseException] = []

    def session(actor: User) -> None:
        mine: list[float] = []
        try:
            start.wait()
            for _ in range(args.appends):
                began = time.perf_counter()
                with transaction.atomic():
                    audit.record(action="case.view", actor=actor, changes={"via": "bench"})
                    time.sleep(args.hold_ms / 1000)
                mine.append((time.perf_counter() - began) * 1000)
        except BaseException as error:  # reported after the run
            failures.append(error)
        finally:
            timings.extend(mine)
            connection.close()

    threads = [threading.Thread(target=session, args=(actor,)) for actor in staff]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} session(s) failed: {failures[0]!r}")
    lanes = AuditChainHead.objects.filter(chain__startswith=f"org:{agency.pk}").count()
    problems = list(audit.verify())
    print(
        f"{connection.vendor}: {args.sessions} sessions x {args.appends} appends, "
        f"each transaction open {args.hold_ms:g} ms after its append\n"
        f"  {len(timings) / elapsed:8.1f} appends/s   "
        f"transaction p50 {percentile(timings, 50):7.1f} ms   "
        f"p95 {percentile(timings, 95):7.1f} ms\n"
        f"  lanes of the agency's log: {lanes}   verify: "
        + ("intact" if not problems else f"{len(problems)} problem(s), first: {problems[0]}"),
        flush=True,
    )


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory(prefix="casework-audit-") as data_dir:
        configure(args, data_dir)
        import django

        django.setup()
        measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Directory search and matching latency at scale.

    .venv/bin/python bench/directory.py --services 100000 --database postgres|sqlite

Starts from an empty database (a SQLite file in a temporary directory, or the
PostgreSQL database ``casework_bench_directory``, dropped and created again),
generates a small agency with ``casework.site.generate`` and a directory of
``--services`` services with ``casework.resources.synthetic``, then times searches of
mixed kinds (words, category + language, age + free, open now, near + radius,
combined) and matchings for cases. Prints p50/p95/max in ms and queries per call.

``--reuse`` times the directory already generated (PostgreSQL: the database left by an
earlier run; SQLite: ``--sqlite-file``), after migrating it, without generating again.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search as search_bench
from search import POSTGRES_SERVER, configure, percentile

search_bench.POSTGRES_DATABASE = "casework_bench_directory"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--searches", type=int, default=200, help="Timed searches (200).")
    parser.add_argument("--matchings", type=int, default=50, help="Timed matchings (50).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="Time the directory already generated."
    )
    parser.add_argument(
        "--sqlite-file", default="", help="Keep the SQLite database in this file (to --reuse)."
    )
    return parser.parse_args()


def configure_reused(args: argparse.Namespace, data_dir: str) -> None:
    if args.database == "postgres":
        url = POSTGRES_SERVER + search_bench.POSTGRES_DATABASE
    else:
        url = f"sqlite:///{Path(args.sqlite_file).resolve()}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="casework.settings",
        CASEWORK_DATA_DIR=data_dir,
        CASEWORK_DATABASE_URL=url,
        CASEWORK_TESTING="1",
        CASEWORK_LOG_LEVEL="WARNING",
    )


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from casework.core.models import Organization
    from casework.resources.synthetic import generate_directory
    from casework.site.generate import generate

    print(f"== {connection.vendor}: migrating", flush=True)
    call_command("migrate", verbosity=0)
    generate(clients=300, seed=args.seed, organization_name="Bench Directory Agency")
    org = Organization.objects.get(name="Bench Directory Agency")
    print(f"== {connection.vendor}: generating {args.services} services", flush=True)
    started = time.monotonic()
    generate_directory(organization_id=org.pk, services=args.services, rng=random.Random(args.seed))
    with connection.cursor() as cursor:
        # As autovacuum would soon after: PostgreSQL's full-text index keeps a bulk
        # load's rows in a pending list that every search reads until a vacuum.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"   generated in {time.monotonic() - started:.0f} s", flush=True)


def measure(args: argparse.Namespace) -> None:
    from datetime import time as clock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.clients.models import Case, CaseStatus, ClientAddress
    from casework.core.models import Organization
    from casework.referrals.matching import Preferences, match_for_case
    from casework.resources import geo
    from casework.resources.models import Service
    from casework.resources.search import DirectoryQuery, Sort, search_services
    from casework.resources.synthetic import CENTRE

    org = Organization.objects.get(name="Bench Directory Agency")
    cases = list(
        Case.objects.filter(organization=org, status=CaseStatus.ACTIVE, case_manager__isnull=False)
        .select_related("client", "case_manager")
        .order_by("pk")[: args.matchings]
    )
    if not cases:
        raise SystemExit("No active case was generated.")
    rng = random.Random(args.seed)
    codes = [f"97{rng.randrange(10)}{rng.randrange(10):02d}" for _ in cases]
    # A reused database keeps the addresses of the last run: the same ones, made again.
    ClientAddress.objects.filter(organization=org, line1="1 Bench St").delete()
    ClientAddress.objects.bulk_create(
        [
            ClientAddress(
                organization=org,
                client=c.client,
                line1="1 Bench St",
                city="Riverton",
                state="OR",
                postal_code=code,
            )
            for c, code in zip(cases, codes, strict=True)
        ]
    )
    actor = cases[0].case_manager
    if actor is None:
        raise SystemExit("The case has no case manager.")
    words = ["hous", "food pan", "counsel", "legal", "shelter", "employ", "senior", "youth"]
    cats = ["housing", "food", "mental_health", "legal", "employment", "childcare"]
    langs = ["es", "vi", "zh", "ru"]

    def point() -> geo.Point:
        return geo.Point(CENTRE[0] + rng.uniform(-0.2, 0.2), CENTRE[1] + rng.uniform(-0.2, 0.2))

    kinds: dict[str, Callable[[], DirectoryQuery]] = {
        "words": lambda: DirectoryQuery(words=rng.choice(words)),
        "category+language": lambda: DirectoryQuery(
            category=rng.choice(cats), language=rng.choice(langs)
        ),
        "age+free": lambda: DirectoryQuery(age=rng.randrange(5, 90), free_only=True),
        "open now": lambda: DirectoryQuery(open_on=(rng.randrange(7), clock(rng.randrange(8, 19)))),
        "near+radius": lambda: DirectoryQuery(
            near=point(), radius_km=rng.choice((2, 5, 10)), sort=Sort.DISTANCE
        ),
        "combined": lambda: DirectoryQuery(
            words=rng.choice(words[:4]),
            category=rng.choice(cats),
            language="es",
            age=34,
            near=point(),
            radius_km=10,
            accepting_only=True,
            sort=rng.choice((Sort.DISTANCE, Sort.RELEVANCE)),
        ),
    }
    per_kind = max(1, args.searches // len(kinds))
    print(
        f"\n{connection.vendor}, {Service.objects.filter(organization=org).count()} services\n"
        f"{'kind':<20} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}"
    )

    def report(label: str, calls: list[Callable[[], Any]]) -> None:
        calls[0]()  # warm
        timings, queries = [], []
        for call in calls:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(ctx.captured_queries))
        print(
            f"{label:<20} {len(calls):>5} {percentile(timings, 50):>8.1f} "
            f"{percentile(timings, 95):>8.1f} {max(timings):>8.1f} {max(queries):>8}",
            flush=True,
        )

    for label, make in kinds.items():
        queries_ = [make() for _ in range(per_kind)]
        report(
            label,
            [(lambda q=q: list(search_services(actor=actor, query=q).hits)) for q in queries_],
        )
    report(
        "matching",
        [
            (
                lambda c=c: match_for_case(
                    actor=c.case_manager or actor,
                    case=c,
                    preferences=Preferences(language="es", days=(1, 3), max_km=15),
                )
            )
            for c in cases
        ],
    )


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory(prefix="casework-directory-") as data_dir:
        if args.reuse:
            configure_reused(args, data_dir)
        elif args.database == "sqlite" and args.sqlite_file:
            configure(args, data_dir)
            os.environ["CASEWORK_DATABASE_URL"] = f"sqlite:///{Path(args.sqlite_file).resolve()}"
        else:
            configure(args, data_dir)
        import django

        django.setup()
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        else:
            prepare(args)
        measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Casework benchmark: generate an agency at scale, then time key pages and API calls.

    .venv/bin/python bench/run.py --clients 10000 [--database sqlite|postgres|both] [--requests 50]

For each database it starts from an empty one (a SQLite file in a temporary
directory, or the PostgreSQL database ``casework_bench``, dropped and created
again), migrates, runs the synthetic-data generator, and then, signed in as a
generated case manager, as their supervisor and as an intake coordinator,
measures each page's p50/p95 latency and query count with Django's test client:
the caseload, case and client pages, the intake queue and waitlist, the case's
plan and notes, a note, the tasks, appointments and plan-approval pages, the client
search (a POST, as the "Find a client" page sends it: names never go into a URL),
a case's assessments and one assessment, and the matching API lists. A page that
answers with an error (a case manager has no intake queue: 403) is reported with
its status instead of stopping the run.

Results are printed as a table and written as JSON to ``bench/results/``.
Each database runs in its own process: Django's settings are read once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
POSTGRES_SERVER = os.environ.get("CASEWORK_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/")
POSTGRES_DATABASE = "casework_bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=50, help="Timed requests per page (50).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL only: measure the database a previous run generated, without "
        "generating it again (migrations are applied).",
    )
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- the parent: fresh databases, one child process each -------------------------------------


def recreate_postgres() -> str:
    import psycopg

    with psycopg.connect(POSTGRES_SERVER + "postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")
    return POSTGRES_SERVER + POSTGRES_DATABASE


def run_database(database: str, args: argparse.Namespace) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = RESULTS_DIR / f"{stamp}-{database}-{args.clients}.json"
    with tempfile.TemporaryDirectory(prefix="casework-bench-") as data_dir:
        if database == "postgres":
            url = POSTGRES_SERVER + POSTGRES_DATABASE if args.reuse else recreate_postgres()
        else:
            url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "casework.settings",
            "CASEWORK_DATA_DIR": data_dir,
            "CASEWORK_DATABASE_URL": url,
            "CASEWORK_TESTING": "1",
            "CASEWORK_ALLOWED_HOSTS": "testserver",
            "CASEWORK_LOG_LEVEL": "WARNING",
        }
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            "--database",
            database,
            "--clients",
            str(args.clients),
            "--requests",
            str(args.requests),
            "--seed",
            str(args.seed),
            "--output",
            str(output),
            *(["--reuse"] if args.reuse and database == "postgres" else []),
        ]
        subprocess.run(command, env=env, check=True)  # noqa: S603 — our own script
    return output


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    outputs = [run_database(database, args) for database in databases]
    for output in outputs:
        print(f"Results written to {output.relative_to(BENCH_DIR.parent)}")
    return 0


# --- the child: one database, already configured through the environment -------------------


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def measure(
    http: Any, path: str, requests: int, data: dict[str, str] | None = None
) -> dict[str, Any]:
    """GET ``path``, or POST ``data`` to it (form-encoded, in the body) when given."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def send() -> Any:
        return http.get(path) if data is None else http.post(path, data)

    send()  # warm caches and the session
    with CaptureQueriesContext(connection) as captured:
        response = send()
    queries = len(captured)  # read now: later requests reset the connection's query log
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = send()
        timings.append((time.perf_counter() - started) * 1000)
    error = ""
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        error = exc_info[0].__name__
    elif response.status_code in (301, 302):
        error = f"→ {response.get('Location', '')}"
    return {
        "path": path if data is None else f"POST {path}",
        "status": response.status_code,
        "error": error,
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "queries": queries,
    }


def child(args: argparse.Namespace) -> int:
    import logging
    import warnings

    import django

    django.setup()
    # Whitenoise warns that nothing was collected; the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    # A page that fails is reported in the table; its traceback would bury it.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from casework import access
    from casework.assessments.models import Assessment
    from casework.clients.models import INTAKE_STATUSES, Case, CaseStatus
    from casework.core.models import Role, StaffProfile, TeamMembership, TeamRole, User
    from casework.notes.models import Note, NoteStatus
    from casework.site.generate import generate

    print(f"\n== {connection.vendor}: migrating a fresh database", flush=True)
    call_command("migrate", verbosity=0)
    if args.reuse:
        print(f"== {connection.vendor}: measuring the database generated before", flush=True)
        result = generated_before()
    else:
        print(f"== {connection.vendor}: generating {args.clients} clients", flush=True)
        result = generate(clients=args.clients, seed=args.seed, progress=True)
    rate = result.rows / result.seconds if result.seconds else 0.0

    member = (
        TeamMembership.objects.filter(role=TeamRole.MEMBER, user__managed_cases__isnull=False)
        .select_related("user", "team")
        .order_by("team_id", "user_id")
        .first()
    )
    if member is None:
        print("No generated case manager has a case; nothing to measure.")
        return 1
    case_manager, team = member.user, member.team
    supervisor = TeamMembership.objects.get(team=team, role=TeamRole.SUPERVISOR).user
    own = Case.objects.filter(case_manager=case_manager).order_by("id")
    # An active case with assessments where there is one: its pages have the most to show.
    case = (
        own.filter(status=CaseStatus.ACTIVE, assessments__isnull=False).first()
        or own.filter(status=CaseStatus.ACTIVE).first()
        or own[0]
    )
    team_cases = Case.objects.filter(team=team).exclude(case_manager=case_manager).order_by("id")
    team_case = (
        team_cases.filter(status=CaseStatus.ACTIVE, assessments__isnull=False).first()
        or team_cases.first()
        or case
    )
    # The generator makes at least one intake coordinator per agency (roles is a JSON list).
    intake_profile = next(
        (
            p
            for p in StaffProfile.objects.filter(organization_id=case.organization_id)
            .order_by("pk")
            .only("user_id", "roles")
            if Role.INTAKE_COORDINATOR in p.roles
        ),
        None,
    )
    intake_case = (
        Case.objects.filter(organization_id=case.organization_id, status__in=INTAKE_STATUSES)
        .order_by("id")
        .first()
    )

    def pages(persona_case: Case) -> list[tuple[str, str, dict[str, str] | None]]:
        case_id, client = persona_case.pk, persona_case.client
        assessment = (
            Assessment.objects.filter(case_id=case_id).order_by("-assessed_on", "-pk").first()
        )
        # Two name fragments in any order, as people type them: "smi jo".
        search = {"name": f"{client.last_name[:3]} {client.first_name[:2]}"}
        listed: list[tuple[str, str, dict[str, str] | None]] = [
            ("home", "/", None),
            ("case list", "/cases/", None),
            ("case detail", f"/cases/{case_id}/", None),
            ("client detail", f"/clients/{client.pk}/", None),
            ("client search", "/clients/", search),
            ("intake queue", "/intake/", None),
            ("intake waitlist", "/intake/?tab=waitlist", None),
            ("case assessments", f"/cases/{case_id}/assessments/", None),
        ]
        if assessment is not None:
            listed.append(("assessment", f"/assessments/{assessment.pk}/", None))
        note = (
            Note.objects.filter(case_id=case_id, status=NoteStatus.SIGNED)
            .order_by("-contact_at", "-pk")
            .first()
        )
        listed += [
            ("case plan", f"/cases/{case_id}/plan/", None),
            ("case notes", f"/cases/{case_id}/notes/", None),
        ]
        if note is not None:
            listed.append(("note", f"/notes/{note.pk}/", None))
        listed += [
            ("my tasks", "/tasks/", None),
            ("my appointments", "/appointments/", None),
            ("plan approvals", "/plans/approvals/", None),
        ]
        listed += [
            ("API case list", "/api/v1/cases", None),
            ("API case detail", f"/api/v1/cases/{case_id}", None),
            ("API client detail", f"/api/v1/clients/{client.pk}", None),
            ("API applications", "/api/v1/intake/applications", None),
            ("API waitlist", "/api/v1/intake/applications?status=waitlisted", None),
            ("API case assessments", f"/api/v1/cases/{case_id}/assessments", None),
            ("API case plans", f"/api/v1/cases/{case_id}/plans", None),
            ("API case notes", f"/api/v1/cases/{case_id}/notes", None),
            ("API tasks", "/api/v1/tasks", None),
        ]
        return listed

    rows: list[dict[str, Any]] = []
    personas: list[tuple[str, User, Case]] = [
        ("case manager", case_manager, case),
        ("supervisor", supervisor, team_case),
    ]
    if intake_profile is not None and intake_case is not None:
        intake = User.objects.get(pk=intake_profile.user_id)
        personas.append(("intake", intake, intake_case))
    else:
        print("No intake coordinator or no case in intake was generated; skipping intake.")
    visible: dict[str, int] = {}
    for persona, user, persona_case in personas:
        visible[persona] = access.cases(user).count()
        http = Client(raise_request_exception=False)
        http.force_login(user)
        for name, path, data in pages(persona_case):
            measured = measure(http, path, args.requests, data)
            rows.append({"persona": persona, "page": name, **measured})

    report = {
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "clients": args.clients,
        "requests_per_page": args.requests,
        "seed": args.seed,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "generation": {
            "seconds": round(result.seconds, 2),
            "rows": result.rows,
            "rows_per_second": round(rate),
            "organizations": result.organizations,
            "teams": result.teams,
            "staff": result.staff,
            "clients": result.clients,
            "cases": result.cases,
            "case_assignments": result.assignments,
            "client_phones": result.phones,
            "client_identifiers": result.identifiers,
            "client_addresses": result.addresses,
            "applications": result.applications,
            "intake_decisions": result.intake_decisions,
            "assessments": result.assessments,
            "identified_needs": result.identified_needs,
            **dict(sorted(result.work.items())),
            "statuses": dict(result.statuses),
            "application_statuses": dict(result.application_statuses),
        },
        "cases_visible": visible,
        "pages": rows,
    }
    print_report(report)
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def generated_before() -> Any:
    """What an earlier run generated, counted (its timing is not known any more)."""
    from casework.assessments.models import Assessment, IdentifiedNeed
    from casework.clients.models import (
        Case,
        CaseAssignment,
        Client,
        ClientAddress,
        ClientIdentifier,
        ClientPhone,
    )
    from casework.core.models import Organization, Program, StaffProfile, Team
    from casework.intake.models import Application, IntakeDecision
    from casework.monitoring.models import Alert, Appointment, Task
    from casework.notes.models import Note
    from casework.plans.models import ServicePlan
    from casework.site.generate import GenerationResult

    result = GenerationResult(
        organizations=Organization.objects.count(),
        programs=Program.objects.count(),
        teams=Team.objects.count(),
        staff=StaffProfile.objects.count(),
        clients=Client.objects.count(),
        cases=Case.objects.count(),
        assignments=CaseAssignment.objects.count(),
        phones=ClientPhone.objects.count(),
        identifiers=ClientIdentifier.objects.count(),
        addresses=ClientAddress.objects.count(),
        applications=Application.objects.count(),
        intake_decisions=IntakeDecision.objects.count(),
        assessments=Assessment.objects.count(),
        identified_needs=IdentifiedNeed.objects.count(),
    )
    for name, model in (
        ("plans", ServicePlan),
        ("notes", Note),
        ("tasks", Task),
        ("appointments", Appointment),
        ("alerts", Alert),
    ):
        result.work[name] = model.objects.count()
    return result


def print_report(report: dict[str, Any]) -> None:
    gen = report["generation"]
    print(
        f"\n{report['database']} {report['database_version']}: generated {gen['clients']} clients, "
        f"{gen['cases']} cases, {gen['staff']} staff ({gen['rows']} rows) in {gen['seconds']} s "
        f"= {gen['rows_per_second']} rows/s"
    )
    print(
        f"with {gen['applications']} applications ({gen['intake_decisions']} decisions), "
        f"{gen['assessments']} assessments ({gen['identified_needs']} identified needs), "
        f"{gen['client_phones']} phones, {gen['client_identifiers']} identifiers, "
        f"{gen['client_addresses']} addresses"
    )
    print(
        f"and {gen.get('plans', 0)} plans, {gen.get('notes', 0)} contact notes, "
        f"{gen.get('tasks', 0)} tasks, {gen.get('appointments', 0)} appointments, "
        f"{gen.get('alerts', 0)} alerts"
    )
    visible = ", ".join(f"{who} sees {n} cases" for who, n in report["cases_visible"].items())
    print(f"{visible}; {report['requests_per_page']} requests per page\n")
    header = "persona       page                  status   p50 ms   p95 ms queries  note"
    print(header)
    print("-" * len(header))
    for row in report["pages"]:
        print(
            f"{row['persona']:<13} {row['page']:<21} {row['status']:>6} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['queries']:>7}  {row['error']}"
        )
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())

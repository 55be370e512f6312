"""``casework serve``: the production web server (granian, WSGI)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from casework.core.process import SERVER_PID

WSGI_TARGET = "casework.wsgi:application"


def default_workers() -> int:
    return int(os.environ.get("CASEWORK_WEB_WORKERS") or 2)


def default_threads() -> int:
    return int(os.environ.get("CASEWORK_WEB_THREADS") or 4)


def granian_argv(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    # Each thread may hold a database connection: granian's default of hundreds of
    # threads per worker would exhaust PostgreSQL's connection limit. Requests beyond
    # ``threads`` per worker wait in the listen backlog instead.
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--backpressure",
        str(threads),
        "--respawn-failed-workers",
        "--no-ws",
        WSGI_TARGET,
    ]


def refresh_sqlite_statistics() -> None:
    """Let SQLite refresh its planner statistics where they are stale.

    SQLite never does this by itself; without fresh statistics it picks the
    agency-wide status index over the team index and list pages slow down
    several-fold as data grows (measured at 100,000 clients).
    """
    connection = connections["default"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")


def serve(
    *, host: str, port: int, workers: int, threads: int | None = None, collectstatic: bool = True
) -> None:
    """Collect static files, then replace this process with granian."""
    if collectstatic:
        call_command("collectstatic", interactive=False, verbosity=0)
    refresh_sqlite_statistics()
    connections.close_all()
    argv = granian_argv(host=host, port=port, workers=workers, threads=threads or default_threads())
    sys.stdout.flush()
    sys.stderr.flush()
    # granian keeps this process id: its workers end when it does (core/process.py).
    os.environ[SERVER_PID] = str(os.getpid())
    os.execv(argv[0], argv)  # noqa: S606 — our own interpreter, fixed arguments


class Command(BaseCommand):
    help = "Serve Casework with granian (collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Worker processes (default: CASEWORK_WEB_WORKERS or 2).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help="Request threads per worker (default: CASEWORK_WEB_THREADS or 4).",
        )
        parser.add_argument(
            "--skip-collectstatic",
            action="store_false",
            dest="collectstatic",
            help="Static files were already collected (e.g. in the container image).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"Casework listening on http://{options['host']}:{options['port']}/ "
            f"with {options['workers']} worker(s). Stop with Ctrl-C."
        )
        serve(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            collectstatic=options["collectstatic"],
        )

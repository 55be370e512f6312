"""The ``casework`` command: Casework's own commands plus every Django management command.

``casework audit-verify`` runs the ``audit_verify`` management command; anything
Casework does not define itself (``casework shell``, ``casework check``) goes
straight to Django.
"""

from __future__ import annotations

import os
import sys

from casework import __version__

COMMANDS: dict[str, str] = {
    "demo": "Set up a demo agency with synthetic data and serve it on http://127.0.0.1:8000",
    "serve": "Run the production web server (granian)",
    "worker": "Run the background worker for reminders, alerts and other queued work",
    "sweep": "Raise the alerts due today (no contact, reviews, overdue work) once, for cron",
    "migrate": "Create or update the database tables",
    "createadmin": "Create the first agency admin (and the agency), or another admin",
    "generate": "Fill the database with synthetic agency data at any scale",
    "import-hsds": "Import an Open Referral HSDS directory file (3.0 JSON or CSV, or 1.x CSV)",
    "export-hsds": "Export the resource directory as an Open Referral HSDS 3.0 file",
    "audit-verify": "Check that the audit log is complete and unchanged",
}

USAGE = """\
usage: casework <command> [options]

Casework — case management for human-services agencies.

Commands:
{commands}

Every Django management command works too (casework shell, casework check, ...):
list them with "casework help --commands".
Help on one command: casework <command> --help.
"""


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {summary}" for name, summary in COMMANDS.items()]
    return USAGE.format(commands="\n".join(lines))


def django_command(name: str) -> str:
    """Casework's commands are spelled with hyphens; Django's with underscores."""
    return name.replace("-", "_") if not name.startswith("-") else name


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        sys.stdout.write(usage())
        return 0
    if argv[1] == "--version":
        sys.stdout.write(f"casework {__version__}\n")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    from django.core.management import execute_from_command_line

    argv[1] = django_command(argv[1])
    if argv[1] == "help" and len(argv) > 2:
        argv[2] = django_command(argv[2])
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

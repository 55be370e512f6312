"""``casework createadmin``: the first agency admin, or another one when all are locked out.

There is no actor yet when an agency starts, so this command is the one place
that creates an organization and its admin without going through a service.
It writes the same audit events a service would, with no actor.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.core import services

PASSWORD_ENV = "CASEWORK_ADMIN_PASSWORD"  # noqa: S105 — the variable's name, not a password


class Command(BaseCommand):
    help = "Create an agency admin, and the agency itself if it does not exist yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email")
        parser.add_argument("--first-name")
        parser.add_argument("--last-name")
        parser.add_argument("--organization", help='Name of the agency, e.g. "Riverside Services"')
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Never prompt; the password comes from {PASSWORD_ENV}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = options["interactive"] and sys.stdin.isatty()
        values = {
            "organization": options["organization"],
            "email": options["email"],
            "first_name": options["first_name"],
            "last_name": options["last_name"],
        }
        prompts = {
            "organization": "Agency name",
            "email": "Email",
            "first_name": "First name",
            "last_name": "Last name",
        }
        for key, prompt in prompts.items():
            if not (values[key] or "").strip():
                if not interactive:
                    raise CommandError(f"--{key.replace('_', '-')} is required.")
                values[key] = input(f"{prompt}: ")
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            if not interactive:
                raise CommandError(f"Set {PASSWORD_ENV}, or run this command in a terminal.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords did not match.")
        try:
            user = services.organization_bootstrap(
                organization_name=values["organization"] or "",
                email=values["email"] or "",
                first_name=values["first_name"] or "",
                last_name=values["last_name"] or "",
                password=password,
            )
        except ValidationError as exc:
            problems = [
                f"{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("\n".join(problems)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Agency admin {user.email} created in {values['organization']}.")
        )

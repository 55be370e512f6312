"""``casework export-hsds PATH``: write an agency's directory as an HSDS 3.0 file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.resources.hsds import exporter

from .import_hsds import agency


class Command(BaseCommand):
    help = "Export an agency's resource directory as HSDS 3.0 JSON or a tabular .zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--organization", help="The agency's slug (default: the only one).")
        parser.add_argument("--format", choices=exporter.FORMATS, default=exporter.JSON)

    def handle(self, *args: Any, **options: Any) -> None:
        organization = agency(options["organization"])
        data = exporter.directory_export(
            actor=None, organization_id=organization.pk, format=options["format"]
        )
        path: Path = options["path"]
        path.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(data)} bytes)."))

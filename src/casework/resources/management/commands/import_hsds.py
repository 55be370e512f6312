"""``casework import-hsds PATH``: import an HSDS file or folder into an agency's directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from casework.core.models import Organization
from casework.resources.hsds.importer import directory_import_run
from casework.resources.models import ImportFormat, ImportStatus

FORMATS = {
    "json": ImportFormat.HSDS3_JSON,
    "tabular": ImportFormat.HSDS3_TABULAR,
    "hsds1": ImportFormat.HSDS1_CSV,
}


def agency(slug: str | None) -> Organization:
    """The agency named by ``--organization``, or the only one there is."""
    if slug:
        found = Organization.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No agency with the slug {slug!r}.")
        return found
    agencies = list(Organization.objects.order_by("pk")[:2])
    if len(agencies) != 1:
        raise CommandError("Name the agency with --organization SLUG.")
    return agencies[0]


class Command(BaseCommand):
    help = (
        "Import an HSDS 3.0 JSON file, an HSDS 3.0 tabular folder or .zip, or a folder of "
        "HSDS 1.x CSV files into an agency's resource directory. Nothing is written when "
        "the file has any problem; exit 1 listing each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--organization", help="The agency's slug (default: the only one).")
        parser.add_argument(
            "--format",
            choices=sorted(FORMATS),
            help="Default: told by datapackage.json, else by the files and their columns.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        organization = agency(options["organization"])
        with tqdm(total=0, unit="rows", file=self.stderr, disable=options["verbosity"] == 0) as bar:

            def progress(processed: int, total: int) -> None:
                bar.total = total
                bar.update(processed - bar.n)

            record = directory_import_run(
                actor=None,
                organization_id=organization.pk,
                path=path,
                format=FORMATS.get(options["format"] or ""),
                progress=progress,
            )
        for note in record.summary.get("notes", []):
            self.stdout.write(f"note: {note}")
        if record.status != ImportStatus.DONE:
            lines = [
                f"{p['file']}:{p['row']} {p['field']}: {p['message']}" for p in record.problems
            ]
            raise CommandError(
                f"Nothing imported: {len(lines)} problem(s).\n" + "\n".join(lines), returncode=1
            )
        self.stdout.write(f"{'table':<22}{'created':>10}{'updated':>10}{'unchanged':>11}")
        for table, counts in record.summary["tables"].items():
            self.stdout.write(
                f"{table:<22}{counts['created']:>10}{counts['updated']:>10}{counts['unchanged']:>11}"
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {path.name} into {organization.name}."))

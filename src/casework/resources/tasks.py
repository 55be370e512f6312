"""Background work of the resource directory (Django Tasks, run by ``casework worker``)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_tasks import task

from casework.core import uploads
from casework.core.models import User

from .hsds.importer import check_import_access, directory_import_execute
from .models import DirectoryImport, ImportStatus

#: Written next to the uploaded files while an import runs. The import writes inside one
#: transaction, which no other connection sees until it commits, so the page that shows
#: the progress reads this file instead of the database.
PROGRESS_FILE = ".progress"


class ProgressFile:
    def __init__(self, folder: Path, every_seconds: float = 0.5) -> None:
        self.path = folder / PROGRESS_FILE
        self.every = every_seconds
        self.last = 0.0

    def __call__(self, processed: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every or processed >= total:
            self.last = now
            self.path.write_text(f"{processed} {total}")


def live_progress(record: DirectoryImport) -> tuple[int, int]:
    """(processed, total) of a running import; the record's own numbers otherwise."""
    if record.status == ImportStatus.RUNNING and record.stored_path:
        try:
            processed, total = (Path(record.stored_path) / PROGRESS_FILE).read_text().split()
            return int(processed), int(total)
        except (OSError, ValueError):
            pass
    return record.processed, record.total


def _input(folder: Path) -> Path:
    """One uploaded .json or .zip is read as that file; several CSV files as the folder."""
    files = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return files[0] if len(files) == 1 and files[0].suffix in (".json", ".zip") else folder


@task()
def run_directory_import(import_id: int) -> str:
    """Run a queued directory import; its record holds the progress, summary and problems."""
    record = DirectoryImport.objects.select_related("started_by").get(pk=import_id)
    if record.status != ImportStatus.QUEUED:
        return record.status
    folder = Path(record.stored_path)
    directory_import_execute(record=record, path=_input(folder), progress=ProgressFile(folder))
    return record.status


def directory_import_queue(
    *, actor: User, organization_id: int, files: list[UploadedFile]
) -> DirectoryImport:
    """Store uploaded files under the data directory and import them in the background."""
    check_import_access(actor, organization_id)
    folder = Path(settings.DATA_DIR) / "imports" / str(organization_id) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for number, upload in enumerate(files):
        # Tabular tables are known by their file names, so a CSV keeps its (cleaned) name.
        name = re.sub(r"[^a-z0-9_.-]", "_", (upload.name or "").rsplit("/", 1)[-1].lower())
        if not name.strip("._") or (folder / name).exists():
            name = f"{number:03d}.{uploads.extension_of(upload.name or '')}"
        with (folder / name.lstrip(".")).open("wb") as out:
            for piece in upload.chunks():
                out.write(piece)
    names = ", ".join(uploads.safe_name(f.name or "", "upload") for f in files)
    with transaction.atomic():
        record = DirectoryImport.objects.create(
            organization_id=organization_id,
            started_by=actor,
            file_name=names[:300],
            stored_path=str(folder),
        )
        transaction.on_commit(lambda: run_directory_import.enqueue(record.pk))
    return record

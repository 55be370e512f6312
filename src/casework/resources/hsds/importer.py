"""Importing an HSDS file into an agency's directory: all or nothing, and idempotent.

Everything is read and checked first (``readers``, ``validator``); one problem and
nothing is written. Otherwise every table is upserted by (agency, HSDS id) inside one
transaction: new rows are created, rows whose HSDS fields differ are updated, equal
rows are not written at all. Rows missing from the file stay, and the agency's own
knowledge (notes, verification, accepting referrals, in-house program, partner link)
is never touched: only HSDS columns are written. The derived search columns of every
service the import changed are then recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.core import audit
from casework.core.models import User
from casework.resources import derived
from casework.resources.models import (
    Attribute,
    DirectoryImport,
    ImportStatus,
    Service,
    ServiceAtLocation,
)

from . import readers, spec, validator

Progress = Callable[[int, int], None]
Rows = dict[str, tuple[readers.Row, dict[str, Any]]]
BATCH = 1000
#: Past this many changed services the whole directory is refreshed, rather than a list
#: of ids too long for one SQL statement on SQLite.
REFRESH_ALL_OVER = 20000
#: Columns through which a written row changes what a service's derived columns say.
_LINKS = ("service_id", "service_at_location_id", "location_id", "provider_id", "taxonomy_term_id")
_OWN_LINK = {
    "service": "service_id",
    "service_at_location": "service_at_location_id",
    "location": "location_id",
    "organization": "provider_id",
    "taxonomy_term": "taxonomy_term_id",
}


def _no_progress(processed: int, total: int) -> None:
    """Progress is optional: the web task and the CLI report it, tests need not."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Writer:
    organization_id: int
    progress: Progress
    total: int
    processed: int = 0
    #: table → HSDS id → pk, for every row written or pointed to.
    pks: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: link column → pks whose services need their derived columns refreshed.
    touched: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def advance(self, rows: int) -> None:
        self.processed += rows
        self.progress(self.processed, self.total)

    def touch(self, table: str, pk: int, values: dict[str, Any]) -> None:
        if table in _OWN_LINK:
            self.touched[_OWN_LINK[table]].add(pk)
        for link in _LINKS:
            if values.get(link):
                self.touched[link].add(values[link])


def _chunks(items: list[Any], size: int = validator.CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _resolve(writer: _Writer, table: str, refs: set[Any]) -> None:
    """Learn the pks of rows the file points to but does not contain."""
    missing = sorted(r for r in refs if r and r not in writer.pks[table])
    model = spec.BY_NAME[table].model
    for chunk in _chunks(missing):
        writer.pks[table].update(
            model.objects.filter(
                organization_id=writer.organization_id, hsds_id__in=chunk
            ).values_list("hsds_id", "pk")
        )


def _wanted(
    writer: _Writer, table: spec.Table, values: dict[str, Any], skip: spec.Field | None
) -> dict[str, Any]:
    """The row as our columns should hold it (attnames; foreign keys as pks)."""
    wanted: dict[str, Any] = {}
    for f in table.fields:
        if f.name == "id" or f is skip:
            continue
        value = values[f.model_field]
        if f.references:
            wanted[f"{f.model_field}_id"] = writer.pks[f.references].get(value) if value else None
        else:
            wanted[f.model_field] = value
    if table.name == "attribute":
        is_service = values["link_entity"] == "service"
        wanted["service_id"] = writer.pks["service"].get(values["link_id"]) if is_service else None
    wanted["hsds_extra"] = values["hsds_extra"]
    return wanted


def _write_table(writer: _Writer, table: spec.Table, rows: Rows) -> Counts:
    counts = Counts()
    model = table.model
    parent = next((f for f in table.fields if f.references == table.name), None)
    for f in table.fields:
        if f.references and f is not parent:
            _resolve(writer, f.references, {v[f.model_field] for _r, v in rows.values()})
    if table.name == "attribute":
        _resolve(writer, "service", {v["link_id"] for _r, v in rows.values()})
    versioned = model in (Service, spec.BY_NAME["organization"].model)
    unchanged: set[str] = set()
    for chunk in _chunks(sorted(rows)):
        wanted = {i: _wanted(writer, table, rows[i][1], parent) for i in chunk}
        columns = list(wanted[chunk[0]])
        existing = {
            r["hsds_id"]: r
            for r in model.objects.filter(
                organization_id=writer.organization_id, hsds_id__in=chunk
            ).values("pk", "hsds_id", *columns, *(["version"] if versioned else []))
        }
        created: list[Any] = []
        updated: list[Any] = []
        for hsds_id in chunk:
            values, current = wanted[hsds_id], existing.get(hsds_id)
            if current is None:
                created.append(
                    model(organization_id=writer.organization_id, hsds_id=hsds_id, **values)
                )
                continue
            writer.pks[table.name][hsds_id] = current["pk"]
            if all(current[c] == values[c] for c in columns):
                unchanged.add(hsds_id)
                continue
            obj = model(
                pk=current["pk"], organization_id=writer.organization_id, hsds_id=hsds_id, **values
            )
            if versioned:
                obj.version = current["version"] + 1
            updated.append(obj)
            writer.touch(table.name, current["pk"], current)
        model.objects.bulk_create(created, batch_size=BATCH)
        if updated:
            extra = ["version"] if versioned else []
            if model is Service:
                extra.append("updated_at")
                for obj in updated:
                    obj.updated_at = timezone.now()
            fields = [f.model_field for f in table.fields if f.name != "id" and f is not parent]
            fields += ["service"] if table.name == "attribute" else []
            fields.append("hsds_extra")
            model.objects.bulk_update(updated, [*fields, *extra], batch_size=BATCH // 4)
        if any(obj.pk is None for obj in created):
            _resolve(writer, table.name, {obj.hsds_id for obj in created})
        for obj in created:
            writer.pks[table.name][obj.hsds_id] = obj.pk or writer.pks[table.name][obj.hsds_id]
        for obj in [*created, *updated]:
            writer.touch(table.name, writer.pks[table.name][obj.hsds_id], wanted[obj.hsds_id])
        counts.created += len(created)
        counts.updated += len(updated)
        writer.advance(len(chunk))
    if parent is not None:
        unchanged -= _write_parents(writer, table, parent, rows)
    counts.unchanged = len(unchanged)
    counts.updated = len(rows) - counts.created - counts.unchanged
    return counts


def _write_parents(writer: _Writer, table: spec.Table, parent: spec.Field, rows: Rows) -> set[str]:
    """A parent may come after its child in the file: parents are set once all rows exist.

    Returns the HSDS ids whose parent changed.
    """
    column = f"{parent.model_field}_id"
    _resolve(writer, table.name, {v[parent.model_field] for _r, v in rows.values()})
    pks = writer.pks[table.name]
    moved: set[str] = set()
    for chunk in _chunks(sorted(rows)):
        current = dict(
            table.model.objects.filter(pk__in=[pks[i] for i in chunk]).values_list("pk", column)
        )
        changed = []
        for hsds_id in chunk:
            ref = rows[hsds_id][1][parent.model_field]
            wanted = pks.get(ref) if ref else None
            if current[pks[hsds_id]] != wanted:
                changed.append(table.model(pk=pks[hsds_id], **{column: wanted}))
                moved.add(hsds_id)
        table.model.objects.bulk_update(changed, [parent.model_field], batch_size=BATCH)
    return moved


def _services_to_refresh(writer: _Writer) -> set[int]:
    touched = writer.touched
    services = set(touched["service_id"])
    lookups: list[tuple[Any, str, str]] = [
        (ServiceAtLocation.objects, "pk__in", "service_at_location_id"),
        (ServiceAtLocation.objects, "location_id__in", "location_id"),
        (Service.objects, "provider_id__in", "provider_id"),
        (Attribute.objects.exclude(service=None), "taxonomy_term_id__in", "taxonomy_term_id"),
    ]
    for manager, lookup, link in lookups:
        column = "pk" if manager.model is Service else "service_id"
        for chunk in _chunks(sorted(touched[link])):
            services.update(manager.filter(**{lookup: chunk}).values_list(column, flat=True))
    return services


def write(
    checked: validator.Checked, *, organization_id: int, progress: Progress
) -> tuple[dict[str, dict[str, int]], int]:
    """Upsert every table; the counts per table and how many services were refreshed.

    Call inside a transaction.
    """
    writer = _Writer(organization_id=organization_id, progress=progress, total=checked.total)
    progress(0, writer.total)
    summary = {
        table.name: _write_table(writer, table, checked.tables[table.name]).as_dict()
        for table in spec.TABLES
    }
    services = _services_to_refresh(writer)
    refreshed = (
        derived.refresh(
            organization_id=organization_id,
            service_ids=None if len(services) > REFRESH_ALL_OVER else services,
        )
        if services
        else 0
    )
    return summary, refreshed


# --- the service functions -------------------------------------------------------------


def check_import_access(actor: User | None, organization_id: int) -> None:
    if actor is not None and not (
        access.directory_manage_allowed(actor) and actor.organization_id == organization_id
    ):
        raise PermissionDenied


def directory_import_run(
    *,
    actor: User | None,
    organization_id: int,
    path: Path,
    format: str | None = None,
    progress: Progress | None = None,
) -> DirectoryImport:
    """Import the HSDS file or folder at ``path`` now; the import's record tells how it went.

    ``actor`` is None for the command line, which the person running it answers for.
    """
    check_import_access(actor, organization_id)
    record = DirectoryImport.objects.create(
        organization_id=organization_id,
        started_by=actor,
        file_name=path.name[-300:],
        stored_path=str(path)[-500:],
        format=format or "",
    )
    return directory_import_execute(record=record, path=path, progress=progress)


def directory_import_execute(
    *, record: DirectoryImport, path: Path, progress: Progress | None = None
) -> DirectoryImport:
    """Run a recorded import (queued by the web page, or started by ``directory_import_run``)."""
    actor = record.started_by
    check_import_access(actor, record.organization_id)
    report = progress or _no_progress
    record.status = ImportStatus.RUNNING
    record.save(update_fields=["status"])
    dataset = readers.read(path, record.format or None)
    checked = validator.check(dataset, organization_id=record.organization_id)
    record.format = dataset.format
    record.total = checked.total
    record.summary = {"tables": {}, "notes": dataset.notes}
    if checked.problems:
        record.status = ImportStatus.FAILED
        record.problems = checked.problems
        record.finished_at = timezone.now()
        record.save()
        return record
    record.save(update_fields=["format", "total", "summary"])
    try:
        with transaction.atomic():
            tables, refreshed = write(
                checked, organization_id=record.organization_id, progress=report
            )
            audit.record(
                action="directory.import",
                actor=actor,
                organization=record.organization_id,
                target=record,
                changes={
                    "import_id": record.pk,
                    "format": record.format,
                    "services_refreshed": refreshed,
                    **{
                        kind: {t: c[kind] for t, c in tables.items() if c[kind]}
                        for kind in ("created", "updated", "unchanged")
                    },
                },
            )
    except Exception:
        record.status = ImportStatus.FAILED
        record.problems = [
            {
                "file": record.file_name,
                "row": "",
                "field": "",
                "message": _("The import stopped on an unexpected error; nothing was changed."),
            }
        ]
        record.finished_at = timezone.now()
        record.save()
        raise
    record.status = ImportStatus.DONE
    record.summary = {"tables": tables, "notes": dataset.notes}
    record.processed = record.total
    record.finished_at = timezone.now()
    record.save()
    return record

"""Exporting an agency's directory as HSDS 3.0: compiled JSON, or a tabular .zip.

Only HSDS data leaves: the agency's own knowledge (provider notes, verification,
accepting referrals, in-house programs, partner links) and derived columns do not.
Rows come out sorted by HSDS id, so the same directory always exports to the same bytes;
importing an export into an empty directory and exporting again gives the file back.

The JSON document is an API page of compiled service objects (``contents``), the
organizations with what is their own nested in them (``organizations``: their contacts,
phones, locations, funding, programs and identifiers; their services are in ``contents``),
plus, keyed by table as flat rows, whatever neither reaches (an unused taxonomy term, ...).
Fields of the standard Casework has no column for, and dates and times as the file wrote
them, come back from ``hsds_extra``. The tabular .zip names its files as the v3.0
datapackage does (``organizations.csv``, ``service_at_locations.csv``, ...).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from casework import access
from casework.core import audit
from casework.core.models import User

from . import spec, validator

JSON = "json"
TABULAR = "tabular"
FORMATS = (JSON, TABULAR)
#: Zip entries carry this date so that the same data always gives the same bytes.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)

Record = dict[str, Any]
#: The key of a record that holds the fields of the standard we keep for the export only.
KEPT = "_kept"


def _json_value(f: spec.Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, date | time):
        return validator.text_of(f, value)
    if f.type == spec.NUMBER:
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def _csv_value(f: spec.Field, value: Any) -> str:
    converted = _json_value(f, value)
    return "" if converted is None else str(converted)


def _load(organization_id: int) -> dict[str, list[Record]]:
    """Every HSDS row of the agency, as HSDS records (foreign keys as HSDS ids)."""
    raw: dict[str, list[dict[str, Any]]] = {}
    hsds_of: dict[str, dict[int, str]] = {}
    for table in spec.TABLES:
        columns = [
            f"{f.model_field}_id" if f.references else f.model_field
            for f in table.fields
            if f.name != "id"
        ]
        rows = list(
            table.model.objects.filter(organization_id=organization_id)
            .order_by("hsds_id")
            .values("pk", "hsds_id", "hsds_extra", *columns)
        )
        raw[table.name] = rows
        hsds_of[table.name] = {r["pk"]: r["hsds_id"] for r in rows}
    records: dict[str, list[Record]] = {}
    for table in spec.TABLES:
        out = []
        for row in raw[table.name]:
            record: Record = {"id": row["hsds_id"]}
            extra = row["hsds_extra"] or {}
            written = extra.get("written", {})
            for f in table.fields[1:]:
                if f.references:
                    pk = row[f"{f.model_field}_id"]
                    record[f.name] = hsds_of[f.references].get(pk) if pk else None
                else:
                    record[f.name] = _as_written(table, f, row[f.model_field], written)
            record[KEPT] = extra.get("kept", {})
            out.append(record)
        records[table.name] = out
    return records


def _as_written(table: spec.Table, f: spec.Field, value: Any, written: dict[str, str]) -> Any:
    """The file's own text for a date or time, while it still says the column's value."""
    text = written.get(f.name)
    if text is None or value is None:
        return value
    model_field = table.model._meta.get_field(f.model_field)
    try:
        same = validator.convert(f, text, model_field, loose_ids=True) == value
    except validator.Invalid:
        same = False
    return text if same else value


class _Nester:
    def __init__(self, records: dict[str, list[Record]]) -> None:
        self.records = records
        self.by_id = {t: {r["id"]: r for r in rows} for t, rows in records.items()}
        self.children: dict[tuple[str, str], dict[str, list[Record]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for table in spec.TABLES:
            for key, child in table.children.items():
                parent_field = spec.PARENT_FIELD[table.name]
                for record in records[child]:
                    if record.get(parent_field):
                        self.children[(table.name, key)][record[parent_field]].append(record)
        self.attributes: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for record in records["attribute"]:
            self.attributes[(record["link_entity"], record["link_id"])].append(record)
        self.emitted: set[tuple[str, str]] = set()

    def flat(self, table: str, record: Record) -> Record:
        self.emitted.add((table, record["id"]))
        fields = spec.BY_NAME[table].fields
        values = {f.name: _json_value(f, record[f.name]) for f in fields}
        kept: Record = record[KEPT]
        return {k: v for k, v in values.items() if v is not None} | kept

    def nest(
        self,
        table: str,
        record: Record,
        parent: tuple[str, str] | None = None,
        without: frozenset[str] = frozenset(),
    ) -> Record:
        obj = self.flat(table, record)
        definition = spec.BY_NAME[table]
        for key, one in spec.NESTED_ONE.get(table, {}).items():
            target_table, fk = one
            target = self.by_id[target_table].get(record.get(fk) or "")
            # A service_at_location nested in its service does not repeat the service.
            if target is None or (target_table, target["id"]) == parent:
                continue
            # A service's organization comes without its services, which would loop.
            full = target_table in ("location", "taxonomy_term")
            obj[key] = self.nest(target_table, target) if full else self.flat(target_table, target)
        for key, child in definition.children.items():
            kids = [] if key in without else self.children[(table, key)].get(record["id"], [])
            if kids:
                obj[key] = [self.nest(child, kid, (table, record["id"])) for kid in kids]
        attributes = self.attributes.get((table, record["id"]), [])
        if attributes:
            obj["attributes"] = [self.nest("attribute", a) for a in attributes]
        return obj

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "contents": [self.nest("service", r) for r in self.records["service"]],
            # Each organization with what is its own (its services are in contents).
            "organizations": [
                self.nest("organization", r, without=frozenset({"services"}))
                for r in self.records["organization"]
            ],
        }
        if not document["organizations"]:
            del document["organizations"]
        for table in spec.TABLES:
            rest = [
                self.flat(table.name, r)
                for r in self.records[table.name]
                if (table.name, r["id"]) not in self.emitted
            ]
            if rest:
                document.setdefault(table.json_key, []).extend(rest)
        return document


def to_json(records: dict[str, list[Record]]) -> bytes:
    document = _Nester(records).document()
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def datapackage() -> dict[str, Any]:
    """The tabular package's description: each resource, its fields and its keys."""
    types = {
        spec.NUMBER: "number",
        spec.INTEGER: "integer",
        spec.DATE: "date",
        spec.TIME: "time",
        spec.DATETIME: "datetime",
    }
    resources = []
    for table in spec.TABLES:
        fields = []
        for f in table.fields:
            described: dict[str, Any] = {"name": f.name, "type": types.get(f.type, "string")}
            if f.type in (spec.UUID, spec.URI, spec.EMAIL):
                described["format"] = f.type
            constraints: dict[str, Any] = {}
            if f.required:
                constraints["required"] = True
            if f.enum:
                constraints["enum"] = list(f.enum)
            if f.max_length:
                constraints["maxLength"] = f.max_length
            if constraints:
                described["constraints"] = constraints
            fields.append(described)
        schema: dict[str, Any] = {"fields": fields, "primaryKey": "id"}
        keys = [
            {"fields": f.name, "reference": {"resource": f.references, "fields": "id"}}
            for f in table.fields
            if f.references
        ]
        if keys:
            schema["foreignKeys"] = keys
        resources.append(
            {
                "name": table.name,
                "path": table.csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "human-services-directory",
        "title": "HSDS 3.0 directory exported by Casework",
        "profile": "tabular-data-package",
        "resources": resources,
    }


def to_tabular(records: dict[str, list[Record]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        package = json.dumps(datapackage(), indent=2) + "\n"
        archive.writestr(zipfile.ZipInfo("datapackage.json", ZIP_DATE), package)
        for table in spec.TABLES:
            rows = records[table.name]
            # Kept fields of the standard that a cell can hold (a service's fees, program_id).
            kept = sorted(
                {k for r in rows for k, v in r[KEPT].items() if isinstance(v, str | int | float)}
            )
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([*(f.name for f in table.fields), *kept])
            for record in rows:
                cells = [_csv_value(f, record[f.name]) for f in table.fields]
                extra = [record[KEPT].get(k) for k in kept]
                writer.writerow([*cells, *("" if v is None else str(v) for v in extra)])
            info = zipfile.ZipInfo(table.csv_name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.getvalue().encode())
    return buffer.getvalue()


def directory_export(*, actor: User | None, organization_id: int, format: str) -> bytes:
    """The agency's directory as an HSDS 3.0 file (``json``) or tabular package (``tabular``)."""
    if actor is not None and not (
        access.directory_manage_allowed(actor) and actor.organization_id == organization_id
    ):
        raise PermissionDenied
    if format not in FORMATS:
        raise ValueError(format)
    with transaction.atomic():
        records = _load(organization_id)
        audit.record(
            action="directory.export",
            actor=actor,
            organization=organization_id,
            object_type="directory",
            object_id=organization_id,
            changes={"format": format, **{t: len(r) for t, r in records.items() if r}},
        )
    return to_json(records) if format == JSON else to_tabular(records)

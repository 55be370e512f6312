"""Reading HSDS files into rows of the 3.0 tables, whatever form they come in.

* HSDS 3.0 JSON: one object of a table (an organization, a service, a location, a
  service_at_location, a taxonomy or a taxonomy_term, each with its children nested), a
  list of such objects, an API page ``{"total_items": ..., "contents": [...]}``, or an
  object keyed by table (``{"organizations": [...], "services": [...]}``); the two last
  may be mixed, which is how ``exporter.py`` writes rows no service reaches. Which table
  an object (or the items of a list or page) is, is told by its fields (``table_of``);
  a nested child takes its parent's id.
* HSDS 3.0 tabular: a folder or .zip of one CSV per table (with a datapackage.json).
* HSDS 1.x CSV: the legacy tables, reshaped into 3.0 rows (see ``spec.LEGACY_TABLES``).

Nothing is checked here beyond what reading needs; ``validator.py`` checks the rows. A
row remembers where it came from (file and CSV row number or JSON path) so that every
problem can say so.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from casework.resources.models import ImportFormat

from . import spec

#: The largest total a .zip may unpack to; a bigger one is refused before reading.
MAX_UNPACKED_BYTES = 2 * 1024**3
#: Keys of an HSDS API page that carry no rows.
PAGE_KEYS = frozenset(
    {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"}
)


@dataclass
class Row:
    table: str
    values: dict[str, Any]
    file: str
    row: int | str
    #: The name a field had in the file, when it differs (1.x columns).
    names: dict[str, str] = field(default_factory=dict)
    #: Nested in a compiled JSON object: the same object may be repeated elsewhere.
    nested: bool = False
    #: Fields of the standard that Casework does not use, as the file had them.
    kept: dict[str, Any] = field(default_factory=dict)

    def name_of(self, field_name: str) -> str:
        return self.names.get(field_name, field_name)


@dataclass
class Dataset:
    format: str
    rows: list[Row] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def loose_ids(self) -> bool:
        return self.format == ImportFormat.HSDS1_CSV

    def problem(self, file: str, row: int | str, field_name: str, message: str) -> None:
        self.problems.append({"file": file, "row": row, "field": field_name, "message": message})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


class Source:
    """The files of an import: one file, a folder, or a .zip, by lower-cased base name."""

    def __init__(self, files: dict[str, tuple[str, Callable[[], bytes]]]) -> None:
        self.files = files

    @classmethod
    def open(cls, path: Path, dataset: Dataset) -> Source:
        if path.is_dir():
            return cls(
                {
                    p.name.lower(): (p.name, p.read_bytes)
                    for p in sorted(path.iterdir())
                    if p.is_file() and not p.name.startswith(".")
                }
            )
        if path.suffix.lower() == ".zip":
            return cls._zip(path, dataset)
        return cls({path.name.lower(): (path.name, path.read_bytes)})

    @classmethod
    def _zip(cls, path: Path, dataset: Dataset) -> Source:
        try:
            archive = zipfile.ZipFile(path)
            members = [i for i in archive.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, OSError):
            dataset.problem(path.name, "", "", _("The file is not a readable .zip archive."))
            return cls({})
        if sum(i.file_size for i in members) > MAX_UNPACKED_BYTES:
            dataset.problem(path.name, "", "", _("The .zip archive unpacks to more than 2 GB."))
            return cls({})
        files: dict[str, tuple[str, Callable[[], bytes]]] = {}
        for info in members:
            base = info.filename.rsplit("/", 1)[-1]
            if base and not base.startswith(".") and not info.filename.startswith("__MACOSX"):
                files[base.lower()] = (base, _member_reader(archive, info, path.name, dataset))
        return cls(files)

    def has(self, name: str) -> bool:
        return name in self.files

    def read(self, name: str) -> bytes:
        return self.files[name][1]()

    def display(self, name: str) -> str:
        return self.files[name][0]


def _member_reader(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, zip_name: str, dataset: Dataset
) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            dataset.problem(zip_name, "", "", _("%(file)s cannot be unpacked.") % {"file": info})
            return b""

    return read


def detect(source: Source) -> str | None:
    """The form of the files: a datapackage.json says which HSDS it describes; without
    one, files only one version has (``regular_schedules.csv``, ``schedules.csv``), then
    the columns of a file both have (``organizations.csv``: ``website`` is 3.0's)."""
    if source.has("datapackage.json"):
        version = _package_version(_load_json(source, "datapackage.json", Dataset(format="")))
        if version is not None:
            return version
    names = set(source.files)
    if any(n in names for n in spec.LEGACY_BY_FILE if n not in spec.BY_CSV_NAME):
        return ImportFormat.HSDS1_CSV
    if any(n in names for n in spec.BY_CSV_NAME if n not in spec.LEGACY_BY_FILE):
        return ImportFormat.HSDS3_TABULAR
    if any(n in names for n in spec.LEGACY_BY_FILE):
        v3 = ("location_type" in _header(source, "locations.csv")) or (
            "website" in _header(source, "organizations.csv")
        )
        return ImportFormat.HSDS3_TABULAR if v3 else ImportFormat.HSDS1_CSV
    if any(n.endswith(".json") and n != "datapackage.json" for n in names):
        return ImportFormat.HSDS3_JSON
    return None


def _package_version(package: Any) -> str | None:
    """Which HSDS a datapackage.json describes, by its resources, their fields, its version."""
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        return None
    resources = [r for r in package["resources"] if isinstance(r, dict)]
    names = {str(r.get("name", "")).lower() for r in resources}
    location_fields: set[str] = set()
    for resource in resources:
        schema = resource.get("schema")
        if str(resource.get("name", "")).lower() == "location" and isinstance(schema, dict):
            fields = schema.get("fields")
            if isinstance(fields, list):
                location_fields.update(str(f.get("name")) for f in fields if isinstance(f, dict))
    if names & spec.V3_RESOURCES or "location_type" in location_fields:
        return ImportFormat.HSDS3_TABULAR
    if names & spec.LEGACY_RESOURCES:
        return ImportFormat.HSDS1_CSV
    version = str(package.get("version", "")).strip()
    if version.startswith("3"):
        return ImportFormat.HSDS3_TABULAR
    if version[:1] in ("1", "2"):
        return ImportFormat.HSDS1_CSV
    return None


def read(path: Path, format: str | None = None) -> Dataset:
    """Every row of the file(s) at ``path``, with the problems that stopped reading."""
    dataset = Dataset(format=format or "")
    source = Source.open(path, dataset)
    if dataset.problems:
        return dataset
    dataset.format = format or detect(source) or ""
    if dataset.format == ImportFormat.HSDS3_JSON:
        _read_json(source, dataset)
    elif dataset.format == ImportFormat.HSDS3_TABULAR:
        _read_tabular(source, dataset)
    elif dataset.format == ImportFormat.HSDS1_CSV:
        _read_legacy(source, dataset)
    else:
        dataset.problem(
            path.name,
            "",
            "",
            _(
                "No HSDS data found: give an HSDS 3.0 .json file, or a folder or .zip "
                "of HSDS CSV files."
            ),
        )
    return dataset


# --- JSON -------------------------------------------------------------------------------


def _read_json(source: Source, dataset: Dataset) -> None:
    names = [n for n in source.files if n.endswith(".json") and n != "datapackage.json"]
    if not names:
        dataset.problem("", "", "", _("No .json file found."))
    for name in names:
        file = source.display(name)
        document = _load_json(source, name, dataset)
        if document is None:
            continue
        if isinstance(document, list):
            _flatten_list(document, table_of(document), "", file, dataset, nested=True)
        elif isinstance(document, dict) and _is_one_object(document):
            table = table_of([document])
            _flatten(document, table, table, file, dataset, None, nested=True)
        elif isinstance(document, dict):
            _read_json_object(document, file, dataset)
        else:
            dataset.problem(file, "", "", _("The file holds neither a list nor an object."))


def _load_json(source: Source, name: str, dataset: Dataset) -> Any:
    file = source.display(name)
    try:
        return json.loads(source.read(name).decode("utf-8-sig"))
    except UnicodeDecodeError:
        dataset.problem(file, "", "", _("The file is not UTF-8 text."))
    except json.JSONDecodeError as exc:
        dataset.problem(
            file,
            f"line {exc.lineno}",
            "",
            _("The file is not valid JSON (line %(line)s, column %(col)s: %(msg)s).")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
        )
    return None


#: The tables a JSON document (or its list or page) may be made of, the first winning a tie.
DOCUMENT_TABLES = (
    "service",
    "organization",
    "location",
    "service_at_location",
    "taxonomy_term",
    "taxonomy",
)


def _known_keys(table: str) -> set[str]:
    definition = spec.BY_NAME[table]
    return (
        {f.name for f in definition.fields}
        | set(definition.children)
        | set(spec.NESTED_ONE.get(table, {}))
        | {"attributes"}
    )


def table_of(items: list[Any]) -> str:
    """The table whose fields, children and nested objects cover most keys of ``items``.

    A page or list of the standard holds objects of one table, which the standard does
    not name: ``service_id`` and ``location_id`` tell a service_at_location, ``website``
    and ``services`` an organization, ``location_type`` and ``addresses`` a location.
    """
    keys: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            keys.update(item)
    scores = {name: len(keys & _known_keys(name)) for name in DOCUMENT_TABLES}
    return max(DOCUMENT_TABLES, key=lambda name: scores[name])


def _is_one_object(document: dict[str, Any]) -> bool:
    """A document that is a row itself: every HSDS object has an id, a table key has none."""
    return "id" in document and not isinstance(document["id"], dict | list)


def _read_json_object(document: dict[str, Any], file: str, dataset: Dataset) -> None:
    for key, value in document.items():
        if key == "contents":
            items = value if isinstance(value, list) else []
            _flatten_list(value, table_of(items), "contents", file, dataset, nested=True)
        elif key in spec.BY_JSON_KEY:
            _flatten_list(value, spec.BY_JSON_KEY[key].name, key, file, dataset, nested=False)
        elif key in PAGE_KEYS:
            continue
        elif isinstance(value, dict | list) and value:
            # Leaving rows out would import part of the file: refuse it whole instead.
            dataset.problem(
                file,
                key,
                "",
                _("“%(key)s” is not an HSDS table, so the rows it holds cannot be imported.")
                % {"key": key},
            )
        else:
            dataset.note(
                _("%(file)s: “%(key)s” is not an HSDS table; left out.")
                % {"file": file, "key": key}
            )


def _flatten_list(
    items: Any, table: str, path: str, file: str, dataset: Dataset, *, nested: bool
) -> None:
    if not isinstance(items, list):
        dataset.problem(file, path, "", _("Should be a list."))
        return
    for index, item in enumerate(items):
        _flatten(item, table, f"{path}[{index}]", file, dataset, None, nested=nested)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _flatten(
    obj: Any,
    table: str,
    path: str,
    file: str,
    dataset: Dataset,
    parent: tuple[str, Any] | None,
    *,
    nested: bool,
) -> None:
    if not isinstance(obj, dict):
        dataset.problem(file, path, "", _("Should be an object."))
        return
    definition = spec.BY_NAME[table]
    values: dict[str, Any] = {}
    kept: dict[str, Any] = {}
    children: list[tuple[str, str, Any]] = []
    for key, value in obj.items():
        if key in definition.children:
            children.append((key, definition.children[key], value))
        elif key == "attributes":
            children.append((key, "attribute", value))
        elif key in spec.NESTED_ONE.get(table, {}) or (
            table == "taxonomy_term" and key == "taxonomy" and isinstance(value, dict)
        ):
            one_table, fk = spec.NESTED_ONE[table].get(key, ("taxonomy", "taxonomy_id"))
            if value is None:
                continue
            _flatten(value, one_table, _join(path, key), file, dataset, None, nested=True)
            if isinstance(value, dict) and value.get("id") and not values.get(fk):
                values[fk] = value["id"]
        elif definition.get(key) is not None:
            values[key] = value
        elif key in spec.NOT_KEPT:
            if value is not None:
                kept[key] = value
        else:
            dataset.note(
                _("%(file)s: field “%(table)s.%(key)s” is not part of HSDS 3.0; left out.")
                % {
                    "file": file,
                    "table": table,
                    "key": key,
                }
            )
    if parent is not None:
        parent_table, parent_id = parent
        if table == "attribute":
            values.setdefault("link_id", parent_id)
            values.setdefault("link_entity", parent_table)
        else:
            parent_field = spec.PARENT_FIELD[parent_table]
            if definition.get(parent_field) is not None and _blank(values.get(parent_field)):
                values[parent_field] = parent_id
    dataset.rows.append(Row(table, values, file, path, nested=nested, kept=kept))
    for key, child_table, items in children:
        if not isinstance(items, list):
            dataset.problem(file, _join(path, key), "", _("Should be a list."))
            continue
        for index, item in enumerate(items):
            _flatten(
                item,
                child_table,
                f"{_join(path, key)}[{index}]",
                file,
                dataset,
                (table, values.get("id")),
                nested=True,
            )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- CSV --------------------------------------------------------------------------------


def _csv_rows(source: Source, name: str, dataset: Dataset) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, values) of a CSV file; the header is row 1. Blank cells are left out."""
    file = source.display(name)
    try:
        text = source.read(name).decode("utf-8-sig")
    except UnicodeDecodeError:
        dataset.problem(file, "", "", _("The file is not UTF-8 text."))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                dataset.problem(
                    file, number, "", _("The row has more cells than the header has columns.")
                )
                continue
            yield number, {h: c for h, c in zip(header, cells, strict=False) if h and c.strip()}
    except csv.Error as exc:
        dataset.problem(file, reader.line_num, "", _("The CSV cannot be read: %(e)s") % {"e": exc})


def _header(source: Source, name: str) -> list[str]:
    if not source.has(name):
        return []
    first = source.read(name).decode("utf-8-sig", errors="replace").splitlines()[:1]
    return [h.strip() for h in next(csv.reader(first), [])] if first else []


def _note_unknown_columns(source: Source, name: str, known: set[str], dataset: Dataset) -> None:
    for column in _header(source, name):
        if column.strip() and column.strip() not in known:
            dataset.note(
                _("%(file)s: column “%(column)s” is not part of HSDS; left out.")
                % {"file": source.display(name), "column": column.strip()}
            )


def _datapackage_paths(source: Source, dataset: Dataset) -> dict[str, str]:
    """Table name → file name, from datapackage.json when it names other paths."""
    if not source.has("datapackage.json"):
        dataset.note(_("No datapackage.json: the CSV files were read by their names."))
        return {}
    package = _load_json(source, "datapackage.json", dataset)
    paths: dict[str, str] = {}
    if isinstance(package, dict) and isinstance(package.get("resources"), list):
        for resource in package["resources"]:
            if isinstance(resource, dict) and isinstance(resource.get("path"), str):
                paths[str(resource.get("name", ""))] = resource["path"].rsplit("/", 1)[-1].lower()
    elif package is not None:
        dataset.problem(
            source.display("datapackage.json"), "", "resources", _("Lists no resources.")
        )
    return paths


def _read_tabular(source: Source, dataset: Dataset) -> None:
    paths = _datapackage_paths(source, dataset)
    used = {"datapackage.json"}
    for table in spec.TABLES:
        candidates = (paths[table.name],) if table.name in paths else table.csv_names
        name = next((n for n in candidates if source.has(n)), "")
        if not name:
            if table.name in spec.REQUIRED_TABLES:
                dataset.problem(candidates[0], "", "", _("The file is missing."))
            continue
        used.add(name)
        known = {f.name for f in table.fields} | spec.NOT_KEPT
        _note_unknown_columns(source, name, known, dataset)
        file = source.display(name)
        for number, values in _csv_rows(source, name, dataset):
            row = Row(table.name, {}, file, number)
            for key, value in values.items():
                if key in spec.NOT_KEPT:
                    row.kept[key] = value
                elif key in known:
                    row.values[key] = value
            dataset.rows.append(row)
    _note_unused(source, used, dataset)


def _note_unused(source: Source, used: set[str], dataset: Dataset) -> None:
    for name in source.files:
        if name not in used:
            dataset.note(
                _("%(file)s is not an HSDS table we keep; left out.")
                % {"file": source.display(name)}
            )


# --- HSDS 1.x CSV -----------------------------------------------------------------------


def _read_legacy(source: Source, dataset: Dataset) -> None:
    for required in spec.LEGACY_REQUIRED_FILES:
        if not source.has(required):
            dataset.problem(required, "", "", _("The file is missing."))
    used = {"datapackage.json"}
    eligibility: list[Row] = []
    for legacy in spec.LEGACY_TABLES:
        if not source.has(legacy.file):
            continue
        used.add(legacy.file)
        target = spec.BY_NAME[legacy.target]
        known = (
            {f.name for f in target.fields} | set(legacy.renames) | set(legacy.reshaped)
        ) - set(legacy.renames.values())
        _note_unknown_columns(source, legacy.file, known, dataset)
        file = source.display(legacy.file)
        for number, raw in _csv_rows(source, legacy.file, dataset):
            values = {legacy.renames.get(k, k): v for k, v in raw.items() if k in known}
            row = Row(
                legacy.target,
                values,
                file,
                number,
                names={new: old for old, new in legacy.renames.items()},
            )
            if legacy.file == "eligibility.csv":
                eligibility.append(row)
            elif _reshape(legacy.file, row, dataset):
                dataset.rows.append(row)
    _merge_eligibility(eligibility, dataset)
    _note_unused(source, used, dataset)


def _reshape(file: str, row: Row, dataset: Dataset) -> bool:
    values = row.values
    if file == "services.csv":
        values.setdefault("status", "active")
    elif file == "locations.csv":
        values["location_type"] = "physical"
    elif file == "physical_addresses.csv":
        values["address_type"] = "physical"
    elif file == "phones.csv" and values.pop("language", None):
        dataset.note(_("%(file)s: the language of a phone is not kept.") % {"file": row.file})
    elif file == "taxonomy.csv":
        values.pop("parent_name", None)
    elif file == "services_taxonomy.csv":
        values["link_id"] = values.pop("service_id", "")
        values["link_entity"] = "service"
        row.names |= {"link_id": "service_id"}
    elif file == "regular_schedules.csv":
        weekday = values.pop("weekday", "")
        code = spec.LEGACY_WEEKDAYS.get(weekday.strip().lower())
        if code is None:
            dataset.problem(
                row.file,
                row.row,
                "weekday",
                _("'%(value)s' is not a day of the week.") % {"value": weekday}
                if weekday
                else _("A day of the week is required."),
            )
            return False
        values["freq"] = "WEEKLY"
        values["byday"] = code
    return True


def _merge_eligibility(rows: list[Row], dataset: Dataset) -> None:
    """1.x eligibility rows become the service's eligibility description and ages."""
    services = {r.values.get("id"): r for r in dataset.rows if r.table == "service"}
    for row in rows:
        service = services.get(row.values.get("service_id"))
        if service is None:
            dataset.problem(
                row.file,
                row.row,
                "service_id",
                _("No service with id '%(id)s' in services.csv.")
                % {"id": row.values.get("service_id", "")},
            )
            continue
        text = row.values.get("eligibility", "").strip()
        if text:
            before = service.values.get("eligibility_description", "")
            service.values["eligibility_description"] = f"{before}; {text}" if before else text
        for age in ("minimum_age", "maximum_age"):
            value = row.values.get(age, "").strip()
            if not value:
                continue
            if not value.isdigit():
                dataset.problem(
                    row.file,
                    row.row,
                    age,
                    _("'%(value)s' is not a whole number.") % {"value": value},
                )
            else:
                service.values[age] = value

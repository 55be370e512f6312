"""Checking every row of a dataset against our HSDS field tables and our directory.

The result holds, per table, each row's values converted to what our columns store,
or the full list of problems: a field of the wrong type or too long, a required field
without a value, a value outside its list, an id used twice in a table, a foreign key
to a row neither the file nor our directory has, and an id that our directory already
has in another table (HSDS ids are unique across tables: an attribute names its row by
id alone), and a contact, phone, schedule, language or service area that belongs to no
other row (``spec.OWNERS``): such a row is what is left when a reader could not place
its parent, and writing it would import half of a file.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import spec
from .readers import Dataset, Row

CHUNK = 2000
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INTEGER_LIMITS: dict[type[models.Field[Any, Any]], int] = {
    models.PositiveSmallIntegerField: 32767,
    models.PositiveIntegerField: 2147483647,
}
_RANGES = {"latitude": (-90, 90), "longitude": (-180, 180)}


class Invalid(ValueError):
    pass


@dataclass
class Checked:
    #: table → HSDS id → (row, values by model column; foreign keys still HSDS ids)
    tables: dict[str, dict[str, tuple[Row, dict[str, Any]]]] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if isinstance(value, bool | dict | list):
        raise Invalid(_("should be text"))
    return value if isinstance(value, str) else str(value)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool | dict | list):
        raise Invalid(_("'%(v)s' is not a number") % {"v": value})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(_("'%(v)s' is not a number") % {"v": value}) from None
    if not number.is_finite():
        raise Invalid(_("'%(v)s' is not a number") % {"v": value})
    return number


def _char_number(number: Decimal) -> str:
    """A number kept in a text column, written the same way however the file wrote it."""
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def convert(f: spec.Field, value: Any, model_field: models.Field[Any, Any], loose_ids: bool) -> Any:
    """The value our column stores for ``value``; ``Invalid`` with the reason otherwise."""
    kind = spec.TEXT_ID if loose_ids and f.type == spec.UUID else f.type
    whole = kind == spec.INTEGER or isinstance(model_field, models.IntegerField)
    if kind in (spec.NUMBER, spec.INTEGER):
        try:
            number = _number(value)
        except Invalid:
            if whole:
                raise Invalid(_("'%(v)s' is not a whole number") % {"v": value}) from None
            raise
        if whole:
            if number != number.to_integral_value():
                raise Invalid(_("'%(v)s' is not a whole number") % {"v": value})
            limit = _INTEGER_LIMITS.get(type(model_field), 2**31 - 1)
            if not 0 <= number <= limit:
                raise Invalid(
                    _("%(v)s is out of range (0 to %(max)s)") % {"v": value, "max": limit}
                )
            return int(number)
        if f.name in _RANGES and not _RANGES[f.name][0] <= number <= _RANGES[f.name][1]:
            low, high = _RANGES[f.name]
            raise Invalid(
                _("%(v)s is not between %(low)s and %(high)s")
                % {"v": value, "low": low, "high": high}
            )
        if isinstance(model_field, models.DecimalField):
            quantized = number.quantize(Decimal(1).scaleb(-(model_field.decimal_places or 0)))
            if len(quantized.as_tuple().digits) > (model_field.max_digits or 0):
                raise Invalid(_("%(v)s is too large") % {"v": value})
            return quantized
        if isinstance(model_field, models.CharField):
            text = _char_number(number)
            if f.max_length and len(text) > f.max_length:
                raise Invalid(_("%(v)s is too long") % {"v": value})
            return text
        return float(number)
    text = _text(value)
    stripped = text.strip()
    if kind == spec.UUID:
        try:
            uuid.UUID(stripped)
        except ValueError:
            raise Invalid(_("'%(v)s' is not a UUID") % {"v": text}) from None
        return stripped
    if kind == spec.DATE:
        try:
            return date.fromisoformat(stripped) if len(stripped) == 10 else _bad_date(text)
        except ValueError:
            return _bad_date(text)
    if kind == spec.TIME:
        match = _TIME.match(stripped)
        if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            raise Invalid(_("'%(v)s' is not a time of day (HH:MM)") % {"v": text})
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    if kind == spec.DATETIME:
        try:
            moment = datetime.fromisoformat(stripped)
        except ValueError:
            raise Invalid(_("'%(v)s' is not a date and time (ISO 8601)") % {"v": text}) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind == spec.ENUM:
        for choice in f.enum:
            if stripped.lower() == choice.lower():
                return choice
        raise Invalid(
            _("'%(v)s' is not one of: %(choices)s") % {"v": text, "choices": ", ".join(f.enum)}
        )
    if kind == spec.URI and not _URI.match(stripped):
        raise Invalid(_("'%(v)s' is not a web address (URI)") % {"v": text})
    if kind == spec.EMAIL and not _EMAIL.match(stripped):
        raise Invalid(_("'%(v)s' is not an email address") % {"v": text})
    if kind in (spec.UUID, spec.TEXT_ID, spec.URI, spec.EMAIL):
        text = stripped
    if f.max_length and len(text) > f.max_length:
        raise Invalid(_("is longer than %(max)s characters") % {"max": f.max_length})
    return text


def text_of(f: spec.Field, value: Any) -> str:
    """How we write a date, time or date and time of ``f`` (the export's form)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _extra(row: Row, table: spec.Table, values: dict[str, Any]) -> dict[str, Any]:
    """What ``hsds_extra`` keeps of a row: see ``models.HsdsRow``."""
    written = {}
    for f in table.fields:
        raw, value = row.values.get(f.name), values.get(f.model_field)
        if f.type not in spec.WRITTEN_AS or not isinstance(raw, str) or value in (None, ""):
            continue
        if raw.strip() != text_of(f, value):
            written[f.name] = raw.strip()
    extra: dict[str, Any] = {}
    if row.kept:
        extra["kept"] = row.kept
    if written:
        extra["written"] = written
    return extra


def _bad_date(text: str) -> date:
    raise Invalid(_("'%(v)s' is not a date (YYYY-MM-DD)") % {"v": text})


def check(dataset: Dataset, *, organization_id: int) -> Checked:
    checked = Checked(problems=list(dataset.problems))

    def problem(row: Row, field_name: str, message: str) -> None:
        checked.problems.append(
            {"file": row.file, "row": row.row, "field": row.name_of(field_name), "message": message}
        )

    merged = _merge(dataset.rows, problem, dataset.loose_ids)
    for table in spec.TABLES:
        rows = merged.get(table.name, {})
        model_fields: dict[str, models.Field[Any, Any]] = {
            f.name: table.model._meta.get_field(f.model_field) for f in table.fields
        }
        cleaned: dict[str, tuple[Row, dict[str, Any]]] = {}
        for hsds_id, row in rows.items():
            values: dict[str, Any] = {}
            for f in table.fields:
                raw = row.values.get(f.name)
                if _blank(raw):
                    if f.required:
                        problem(row, f.name, _("A value is required."))
                    values[f.model_field] = None if model_fields[f.name].null else ""
                    continue
                try:
                    values[f.model_field] = convert(f, raw, model_fields[f.name], dataset.loose_ids)
                except Invalid as exc:
                    problem(row, f.name, str(exc))
            owners = spec.OWNERS.get(table.name, ())
            if owners and all(_blank(row.values.get(link)) for link in owners):
                problem(
                    row,
                    "id",
                    _("This %(table)s belongs to no other row: give one of %(links)s.")
                    % {"table": table.name, "links": ", ".join(owners)},
                )
            values["hsds_extra"] = _extra(row, table, values)
            cleaned[hsds_id] = (row, values)
        checked.tables[table.name] = cleaned
    _check_references(checked, organization_id, problem)
    return checked


def _same(table: str, key: str, first: Any, again: Any, loose_ids: bool) -> bool:
    """Whether two copies of a field say the same (``10:00`` and ``10:00:00`` do); a
    copy that is not a valid value at all is ``Invalid``, to be reported as such."""
    if first == again:
        return True
    definition = spec.BY_NAME[table]
    f = definition.get(key)
    if f is None:
        return False
    model_field = definition.model._meta.get_field(f.model_field)
    converted = convert(f, again, model_field, loose_ids)
    try:
        return bool(convert(f, first, model_field, loose_ids) == converted)
    except Invalid:
        return True  # the first copy's bad value is reported where it is


def _merge(
    rows: Iterable[Row], problem: Callable[[Row, str, str], None], loose_ids: bool = False
) -> dict[str, dict[str, Row]]:
    """Rows by table and id. A compiled JSON file repeats shared objects (an organization
    in each of its services): a nested object is merged with its other copies when they
    agree; two table rows with one id are duplicates. A copy with a bad value is reported
    as the bad value it is, not as a disagreement."""
    merged: dict[str, dict[str, Row]] = defaultdict(dict)
    for row in rows:
        raw_id = row.values.get("id")
        if _blank(raw_id):
            problem(row, "id", _("A value is required."))
            continue
        hsds_id = str(raw_id).strip()
        row.values["id"] = hsds_id
        first = merged[row.table].get(hsds_id)
        if first is None:
            merged[row.table][hsds_id] = row
        elif not (first.nested or row.nested):
            problem(
                row,
                "id",
                _("'%(id)s' is used twice in this table (also %(file)s %(where)s).")
                % {"id": hsds_id, "file": first.file, "where": first.row},
            )
        else:
            for key, value in row.values.items():
                if _blank(value):
                    continue
                if _blank(first.values.get(key)):
                    first.values[key] = value
                    continue
                try:
                    same = _same(row.table, key, first.values[key], value, loose_ids)
                except Invalid as exc:
                    problem(row, key, str(exc))
                    continue
                if not same:
                    problem(
                        row,
                        key,
                        _("%(table)s '%(id)s' appears again with another value (see %(where)s).")
                        % {"table": row.table, "id": hsds_id, "where": first.row},
                    )
            for key, value in row.kept.items():
                if key not in first.kept:
                    first.kept[key] = value
                elif first.kept[key] != value:
                    problem(
                        row,
                        key,
                        _("%(table)s '%(id)s' appears again with another value (see %(where)s).")
                        % {"table": row.table, "id": hsds_id, "where": first.row},
                    )
    return merged


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def existing_ids(table: spec.Table, organization_id: int, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` our directory already has in ``table``.

    Asked in chunks when the table holds more rows than we ask about; otherwise all its
    ids are read at once, which is one query however many rows a file has.
    """
    asked = set(ids)
    rows = table.model.objects.filter(organization_id=organization_id)
    if not asked:
        return set()
    if rows.count() <= len(asked):
        return asked.intersection(rows.values_list("hsds_id", flat=True).iterator(chunk_size=CHUNK))
    found: set[str] = set()
    for chunk in _chunks(sorted(asked)):
        found.update(
            table.model.objects.filter(
                organization_id=organization_id, hsds_id__in=chunk
            ).values_list("hsds_id", flat=True)
        )
    return found


def _check_references(
    checked: Checked, organization_id: int, problem: Callable[[Row, str, str], None]
) -> None:
    file_ids = {name: set(rows) for name, rows in checked.tables.items()}
    # What each table is asked for: (row, field, target id) not found in the file.
    wanted: dict[str, list[tuple[Row, str, str]]] = defaultdict(list)
    for table in spec.TABLES:
        for row, values in checked.tables[table.name].values():
            for f in table.fields:
                target = spec.BY_NAME[f.references] if f.references else None
                ref = values.get(f.model_field)
                if target is not None and ref and ref not in file_ids[target.name]:
                    wanted[target.name].append((row, f.name, ref))
            if table.name == "attribute":
                entity = values.get("link_entity")
                if entity in spec.BY_NAME and values.get("link_id") not in file_ids[entity]:
                    wanted[entity].append((row, "link_id", values["link_id"]))
    all_file_ids = {hsds_id: name for name, ids in file_ids.items() for hsds_id in ids}
    for table in spec.TABLES:
        refs = wanted.get(table.name, [])
        others = [i for i, name in all_file_ids.items() if name != table.name]
        found = existing_ids(table, organization_id, [ref for _row, _f, ref in refs] + others)
        for row, field_name, ref in refs:
            if ref not in found:
                problem(
                    row,
                    field_name,
                    _("No %(table)s with id '%(id)s' in the file or in our directory.")
                    % {"table": table.name, "id": ref},
                )
        for hsds_id in sorted(found.intersection(others)):
            owner = all_file_ids[hsds_id]
            problem(
                checked.tables[owner][hsds_id][0],
                "id",
                _("'%(id)s' is already a %(table)s in our directory, not a %(owner)s.")
                % {"id": hsds_id, "table": table.name, "owner": owner},
            )

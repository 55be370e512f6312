"""Our own field tables for HSDS 3.0 (and the legacy 1.x CSV tables), fitted to our columns.

Each ``Table`` names its HSDS table, its tabular file, its key in a JSON document keyed by
table, the model it fills and its fields. Each ``Field`` says how a value is read and
checked: its type, whether it must have a value, its enum, the longest text our column
holds, and which table a foreign key points to. ``column`` is the model field when the
HSDS name differs (``organization_id`` → ``provider``).

Two fields are lenient on purpose: ``organization.description`` and
``taxonomy_term.description`` are required by HSDS 3.0, but real directories leave them
blank so often that refusing such files would refuse most of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casework.resources import models as m

STRING = "string"
UUID = "uuid"
TEXT_ID = "id"  # 1.x ids: any text
DATE = "date"
TIME = "time"
DATETIME = "datetime"
NUMBER = "number"
INTEGER = "integer"
ENUM = "enum"
URI = "uri"
EMAIL = "email"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = STRING
    required: bool = False
    max_length: int | None = None
    enum: tuple[str, ...] = ()
    references: str | None = None
    column: str | None = None

    @property
    def model_field(self) -> str:
        return self.column or self.name


@dataclass(frozen=True)
class Table:
    name: str
    #: A concrete ``HsdsRow`` model (typed loosely: the abstract base has no manager).
    model: type[Any]
    fields: tuple[Field, ...]
    plural: str = ""
    file: str = ""
    children: dict[str, str] = field(default_factory=dict)

    @property
    def json_key(self) -> str:
        return self.plural or f"{self.name}s"

    @property
    def csv_name(self) -> str:
        """The file of the table in the v3.0 datapackage (``service_at_locations.csv``)."""
        return self.file or f"{self.json_key}.csv"

    @property
    def csv_names(self) -> tuple[str, str]:
        """The names a tabular file of the table may have: the datapackage's, or the
        table's own (``service_at_location.csv``, as Casework once exported)."""
        return (self.csv_name, f"{self.name}.csv")

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _id() -> Field:
    return Field("id", UUID, required=True, max_length=100)


def _fk(name: str, table: str, column: str, *, required: bool = False) -> Field:
    return Field(name, UUID, required=required, max_length=100, references=table, column=column)


def _text(name: str, length: int | None = None, *, required: bool = False) -> Field:
    return Field(name, STRING, required=required, max_length=length)


SERVICE_STATUS = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EXTENT_TYPES = ("geojson", "topojson", "kml", "text")

#: HSDS 3.0, in the order rows must be written (a table only points to tables before it,
#: except a parent in its own table).
TABLES: tuple[Table, ...] = (
    Table(
        "taxonomy",
        m.Taxonomy,
        (
            _id(),
            _text("name", 200, required=True),
            _text("description"),
            Field("uri", URI, max_length=500),
            _text("version", 50),
        ),
        plural="taxonomies",
    ),
    Table(
        "taxonomy_term",
        m.TaxonomyTerm,
        (
            _id(),
            _text("code", 100),
            _text("name", 200, required=True),
            _text("description"),
            _fk("parent_id", "taxonomy_term", "parent"),
            Field("taxonomy", STRING, max_length=200, column="taxonomy_name"),
            _text("language", 20),
            _fk("taxonomy_id", "taxonomy", "taxonomy"),
            Field("term_uri", URI, max_length=500),
        ),
    ),
    Table(
        "organization",
        m.Provider,
        (
            _id(),
            _text("name", 300, required=True),
            _text("alternate_name", 300),
            _text("description"),
            Field("email", EMAIL, max_length=254),
            Field("website", URI, max_length=500),
            _text("tax_status", 200),
            _text("tax_id", 100),
            Field("year_incorporated", INTEGER),
            _text("legal_status", 200),
            Field("logo", URI, max_length=500),
            Field("uri", URI, max_length=500),
            _fk("parent_organization_id", "organization", "parent"),
        ),
        children={
            "services": "service",
            "locations": "location",
            "phones": "phone",
            "contacts": "contact",
        },
    ),
    Table(
        "location",
        m.Location,
        (
            _id(),
            Field("location_type", ENUM, required=True, enum=LOCATION_TYPES),
            Field("url", URI, max_length=500),
            _fk("organization_id", "organization", "provider"),
            _text("name", 300),
            _text("alternate_name", 300),
            _text("description"),
            _text("transportation"),
            Field("latitude", NUMBER),
            Field("longitude", NUMBER),
            _text("external_identifier", 200),
            _text("external_identifier_type", 200),
        ),
        children={
            "addresses": "address",
            "phones": "phone",
            "schedules": "schedule",
            "accessibility": "accessibility",
            "languages": "language",
            "contacts": "contact",
        },
    ),
    Table(
        "service",
        m.Service,
        (
            _id(),
            _fk("organization_id", "organization", "provider", required=True),
            _text("name", 300, required=True),
            _text("alternate_name", 300),
            _text("description"),
            Field("url", URI, max_length=500),
            Field("email", EMAIL, max_length=254),
            Field("status", ENUM, required=True, enum=SERVICE_STATUS),
            _text("interpretation_services"),
            _text("application_process"),
            _text("fees_description"),
            _text("wait_time", 200),
            _text("accreditations"),
            _text("licenses"),
            _text("eligibility_description"),
            Field("minimum_age", INTEGER),
            Field("maximum_age", INTEGER),
            _text("alert"),
            Field("assured_date", DATE),
            Field("assurer_email", EMAIL, max_length=254),
            Field("last_modified", DATETIME),
        ),
        children={
            "service_at_locations": "service_at_location",
            "phones": "phone",
            "schedules": "schedule",
            "service_areas": "service_area",
            "languages": "language",
            "cost_options": "cost_option",
            "required_documents": "required_document",
            "contacts": "contact",
        },
    ),
    Table(
        "service_at_location",
        m.ServiceAtLocation,
        (
            _id(),
            _fk("service_id", "service", "service", required=True),
            _fk("location_id", "location", "location", required=True),
            _text("description"),
        ),
        children={
            "phones": "phone",
            "schedules": "schedule",
            "service_areas": "service_area",
            "contacts": "contact",
        },
    ),
    Table(
        "contact",
        m.Contact,
        (
            _id(),
            _fk("organization_id", "organization", "provider"),
            _fk("service_id", "service", "service"),
            _fk("service_at_location_id", "service_at_location", "service_at_location"),
            _fk("location_id", "location", "location"),
            _text("name", 200),
            _text("title", 200),
            _text("department", 200),
            Field("email", EMAIL, max_length=254),
        ),
        children={"phones": "phone"},
    ),
    Table(
        "phone",
        m.Phone,
        (
            _id(),
            _fk("location_id", "location", "location"),
            _fk("service_id", "service", "service"),
            _fk("organization_id", "organization", "provider"),
            _fk("contact_id", "contact", "contact"),
            _fk("service_at_location_id", "service_at_location", "service_at_location"),
            _text("number", 50, required=True),
            Field("extension", NUMBER, max_length=20),
            _text("type", 20),
            _text("description"),
        ),
        children={"languages": "language"},
    ),
    Table(
        "schedule",
        m.Schedule,
        (
            _id(),
            _fk("service_id", "service", "service"),
            _fk("location_id", "location", "location"),
            _fk("service_at_location_id", "service_at_location", "service_at_location"),
            Field("valid_from", DATE),
            Field("valid_to", DATE),
            Field("dtstart", DATE),
            Field("timezone", NUMBER, max_length=60),
            Field("until", DATE),
            Field("count", INTEGER),
            Field("wkst", ENUM, enum=WEEKDAYS),
            Field("freq", ENUM, enum=("WEEKLY", "MONTHLY")),
            Field("interval", INTEGER),
            _text("byday", 100),
            _text("byweekno", 200),
            _text("bymonthday", 200),
            _text("byyearday", 200),
            _text("description"),
            Field("opens_at", TIME),
            Field("closes_at", TIME),
            Field("schedule_link", URI, max_length=500),
            _text("attending_type", 200),
            _text("notes"),
        ),
    ),
    Table(
        "language",
        m.Language,
        (
            _id(),
            _fk("service_id", "service", "service"),
            _fk("location_id", "location", "location"),
            _fk("phone_id", "phone", "phone"),
            _text("name", 100),
            _text("code", 20),
            _text("note"),
        ),
    ),
    Table(
        "service_area",
        m.ServiceArea,
        (
            _id(),
            _fk("service_id", "service", "service"),
            _fk("service_at_location_id", "service_at_location", "service_at_location"),
            _text("name", 300),
            _text("description"),
            _text("extent"),
            Field("extent_type", ENUM, enum=EXTENT_TYPES),
            Field("uri", URI, max_length=500),
        ),
    ),
    Table(
        "cost_option",
        m.CostOption,
        (
            _id(),
            _fk("service_id", "service", "service", required=True),
            Field("valid_from", DATE),
            Field("valid_to", DATE),
            _text("option"),
            _text("currency", 3),
            Field("amount", NUMBER),
            _text("amount_description"),
        ),
    ),
    Table(
        "required_document",
        m.RequiredDocument,
        (
            _id(),
            _fk("service_id", "service", "service", required=True),
            _text("document", required=True),
            Field("uri", URI, max_length=500),
        ),
    ),
    Table(
        "accessibility",
        m.Accessibility,
        (
            _id(),
            _fk("location_id", "location", "location", required=True),
            _text("description"),
            _text("details"),
            Field("url", URI, max_length=500),
        ),
        plural="accessibility",
    ),
    Table(
        "address",
        m.Address,
        (
            _id(),
            _fk("location_id", "location", "location", required=True),
            _text("attention", 200),
            _text("address_1", 300, required=True),
            _text("address_2", 300),
            _text("city", 200, required=True),
            _text("region", 200),
            _text("state_province", 100, required=True),
            _text("postal_code", 20, required=True),
            _text("country", 2, required=True),
            Field("address_type", ENUM, required=True, enum=LOCATION_TYPES),
        ),
        plural="addresses",
    ),
    Table(
        "attribute",
        m.Attribute,
        (
            _id(),
            Field("link_id", STRING, required=True, max_length=100),
            _fk("taxonomy_term_id", "taxonomy_term", "taxonomy_term", required=True),
            _text("link_type", 100),
            _text("link_entity", 50, required=True),
            _text("value"),
            _text("label", 200),
        ),
    ),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
BY_JSON_KEY: dict[str, Table] = {t.json_key: t for t in TABLES}
BY_CSV_NAME: dict[str, Table] = {name: t for t in TABLES for name in t.csv_names}

#: One-to-one objects nested in the compiled JSON form: key → (table, the field it fills).
NESTED_ONE: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id")},
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}

#: Which field of a child points to its parent, by parent table.
PARENT_FIELD: dict[str, str] = {
    "organization": "organization_id",
    "service": "service_id",
    "location": "location_id",
    "service_at_location": "service_at_location_id",
    "contact": "contact_id",
    "phone": "phone_id",
}

#: Rows that only make sense as part of another row: at least one of these links must
#: have a value (HSDS 3.0 makes each link optional, since any one of them will do). A row
#: without any belongs to nothing and is refused rather than written loose.
OWNERS: dict[str, tuple[str, ...]] = {
    "contact": ("organization_id", "service_id", "service_at_location_id", "location_id"),
    "phone": (
        "location_id",
        "service_id",
        "organization_id",
        "contact_id",
        "service_at_location_id",
    ),
    "schedule": ("service_id", "location_id", "service_at_location_id"),
    "language": ("service_id", "location_id", "phone_id"),
    "service_area": ("service_id", "service_at_location_id"),
}

#: HSDS fields we have no column for: kept as the file had them (``hsds_extra``), given
#: back by the export, never read by Casework itself.
NOT_KEPT: frozenset[str] = frozenset(
    {
        "program_id",
        "program",
        "fees",
        "funding",
        "metadata",
        "additional_websites",
        "additional_urls",
        "organization_identifiers",
        "programs",
        "capacities",
    }
)
#: Fields whose text a file may write in more than one way for one value.
WRITTEN_AS: frozenset[str] = frozenset({DATE, TIME, DATETIME})

#: Tables of the 3.0 tabular form that must be there.
REQUIRED_TABLES = ("organization", "service")


# --- HSDS 1.x CSV ------------------------------------------------------------------------
#
# Each legacy file is read into one of the 3.0 tables above and checked by its fields,
# except that ids may be any text. ``renames`` maps a 1.x column to the 3.0 field it
# fills; ``reshaped`` lists the 1.x columns the reader turns into other fields (a
# weekday into a weekly schedule, a vocabulary into a taxonomy name, ...).


@dataclass(frozen=True)
class LegacyTable:
    file: str
    target: str
    renames: dict[str, str] = field(default_factory=dict)
    reshaped: tuple[str, ...] = ()


LEGACY_TABLES: tuple[LegacyTable, ...] = (
    LegacyTable("organizations.csv", "organization", {"url": "website"}),
    LegacyTable("services.csv", "service", {"fees": "fees_description"}),
    LegacyTable("locations.csv", "location"),
    LegacyTable("physical_addresses.csv", "address"),
    LegacyTable("services_at_location.csv", "service_at_location"),
    LegacyTable("contacts.csv", "contact"),
    LegacyTable("phones.csv", "phone", reshaped=("language",)),
    LegacyTable("regular_schedules.csv", "schedule", reshaped=("weekday",)),
    LegacyTable("languages.csv", "language", {"language": "name"}),
    LegacyTable(
        "eligibility.csv",
        "service",
        reshaped=("service_id", "eligibility", "minimum_age", "maximum_age"),
    ),
    LegacyTable("service_areas.csv", "service_area", {"service_area": "name"}),
    LegacyTable("required_documents.csv", "required_document"),
    LegacyTable(
        "accessibility_for_disabilities.csv", "accessibility", {"accessibility": "description"}
    ),
    LegacyTable(
        "taxonomy.csv", "taxonomy_term", {"vocabulary": "taxonomy"}, reshaped=("parent_name",)
    ),
    LegacyTable(
        "services_taxonomy.csv",
        "attribute",
        {"taxonomy_id": "taxonomy_term_id", "taxonomy_detail": "value"},
        reshaped=("service_id",),
    ),
)

LEGACY_BY_FILE: dict[str, LegacyTable] = {t.file: t for t in LEGACY_TABLES}
#: Resources of a datapackage.json that only HSDS 1.x and 2.0 packages have, and those
#: only 3.0 has: a package says its version by them (or by its own ``version``).
LEGACY_RESOURCES = frozenset(
    {
        "physical_address",
        "postal_address",
        "regular_schedule",
        "holiday_schedule",
        "service_taxonomy",
        "service_attribute",
        "eligibility",
        "payment_accepted",
        "accessibility_for_disabilities",
        "services_at_location",
    }
)
V3_RESOURCES = frozenset(
    {"address", "schedule", "attribute", "taxonomy_term", "cost_option", "organization_identifier"}
)
LEGACY_REQUIRED_FILES = ("organizations.csv", "services.csv")
#: Legacy 1.x weekday spellings: ISO numbers (1 is Monday), names, abbreviations, codes.
LEGACY_WEEKDAYS: dict[str, str] = {
    key: code
    for index, (code, name) in enumerate(
        zip(
            WEEKDAYS,
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
    )
    for key in (str(index + 1), name, name[:3], code.lower())
}

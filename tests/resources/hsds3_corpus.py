"""A small HSDS 3.0 directory of our own, written in each shape the standard publishes.

Two organizations of a made-up town, their services, locations and what hangs off them,
with the fields Casework has no column for (funding, programs, identifiers, a service's
fees and program) and dates and times written as the standard's examples write them
(``…45.123Z``, ``10:00:00``). The functions return documents (dicts and lists) or write
a tabular folder; the tests write them where they need them.

Shapes: one object of organization, service, location, service_at_location, taxonomy and
taxonomy_term with their children nested; API pages (``contents``); the v3.0 tabular
datapackage (plural file names and a datapackage.json).
"""

from __future__ import annotations

import copy
import csv
import json
import uuid
from pathlib import Path
from typing import Any

NS = uuid.UUID("0c5e11a0-7b1d-4f7e-9d0a-5a3c0e2b9f10")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


ORG = uid("org:northgate")
OTHER_ORG = uid("org:millbrook")
SERVICE = uid("service:pantry")
OTHER_SERVICE = uid("service:tax-help")
LOCATION = uid("location:hall")
VIRTUAL = uid("location:online")
SAL = uid("sal:pantry@hall")
OTHER_SAL = uid("sal:tax@online")
TAXONOMY = uid("taxonomy:town")
TERM = uid("term:food")
CHILD_TERM = uid("term:pantry")
LAST_MODIFIED = "2024-03-05T14:30:45.123Z"


def taxonomy() -> dict[str, Any]:
    return {
        "id": TAXONOMY,
        "name": "Millbrook service kinds",
        "description": "The categories the town's help desk uses.",
        "uri": "https://example.org/millbrook/kinds",
        "version": "4",
    }


def taxonomy_term(parent: bool = True) -> dict[str, Any]:
    term: dict[str, Any] = {
        "id": CHILD_TERM,
        "code": "food-pantry",
        "name": "Food pantry",
        "description": "Groceries to take home.",
        "taxonomy_id": TAXONOMY,
        "language": "en",
        "term_uri": "https://example.org/millbrook/kinds/food-pantry",
        "taxonomy_detail": taxonomy(),
    }
    if parent:
        term["parent_id"] = TERM
    return term


def parent_term() -> dict[str, Any]:
    return {
        "id": TERM,
        "code": "food",
        "name": "Food",
        "description": "Food of every kind.",
        "taxonomy_id": TAXONOMY,
    }


def location() -> dict[str, Any]:
    return {
        "id": LOCATION,
        "location_type": "physical",
        "organization_id": ORG,
        "name": "Northgate Parish Hall",
        "description": "The hall behind the church.",
        "latitude": 41.2501,
        "longitude": -72.6012,
        "addresses": [
            {
                "id": uid("address:hall"),
                "address_1": "12 Quarry Lane",
                "city": "Millbrook",
                "state_province": "CT",
                "postal_code": "06001",
                "country": "US",
                "address_type": "physical",
            }
        ],
        "phones": [{"id": uid("phone:hall"), "number": "555-0140", "type": "voice"}],
        "schedules": [
            {
                "id": uid("schedule:hall"),
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "08:00:00",
                "closes_at": "12:00:00",
                "valid_from": "2024-01-01",
            }
        ],
        "accessibility": [{"id": uid("access:hall"), "description": "Ramp at the side door."}],
        "languages": [{"id": uid("language:hall"), "name": "Polish", "code": "pl"}],
    }


def service() -> dict[str, Any]:
    """The pantry, with its service_at_location (location by id) and what hangs off it."""
    return {
        "id": SERVICE,
        "organization_id": ORG,
        "program_id": uid("program:food"),
        "name": "Saturday pantry",
        "description": "Groceries for households in the town.",
        "status": "active",
        "fees": "None",
        "fees_description": "Free; donations welcome.",
        "eligibility_description": "Households living in Millbrook.",
        "minimum_age": 18,
        "assured_date": "2024-02-01",
        "last_modified": LAST_MODIFIED,
        "url": "https://example.org/northgate/pantry",
        "program": {
            "id": uid("program:food"),
            "organization_id": ORG,
            "name": "Food security",
            "description": "Everything we do about food.",
        },
        "funding": [{"id": uid("funding:pantry"), "service_id": SERVICE, "source": "Town grant"}],
        "phones": [{"id": uid("phone:pantry"), "number": "555-0141", "extension": 12}],
        "schedules": [
            {
                "id": uid("schedule:pantry"),
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "10:00:00",
                "closes_at": "11:30:00",
                "description": "Saturday mornings.",
            }
        ],
        "languages": [{"id": uid("language:pantry"), "name": "Spanish", "code": "es"}],
        "service_areas": [{"id": uid("area:pantry"), "name": "Millbrook", "extent_type": "text"}],
        "cost_options": [
            {"id": uid("cost:pantry"), "option": "Free", "amount": 0, "currency": "USD"}
        ],
        "required_documents": [{"id": uid("document:pantry"), "document": "Proof of address"}],
        "contacts": [
            {
                "id": uid("contact:pantry"),
                "name": "Pantry lead",
                "email": "pantry@example.org",
                "phones": [{"id": uid("phone:pantry-lead"), "number": "555-0142"}],
            }
        ],
        "attributes": [
            {
                "id": uid("attribute:pantry"),
                "taxonomy_term_id": CHILD_TERM,
                "value": "pantry",
                "taxonomy_term": taxonomy_term(parent=False),
            }
        ],
        "service_at_locations": [
            {
                "id": SAL,
                "location_id": LOCATION,
                "description": "At the hall.",
                "schedules": [
                    {
                        "id": uid("schedule:sal"),
                        "freq": "WEEKLY",
                        "byday": "SA",
                        "opens_at": "10:00",
                    }
                ],
            }
        ],
    }


def organization() -> dict[str, Any]:
    """Northgate, with everything of its own and its service nested in it."""
    return {
        "id": ORG,
        "name": "Northgate Food Collective",
        "description": "Neighbours feeding neighbours.",
        "email": "hello@example.org",
        "website": "https://example.org/northgate",
        "year_incorporated": 2011,
        "legal_status": "Nonprofit",
        "funding": [{"id": uid("funding:org"), "organization_id": ORG, "source": "Members"}],
        "programs": [
            {
                "id": uid("program:food"),
                "organization_id": ORG,
                "name": "Food security",
                "description": "Everything we do about food.",
            }
        ],
        "organization_identifiers": [
            {
                "id": uid("identifier:org"),
                "organization_id": ORG,
                "identifier_scheme": "US-EIN",
                "identifier_type": "Tax id",
                "identifier": "00-0000001",
            }
        ],
        "phones": [{"id": uid("phone:org"), "number": "555-0100"}],
        "contacts": [{"id": uid("contact:org"), "name": "Office", "title": "Coordinator"}],
        "locations": [location()],
        "services": [service()],
    }


def other_organization() -> dict[str, Any]:
    return {
        "id": OTHER_ORG,
        "name": "Millbrook Tax Volunteers",
        "description": "Free tax returns.",
        "locations": [
            {"id": VIRTUAL, "location_type": "virtual", "url": "https://example.org/tax"}
        ],
        "services": [
            {
                "id": OTHER_SERVICE,
                "name": "Tax return help",
                "status": "active",
                "service_at_locations": [{"id": OTHER_SAL, "location_id": VIRTUAL}],
            }
        ],
    }


def service_document() -> dict[str, Any]:
    """One service with its organization and each location nested as objects."""
    document = service()
    document["organization"] = {k: v for k, v in organization().items() if k != "services"}
    document["organization"]["locations"] = []
    document["service_at_locations"][0]["location"] = location()
    return document


def service_at_location_document() -> dict[str, Any]:
    """One service_at_location with its service and location nested in it."""
    document = copy.deepcopy(service()["service_at_locations"][0])
    document["service_id"] = SERVICE
    inner = service()
    del inner["service_at_locations"]
    inner["organization"] = {"id": ORG, "name": "Northgate Food Collective"}
    document["service"] = inner
    document["location"] = location()
    return document


def page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """An API page of the standard holding ``contents``."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


# --- the v3.0 tabular datapackage ---------------------------------------------------------

TABULAR: dict[str, tuple[str, list[str], list[list[Any]]]] = {
    "organization": (
        "organizations.csv",
        ["id", "name", "description", "website"],
        [[ORG, "Northgate Food Collective", "Neighbours.", "https://example.org/northgate"]],
    ),
    "service": (
        "services.csv",
        ["id", "organization_id", "name", "status", "fees_description", "last_modified"],
        [[SERVICE, ORG, "Saturday pantry", "active", "Free.", LAST_MODIFIED]],
    ),
    "location": (
        "locations.csv",
        ["id", "organization_id", "location_type", "name", "latitude", "longitude"],
        [[LOCATION, ORG, "physical", "Northgate Parish Hall", "41.2501", "-72.6012"]],
    ),
    "service_at_location": (
        "service_at_locations.csv",
        ["id", "service_id", "location_id"],
        [[SAL, SERVICE, LOCATION]],
    ),
    "address": (
        "addresses.csv",
        [
            "id",
            "location_id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
        [
            [
                uid("address:hall"),
                LOCATION,
                "12 Quarry Lane",
                "Millbrook",
                "CT",
                "06001",
                "US",
                "physical",
            ]
        ],
    ),
    "phone": (
        "phones.csv",
        ["id", "service_id", "number"],
        [[uid("phone:pantry"), SERVICE, "555-0141"]],
    ),
    "schedule": (
        "schedules.csv",
        ["id", "service_id", "freq", "byday", "opens_at", "closes_at"],
        [[uid("schedule:pantry"), SERVICE, "WEEKLY", "SA", "10:00:00", "11:30:00"]],
    ),
}


def write_tabular(folder: Path, *, datapackage: bool = True) -> Path:
    """The tabular form in ``folder``: one CSV per table, named as the v3.0 package names them."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for name, (file, header, rows) in TABULAR.items():
        with (folder / file).open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        resources.append(
            {
                "name": name,
                "path": file,
                "profile": "tabular-data-resource",
                "schema": {"fields": [{"name": h, "type": "string"} for h in header]},
            }
        )
    if datapackage:
        package = {"name": "millbrook", "profile": "tabular-data-package", "resources": resources}
        (folder / "datapackage.json").write_text(json.dumps(package, indent=2))
    return folder

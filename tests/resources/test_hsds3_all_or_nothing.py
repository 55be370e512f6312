"""An HSDS import writes every row of the file or none: nothing that belongs to nothing.

A service-at-location file with its service nested inside it once printed "Imported": the
reader left out the keys it did not understand (the service-at-location itself, its service
and its location) and the validator let the contacts, phones, schedules and languages
through although they no longer belonged to any row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from casework.resources.hsds.importer import directory_import_run
from casework.resources.models import (
    Contact,
    ImportStatus,
    Language,
    Phone,
    Provider,
    Schedule,
    ServiceAtLocation,
)
from tests.personas import Personas

SAL = "a0000000-0000-4000-8000-000000000001"
SERVICE = "a0000000-0000-4000-8000-000000000002"
ORG = "a0000000-0000-4000-8000-000000000003"
LOCATION = "a0000000-0000-4000-8000-000000000004"
CONTACT = "a0000000-0000-4000-8000-000000000005"
PHONE = "a0000000-0000-4000-8000-000000000006"
SCHEDULE = "a0000000-0000-4000-8000-000000000007"
LANGUAGE = "a0000000-0000-4000-8000-000000000008"


def service_at_location() -> dict[str, Any]:
    """One service_at_location object, its service and location nested in it."""
    return {
        "id": SAL,
        "service_id": SERVICE,
        "location_id": LOCATION,
        "description": "Walk-in hours at the library branch.",
        "service": {
            "id": SERVICE,
            "organization_id": ORG,
            "name": "Tenant advice",
            "status": "active",
            "organization": {"id": ORG, "name": "Eastside Tenants", "description": "Advice."},
        },
        "location": {"id": LOCATION, "location_type": "physical", "name": "Library branch"},
        "contacts": [
            {
                "id": CONTACT,
                "name": "Front desk",
                "phones": [
                    {
                        "id": PHONE,
                        "number": "555-0100",
                        "languages": [{"id": LANGUAGE, "name": "Spanish", "code": "es"}],
                    }
                ],
            }
        ],
        "schedules": [{"id": SCHEDULE, "freq": "WEEKLY", "byday": "TU", "opens_at": "10:00:00"}],
    }


def run(personas: Personas, path: Path) -> Any:
    return directory_import_run(actor=personas.admin, organization_id=personas.agency.pk, path=path)


def written(personas: Personas) -> dict[str, int]:
    agency = personas.agency
    return {
        model.__name__: model.objects.filter(organization=agency).count()
        for model in (Provider, ServiceAtLocation, Contact, Phone, Schedule, Language)
    }


def test_rows_that_belong_to_nothing_are_refused_and_nothing_is_written(
    personas: Personas, tmp_path: Path
) -> None:
    document = {
        "contacts": [{"id": CONTACT, "name": "Front desk"}],
        "phones": [{"id": PHONE, "number": "555-0100"}],
        "schedules": [{"id": SCHEDULE, "freq": "WEEKLY", "byday": "TU"}],
        "languages": [{"id": LANGUAGE, "name": "Spanish"}],
        "organizations": [{"id": ORG, "name": "Eastside Tenants"}],
    }
    (tmp_path / "loose.json").write_text(json.dumps(document))
    record = run(personas, tmp_path / "loose.json")
    assert record.status == ImportStatus.FAILED
    found = {(p["file"], p["row"], p["field"]) for p in record.problems}
    assert found == {
        ("loose.json", "contacts[0]", "id"),
        ("loose.json", "phones[0]", "id"),
        ("loose.json", "schedules[0]", "id"),
        ("loose.json", "languages[0]", "id"),
    }
    assert all("belongs to no" in p["message"] for p in record.problems), record.problems
    assert set(written(personas).values()) == {0}


def test_a_service_at_location_with_its_service_nested_imports_whole(
    personas: Personas, tmp_path: Path
) -> None:
    (tmp_path / "sal.json").write_text(json.dumps(service_at_location()))
    record = run(personas, tmp_path / "sal.json")
    assert record.problems == []
    assert record.status == ImportStatus.DONE
    at = ServiceAtLocation.objects.get(hsds_id=SAL)
    assert (at.service.hsds_id, at.location.hsds_id) == (SERVICE, LOCATION)
    assert at.service.provider.hsds_id == ORG
    assert Contact.objects.get(hsds_id=CONTACT).service_at_location == at
    phone = Phone.objects.get(hsds_id=PHONE)
    assert phone.contact is not None and phone.contact.hsds_id == CONTACT
    assert Language.objects.get(hsds_id=LANGUAGE).phone == phone
    assert Schedule.objects.get(hsds_id=SCHEDULE).service_at_location == at


def test_a_key_holding_objects_we_cannot_place_stops_the_import(
    personas: Personas, tmp_path: Path
) -> None:
    document = {
        "organizations": [{"id": ORG, "name": "Eastside Tenants"}],
        "branch_offices": [{"id": LOCATION, "name": "Library branch"}],
    }
    (tmp_path / "odd.json").write_text(json.dumps(document))
    record = run(personas, tmp_path / "odd.json")
    assert record.status == ImportStatus.FAILED
    assert [(p["row"], p["field"]) for p in record.problems] == [("branch_offices", "")]
    assert "not an HSDS table" in record.problems[0]["message"]
    assert set(written(personas).values()) == {0}

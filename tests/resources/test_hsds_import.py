"""Importing HSDS files: each format, all or nothing, idempotent, agency knowledge kept."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict

from casework.core.models import AuditEvent
from casework.resources.hsds import exporter, spec
from casework.resources.hsds.importer import directory_import_run
from casework.resources.models import (
    Attribute,
    ImportFormat,
    ImportStatus,
    Provider,
    Service,
    ServiceOpening,
    TaxonomyTerm,
)
from tests.factories import OrganizationFactory
from tests.personas import Personas

FIXTURES = Path(__file__).parent / "fixtures"
HSDS3 = FIXTURES / "hsds3" / "directory.json"


def dump(organization_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every HSDS row of an agency, without pks or the agency: comparable across agencies."""
    tables = {}
    for table in spec.TABLES:
        rows = []
        for obj in table.model.objects.filter(organization_id=organization_id).order_by("hsds_id"):
            values = model_to_dict(obj)
            values.pop("id")
            values.pop("organization")
            for f in table.fields:
                if f.references and values.get(f.model_field):
                    target = spec.BY_NAME[f.references].model
                    values[f.model_field] = target.objects.get(pk=values[f.model_field]).hsds_id
            if table.name == "attribute" and values.get("service"):
                values["service"] = Service.objects.get(pk=values["service"]).hsds_id
            for derived in (
                "search_text",
                "is_free",
                "version",
                "updated_at",
                "latitude",
                "longitude",
            ):
                if table.name in ("service", "service_at_location"):
                    values.pop(derived, None)
            rows.append(values)
        tables[table.name] = rows
    return tables


def run(personas: Personas, path: Path, **kwargs: Any) -> Any:
    return directory_import_run(
        actor=personas.admin, organization_id=personas.agency.pk, path=path, **kwargs
    )


def test_the_hsds3_fixture_imports_every_table(personas: Personas) -> None:
    record = run(personas, HSDS3)
    assert record.problems == []
    assert record.status == ImportStatus.DONE
    assert record.format == ImportFormat.HSDS3_JSON
    created = {t: c["created"] for t, c in record.summary["tables"].items()}
    assert created["organization"] == 4
    assert created["service"] == 6
    assert created["taxonomy"] == 2
    assert created["taxonomy_term"] == 5
    assert all(created[t.name] > 0 for t in spec.TABLES)
    legal = TaxonomyTerm.objects.get(code="oe-101")
    assert legal.parent is not None and legal.parent.code == "oe-100"
    assert Attribute.objects.filter(service__isnull=False).count() == 10
    assert ServiceOpening.objects.filter(organization=personas.agency).exists()
    assert AuditEvent.objects.filter(action="directory.import").count() == 1


def test_importing_the_same_file_twice_changes_nothing(personas: Personas) -> None:
    run(personas, HSDS3)
    before = dump(personas.agency.pk)
    versions = list(Service.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    second = run(personas, HSDS3)
    counts = second.summary["tables"]
    assert all(c["created"] == 0 and c["updated"] == 0 for c in counts.values()), counts
    assert sum(c["unchanged"] for c in counts.values()) == second.total
    assert dump(personas.agency.pk) == before
    assert (
        list(Service.objects.order_by("pk").values_list("pk", "version", "updated_at")) == versions
    )


def test_export_import_export_gives_the_same_bytes_and_the_same_rows(
    personas: Personas, tmp_path: Path
) -> None:
    run(personas, HSDS3)
    first = exporter.directory_export(
        actor=personas.admin, organization_id=personas.agency.pk, format="json"
    )
    tabular = exporter.directory_export(
        actor=personas.admin, organization_id=personas.agency.pk, format="tabular"
    )
    fresh, other = OrganizationFactory(), OrganizationFactory()
    (tmp_path / "export.json").write_bytes(first)
    (tmp_path / "export.zip").write_bytes(tabular)
    from_json = directory_import_run(
        actor=None, organization_id=fresh.pk, path=tmp_path / "export.json"
    )
    from_zip = directory_import_run(
        actor=None, organization_id=other.pk, path=tmp_path / "export.zip"
    )
    assert from_json.problems == [] and from_zip.problems == []
    assert from_zip.format == ImportFormat.HSDS3_TABULAR
    again = exporter.directory_export(actor=None, organization_id=fresh.pk, format="json")
    assert again == first
    assert (
        exporter.directory_export(actor=None, organization_id=other.pk, format="tabular") == tabular
    )
    original = dump(personas.agency.pk)
    assert dump(fresh.pk) == original
    assert dump(other.pk) == original


def test_the_tabular_export_holds_a_datapackage_and_every_table(personas: Personas) -> None:
    run(personas, HSDS3)
    data = exporter.directory_export(
        actor=personas.admin, organization_id=personas.agency.pk, format="tabular"
    )
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == ["datapackage.json", *(t.csv_name for t in spec.TABLES)]


def test_an_import_never_touches_the_agency_knowledge(personas: Personas, tmp_path: Path) -> None:
    run(personas, HSDS3)
    service = Service.objects.get(name="Service 2 of Harbor Housing Alliance")
    service.accepting_referrals = False
    service.in_house_program = personas.program
    service.save()
    Provider.objects.filter(pk=service.provider_id).update(
        is_own_agency=True, partner_organization=personas.other_agency
    )
    changed = HSDS3.read_text().replace("Help with everyday needs.", "Help with needs.")
    (tmp_path / "changed.json").write_text(changed)
    record = run(personas, tmp_path / "changed.json")
    assert record.summary["tables"]["service"] == {"created": 0, "updated": 6, "unchanged": 0}
    service.refresh_from_db()
    assert service.description == "Help with needs."
    assert service.version == 2
    assert not service.accepting_referrals and service.in_house_program == personas.program
    assert service.provider.is_own_agency
    assert service.provider.partner_organization == personas.other_agency


def test_rows_missing_from_a_later_file_are_kept(personas: Personas, tmp_path: Path) -> None:
    run(personas, HSDS3)
    (tmp_path / "one.json").write_text(
        '{"organizations": [{"id": "' + Provider.objects.first().hsds_id + '", "name": "Renamed"}]}'  # type: ignore[union-attr]
    )
    record = run(personas, tmp_path / "one.json")
    assert record.problems == []
    assert Service.objects.filter(organization=personas.agency).count() == 6
    assert Provider.objects.filter(name="Renamed").count() == 1


def test_the_tabular_folder_imports_like_the_zip(personas: Personas, tmp_path: Path) -> None:
    run(personas, HSDS3)
    data = exporter.directory_export(
        actor=None, organization_id=personas.agency.pk, format="tabular"
    )
    (tmp_path / "x.zip").write_bytes(data)
    folder = tmp_path / "folder"
    zipfile.ZipFile(tmp_path / "x.zip").extractall(folder)
    (folder / "datapackage.json").unlink()
    (folder / "funding.csv").write_text("id,source\n1,City\n")
    fresh = OrganizationFactory()
    record = directory_import_run(actor=None, organization_id=fresh.pk, path=folder)
    assert record.problems == []
    assert dump(fresh.pk) == dump(personas.agency.pk)
    assert any("funding.csv" in note for note in record.summary["notes"])
    assert any("datapackage.json" in note for note in record.summary["notes"])


def test_a_legacy_hsds1_folder_imports(personas: Personas) -> None:
    record = run(personas, FIXTURES / "hsds1")
    assert record.problems == []
    assert record.format == ImportFormat.HSDS1_CSV
    service = Service.objects.get(hsds_id="svc-1")
    assert service.fees_description == "Sliding scale"
    assert service.eligibility_description == "Adults; Residents of the county"
    assert (service.minimum_age, service.maximum_age) == (18, 64)
    assert service.provider.website == "https://pantry.example.org"
    schedules = service.schedules.order_by("hsds_id")
    assert [(s.freq, s.byday) for s in schedules] == [("WEEKLY", "MO"), ("WEEKLY", "WE")]
    assert service.attributes.get().taxonomy_term.name == "Food pantry"
    assert service.languages.get().name == "Spanish"
    assert service.at_locations.get().location.addresses.get().city == "Riverton"
    assert ServiceOpening.objects.filter(service=service).count() == 2


def test_a_broken_file_reports_every_problem_and_imports_nothing(personas: Personas) -> None:
    record = run(personas, FIXTURES / "broken")
    assert record.status == ImportStatus.FAILED
    found = {(p["file"], p["row"], p["field"]) for p in record.problems}
    assert found == {
        ("service.csv", 2, "minimum_age"),
        ("service.csv", 3, "status"),
        ("service.csv", 3, "organization_id"),
        ("service.csv", 4, "id"),
        ("service.csv", 5, "name"),
        ("location.csv", 2, "latitude"),
        ("location.csv", 3, "location_type"),
        ("phone.csv", 2, "service_id"),
        ("phone.csv", 3, "number"),
        ("phone.csv", 3, "id"),
        ("organization.csv", 3, "email"),
        ("schedule.csv", 2, "opens_at"),
    }
    minimum = next(p for p in record.problems if p["field"] == "minimum_age")
    assert minimum["message"] == "'twelve' is not a whole number"
    assert Provider.objects.filter(organization=personas.agency).count() == 0
    assert not AuditEvent.objects.filter(action="directory.import").exists()


SERVICE_ID = "6f1c2d7e-0000-4000-8000-000000000001"
ORG_ID = "6f1c2d7e-0000-4000-8000-000000000002"


def services(**fields: Any) -> str:
    service = {
        "id": SERVICE_ID,
        "name": "A",
        "status": "active",
        "organization": {"id": ORG_ID, "name": "O"},
    }
    return json.dumps([{k: v for k, v in (service | fields).items() if v is not None}])


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ("{not json", "", "not valid JSON"),
        (
            json.dumps({"services": [{"id": "x", "name": "A", "status": "active"}]}),
            "id",
            "is not a UUID",
        ),
        (services(status="open"), "status", "is not one of: active, inactive, defunct"),
        (services(name=None), "name", "A value is required"),
        (
            services(organization=None, organization_id=ORG_ID),
            "organization_id",
            "No organization with id",
        ),
        (services(email="nope"), "email", "'nope' is not an email address"),
        (services(name="x" * 301), "name", "is longer than 300 characters"),
        (services(minimum_age=-1), "minimum_age", "is out of range"),
        (services(assured_date="31/12/2026"), "assured_date", "is not a date (YYYY-MM-DD)"),
        (services(url="example org"), "url", "is not a web address"),
        (
            services(phones=[{"id": ORG_ID[:-1] + "3", "number": n} for n in ("1", "2")]),
            "number",
            "appears again with another value",
        ),
    ],
)
def test_each_kind_of_problem_is_named_with_its_file_row_and_field(
    personas: Personas, tmp_path: Path, content: str, field: str, message: str
) -> None:
    file = "bad.json"
    (tmp_path / file).write_text(content)
    record = run(personas, tmp_path / file)
    assert record.status == ImportStatus.FAILED
    assert any(
        p["field"] == field and message in p["message"] and p["file"] == file
        for p in record.problems
    ), record.problems
    assert not Provider.objects.filter(organization=personas.agency).exists()


def test_an_id_of_another_table_in_our_directory_is_refused(
    personas: Personas, tmp_path: Path
) -> None:
    run(personas, HSDS3)
    location_id = "6f1c2d7e-0000-4000-8000-00000000000a"
    org = Provider.objects.first()
    assert org is not None
    service = {"id": org.hsds_id, "name": "A", "status": "active", "organization_id": org.hsds_id}
    document = {
        "locations": [{"id": location_id, "location_type": "physical"}],
        "services": [service],
    }
    (tmp_path / "clash.json").write_text(json.dumps(document))
    record = run(personas, tmp_path / "clash.json")
    assert [(p["row"], p["field"]) for p in record.problems] == [("services[0]", "id")]
    assert "already a organization" in record.problems[0]["message"]


def test_a_bad_zip_and_missing_files_are_problems(personas: Personas, tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    assert (
        run(personas, tmp_path / "bad.zip").problems[0]["message"]
        == "The file is not a readable .zip archive."
    )
    folder = tmp_path / "tabular"
    folder.mkdir()
    (folder / "service.csv").write_text("id,name\n")
    record = run(personas, folder)
    assert [(p["file"], p["message"]) for p in record.problems] == [
        ("organizations.csv", "The file is missing.")
    ]


def test_a_file_that_is_not_utf8_is_a_problem(personas: Personas, tmp_path: Path) -> None:
    folder = tmp_path / "latin"
    shutil.copytree(FIXTURES / "hsds1", folder)
    (folder / "organizations.csv").write_bytes("id,name\n1,Caf\xe9\n".encode("latin-1"))
    record = run(personas, folder)
    assert {
        "file": "organizations.csv",
        "row": "",
        "field": "",
        "message": "The file is not UTF-8 text.",
    } in record.problems


def test_case_managers_and_other_agencies_may_not_import_or_export(personas: Personas) -> None:
    for user in (personas.case_manager, personas.auditor, personas.partner, personas.outsider):
        with pytest.raises(PermissionDenied):
            directory_import_run(actor=user, organization_id=personas.agency.pk, path=HSDS3)
        with pytest.raises(PermissionDenied):
            exporter.directory_export(actor=user, organization_id=personas.agency.pk, format="json")
    assert not Provider.objects.exists()

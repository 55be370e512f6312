"""HSDS 3.0 as the standard publishes it: each document shape, the tabular datapackage,
and a round trip that keeps every field the standard defines."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from casework.resources.hsds import exporter
from casework.resources.hsds.importer import directory_import_run
from casework.resources.models import (
    Contact,
    ImportFormat,
    ImportStatus,
    Language,
    Location,
    Phone,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.factories import OrganizationFactory
from tests.personas import Personas
from tests.resources import hsds3_corpus as corpus
from tests.resources.test_hsds_import import dump


def run(personas: Personas, path: Path, **kwargs: Any) -> Any:
    return directory_import_run(
        actor=personas.admin, organization_id=personas.agency.pk, path=path, **kwargs
    )


def write(tmp_path: Path, name: str, document: Any) -> Path:
    (tmp_path / name).write_text(json.dumps(document, indent=2))
    return tmp_path / name


def done(record: Any) -> Any:
    assert record.problems == [], record.problems
    assert record.status == ImportStatus.DONE
    assert not any("is not an HSDS table" in n for n in record.summary["notes"]), record.summary
    return record


def test_one_organization_with_everything_nested(personas: Personas, tmp_path: Path) -> None:
    record = done(run(personas, write(tmp_path, "org.json", corpus.organization())))
    assert record.format == ImportFormat.HSDS3_JSON
    org = Provider.objects.get(hsds_id=corpus.ORG)
    assert Service.objects.get(hsds_id=corpus.SERVICE).provider == org
    assert Location.objects.get(hsds_id=corpus.LOCATION).provider == org
    assert Phone.objects.get(hsds_id=corpus.uid("phone:org")).provider == org
    assert Contact.objects.get(hsds_id=corpus.uid("contact:org")).provider == org
    at = ServiceAtLocation.objects.get(hsds_id=corpus.SAL)
    assert (at.service.hsds_id, at.location.hsds_id) == (corpus.SERVICE, corpus.LOCATION)
    assert Schedule.objects.get(hsds_id=corpus.uid("schedule:sal")).service_at_location == at
    lead = Phone.objects.get(hsds_id=corpus.uid("phone:pantry-lead"))
    assert lead.contact is not None and lead.contact.hsds_id == corpus.uid("contact:pantry")


@pytest.mark.parametrize(
    ("name", "document", "table", "hsds_id"),
    [
        ("service.json", corpus.service_document(), Service, corpus.SERVICE),
        ("location.json", corpus.location(), Location, corpus.LOCATION),
        ("sal.json", corpus.service_at_location_document(), ServiceAtLocation, corpus.SAL),
        ("taxonomy.json", corpus.taxonomy(), Taxonomy, corpus.TAXONOMY),
        ("term.json", corpus.taxonomy_term(parent=False), TaxonomyTerm, corpus.CHILD_TERM),
    ],
)
def test_a_document_of_one_object_is_read_as_its_table(
    personas: Personas, tmp_path: Path, name: str, document: Any, table: Any, hsds_id: str
) -> None:
    if table is Location:
        Provider.objects.create(organization=personas.agency, hsds_id=corpus.ORG, name="N")
    record = done(run(personas, write(tmp_path, name, document)))
    assert table.objects.filter(organization=personas.agency, hsds_id=hsds_id).exists()
    assert record.total > 1 or table is Taxonomy
    if table is Location:
        assert Language.objects.get(hsds_id=corpus.uid("language:hall")).location is not None
    if table is TaxonomyTerm:
        term = TaxonomyTerm.objects.get(hsds_id=hsds_id)
        assert term.taxonomy is not None and term.taxonomy.hsds_id == corpus.TAXONOMY


@pytest.mark.parametrize(
    ("contents", "table", "ids"),
    [
        (
            [corpus.organization(), corpus.other_organization()],
            Provider,
            {corpus.ORG, corpus.OTHER_ORG},
        ),
        ([corpus.service_document()], Service, {corpus.SERVICE}),
        ([corpus.service_at_location_document()], ServiceAtLocation, {corpus.SAL}),
    ],
)
def test_a_page_is_read_as_the_table_its_items_are(
    personas: Personas, tmp_path: Path, contents: Any, table: Any, ids: set[str]
) -> None:
    done(run(personas, write(tmp_path, "page.json", corpus.page(contents))))
    found = set(
        table.objects.filter(organization=personas.agency).values_list("hsds_id", flat=True)
    )
    assert found == ids


def test_a_page_of_locations_needs_its_organization_and_says_so(
    personas: Personas, tmp_path: Path
) -> None:
    record = run(personas, write(tmp_path, "page.json", corpus.page([corpus.location()])))
    assert [(p["row"], p["field"]) for p in record.problems] == [("contents[0]", "organization_id")]
    assert "No organization with id" in record.problems[0]["message"]


def test_the_v3_datapackage_with_plural_file_names_is_read_as_3_0(
    personas: Personas, tmp_path: Path
) -> None:
    record = done(run(personas, corpus.write_tabular(tmp_path / "package")))
    assert record.format == ImportFormat.HSDS3_TABULAR
    assert ServiceAtLocation.objects.get(hsds_id=corpus.SAL).location.addresses.count() == 1
    assert Schedule.objects.get(hsds_id=corpus.uid("schedule:pantry")).opens_at is not None


def test_the_datapackage_tells_the_version_and_every_defect_is_found(
    personas: Personas, tmp_path: Path
) -> None:
    folder = corpus.write_tabular(tmp_path / "package")
    sal = folder / "service_at_locations.csv"
    sal.write_text(sal.read_text() + f"{corpus.uid('sal:x')},{corpus.SERVICE},{corpus.uid('y')}\n")
    locations = folder / "locations.csv"
    locations.write_text(locations.read_text().replace("41.2501", "100"))
    record = run(personas, folder)
    assert record.format == ImportFormat.HSDS3_TABULAR
    assert {(p["file"], p["row"], p["field"]) for p in record.problems} == {
        ("service_at_locations.csv", 3, "location_id"),
        ("locations.csv", 2, "latitude"),
    }
    assert not Provider.objects.filter(organization=personas.agency).exists()


def test_without_a_datapackage_the_plural_3_0_files_are_still_3_0(
    personas: Personas, tmp_path: Path
) -> None:
    record = done(run(personas, corpus.write_tabular(tmp_path / "p", datapackage=False)))
    assert record.format == ImportFormat.HSDS3_TABULAR


def test_a_legacy_datapackage_is_read_as_1_x(personas: Personas, tmp_path: Path) -> None:
    folder = tmp_path / "legacy"
    folder.mkdir()
    source = Path(__file__).parent / "fixtures" / "hsds1"
    for file in source.iterdir():
        (folder / file.name).write_bytes(file.read_bytes())
    package = {
        "profile": "tabular-data-package",
        "resources": [
            {"name": "services_at_location", "path": "services_at_location.csv"},
            {"name": "regular_schedule", "path": "regular_schedules.csv"},
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package))
    record = done(run(personas, folder))
    assert record.format == ImportFormat.HSDS1_CSV


def corpus_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write(folder, "a-taxonomy.json", corpus.taxonomy())
    write(
        folder, "b-terms.json", {"taxonomy_terms": [corpus.parent_term(), corpus.taxonomy_term()]}
    )
    write(
        folder,
        "c-organizations.json",
        corpus.page([corpus.organization(), corpus.other_organization()]),
    )
    return folder


def test_the_round_trip_keeps_every_field_of_the_standard(
    personas: Personas, tmp_path: Path
) -> None:
    done(run(personas, corpus_folder(tmp_path)))
    first = exporter.directory_export(actor=None, organization_id=personas.agency.pk, format="json")
    document = json.loads(first)
    pantry = next(s for s in document["contents"] if s["id"] == corpus.SERVICE)
    source = corpus.service()
    for key in ("fees", "fees_description", "funding", "program", "program_id"):
        assert pantry[key] == source[key], key
    assert pantry["last_modified"] == corpus.LAST_MODIFIED
    assert pantry["schedules"][0]["opens_at"] == "10:00:00"
    assert pantry["service_at_locations"][0]["schedules"][0]["opens_at"] == "10:00"
    assert "service" not in pantry["service_at_locations"][0]
    northgate = next(o for o in document["organizations"] if o["id"] == corpus.ORG)
    original = corpus.organization()
    for key in ("funding", "programs", "organization_identifiers", "year_incorporated"):
        assert northgate[key] == original[key], key
    assert [p["id"] for p in northgate["phones"]] == [corpus.uid("phone:org")]
    assert [c["id"] for c in northgate["contacts"]] == [corpus.uid("contact:org")]
    assert [loc["id"] for loc in northgate["locations"]] == [corpus.LOCATION]
    assert "services" not in northgate
    hall = northgate["locations"][0]
    assert hall["schedules"][0]["opens_at"] == "08:00:00"

    (tmp_path / "export.json").write_bytes(first)
    fresh = OrganizationFactory()
    again = directory_import_run(
        actor=None, organization_id=fresh.pk, path=tmp_path / "export.json"
    )
    assert again.problems == [] and again.status == ImportStatus.DONE
    assert dump(fresh.pk) == dump(personas.agency.pk)
    assert exporter.directory_export(actor=None, organization_id=fresh.pk, format="json") == first
    second = run(personas, tmp_path / "export.json")
    assert all(c["created"] == c["updated"] == 0 for c in second.summary["tables"].values())


def test_the_tabular_export_has_the_v3_file_names_and_gives_the_same_rows(
    personas: Personas, tmp_path: Path
) -> None:
    done(run(personas, corpus_folder(tmp_path)))
    data = exporter.directory_export(
        actor=None, organization_id=personas.agency.pk, format="tabular"
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    for name in ("organizations.csv", "services.csv", "service_at_locations.csv", "taxonomies.csv"):
        assert name in names
    package = json.loads(archive.read("datapackage.json"))
    paths = {r["name"]: r["path"] for r in package["resources"]}
    assert paths["service_at_location"] == "service_at_locations.csv"
    services = archive.read("services.csv").decode()
    assert corpus.LAST_MODIFIED in services and "program_id" in services.splitlines()[0]
    (tmp_path / "export.zip").write_bytes(data)
    fresh = OrganizationFactory()
    again = directory_import_run(actor=None, organization_id=fresh.pk, path=tmp_path / "export.zip")
    assert again.problems == [] and again.format == ImportFormat.HSDS3_TABULAR
    ours, theirs = dump(personas.agency.pk), dump(fresh.pk)
    for table in ("service", "organization", "location", "schedule"):
        assert [{k: v for k, v in r.items() if k != "hsds_extra"} for r in theirs[table]] == [
            {k: v for k, v in r.items() if k != "hsds_extra"} for r in ours[table]
        ], table

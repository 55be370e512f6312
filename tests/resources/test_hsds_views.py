"""The directory imports page: upload, background task, progress, summary; export; access."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from casework.core.models import User
from casework.resources.hsds.importer import directory_import_run
from casework.resources.models import DirectoryImport, ImportStatus, Provider, Service
from casework.resources.tasks import ProgressFile, live_progress
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

FIXTURES = Path(__file__).parent / "fixtures"
HSDS3 = FIXTURES / "hsds3" / "directory.json"
SignIn = Callable[[User], Any]


@pytest.fixture
def tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.mark.usefixtures("tasks_run_at_once")
def test_an_admin_uploads_a_file_that_is_imported_in_the_background(
    personas: Personas, client_as: SignIn, django_capture_on_commit_callbacks: Any
) -> None:
    web = client_as(personas.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("directory-imports"), {"upload": [upload(HSDS3)]})
    record = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory-import", args=[record.pk])
    assert record.status == ImportStatus.DONE
    assert record.started_by == personas.admin
    assert Service.objects.filter(organization=personas.agency).count() == 6
    page = web.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Rows per table" in content
    assert "hx-trigger" not in content
    partial = web.get(reverse("directory-import-progress", args=[record.pk]))
    assert "Imported:" in partial.content.decode()


@pytest.mark.usefixtures("tasks_run_at_once")
def test_several_csv_files_are_imported_together(
    personas: Personas, client_as: SignIn, django_capture_on_commit_callbacks: Any
) -> None:
    files = [upload(p) for p in sorted((FIXTURES / "hsds1").glob("*.csv"))]
    with django_capture_on_commit_callbacks(execute=True):
        client_as(personas.admin).post(reverse("directory-imports"), {"upload": files})
    record = DirectoryImport.objects.get()
    assert record.problems == []
    assert Service.objects.get(hsds_id="svc-1").name == "Food pantry"


@pytest.mark.usefixtures("tasks_run_at_once")
def test_a_refused_file_shows_every_problem_with_file_row_and_field(
    personas: Personas, client_as: SignIn, django_capture_on_commit_callbacks: Any
) -> None:
    web = client_as(personas.admin)
    files = [upload(p) for p in sorted((FIXTURES / "broken").glob("*.csv"))]
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("directory-imports"), {"upload": files})
    content = web.get(response["Location"]).content.decode()
    assert "Nothing was imported." in content
    assert "12 problems were found" in content
    assert "&#x27;twelve&#x27; is not a whole number" in content
    assert not Provider.objects.exists()


def test_a_queued_import_shows_a_progress_bar_that_polls(
    personas: Personas, client_as: SignIn, tmp_path: Path
) -> None:
    record = DirectoryImport.objects.create(
        organization=personas.agency,
        started_by=personas.admin,
        file_name="big.json",
        stored_path=str(tmp_path),
        status=ImportStatus.RUNNING,
    )
    ProgressFile(tmp_path)(250, 1000)
    assert live_progress(record) == (250, 1000)
    content = (
        client_as(personas.admin)
        .get(reverse("directory-import-progress", args=[record.pk]))
        .content.decode()
    )
    assert 'hx-trigger="every 1s"' in content
    assert 'value="25"' in content
    assert "250 of 1000 rows written" in content


def test_wrong_uploads_are_refused_next_to_the_field(personas: Personas, client_as: SignIn) -> None:
    web = client_as(personas.admin)
    response = web.post(
        reverse("directory-imports"), {"upload": [SimpleUploadedFile("x.pdf", b"%PDF-1")]}
    )
    assert response.status_code == 400
    assert "Upload a .json, .zip or .csv file" in response.content.decode()
    two = [SimpleUploadedFile("a.json", b"[]"), SimpleUploadedFile("b.json", b"[]")]
    response = web.post(reverse("directory-imports"), {"upload": two})
    assert "Give one .json or .zip file, or several .csv files." in response.content.decode()
    assert not DirectoryImport.objects.exists()


def test_an_admin_exports_json_and_tabular(personas: Personas, client_as: SignIn) -> None:
    directory_import_run(actor=None, organization_id=personas.agency.pk, path=HSDS3)
    web = client_as(personas.admin)
    response = web.get(reverse("directory-export", args=["json"]))
    assert response["Content-Disposition"] == 'attachment; filename="directory.json"'
    assert len(json.loads(response.content)["contents"]) == 6
    response = web.get(reverse("directory-export", args=["tabular"]))
    assert response.content[:4] == b"PK\x03\x04"
    assert web.get(reverse("directory-export", args=["xml"])).status_code == 404


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "auditor", "partner", "intake"])
def test_only_those_who_keep_the_directory_may_import_or_export(
    personas: Personas, client_as: SignIn, who: str
) -> None:
    record = directory_import_run(actor=None, organization_id=personas.agency.pk, path=HSDS3)
    web = client_as(getattr(personas, who))
    for url in (
        reverse("directory-imports"),
        reverse("directory-import", args=[record.pk]),
        reverse("directory-import-progress", args=[record.pk]),
        reverse("directory-export", args=["json"]),
    ):
        assert web.get(url).status_code == 403, url
    assert web.post(reverse("directory-imports"), {"upload": [upload(HSDS3)]}).status_code == 403


def test_another_agencys_imports_are_invisible(personas: Personas, client_as: SignIn) -> None:
    theirs = directory_import_run(actor=None, organization_id=personas.other_agency.pk, path=HSDS3)
    web = client_as(personas.admin)
    assert web.get(reverse("directory-import", args=[theirs.pk])).status_code == 404
    assert "directory.json" not in web.get(reverse("directory-imports")).content.decode()


def test_the_imports_list_runs_a_bounded_number_of_queries(
    personas: Personas, client_as: SignIn
) -> None:
    web = client_as(personas.admin)
    url = reverse("directory-imports")
    DirectoryImport.objects.create(organization=personas.agency, file_name="first.json")
    web.get(url)

    def grow() -> None:
        for n in range(5):
            DirectoryImport.objects.create(
                organization=personas.agency, started_by=personas.admin, file_name=f"f{n}.json"
            )

    assert_constant_queries(lambda: web.get(url), grow)
    assert_query_budget(lambda: web.get(url), 8)


def test_the_import_page_runs_a_bounded_number_of_queries(
    personas: Personas, client_as: SignIn
) -> None:
    record = directory_import_run(actor=None, organization_id=personas.agency.pk, path=HSDS3)
    web = client_as(personas.admin)
    url = reverse("directory-import", args=[record.pk])
    web.get(url)
    assert_query_budget(lambda: web.get(url), 6)


def test_the_command_imports_and_prints_a_summary(personas: Personas, capsys: Any) -> None:
    call_command("import_hsds", str(HSDS3), "--organization", "riverside")
    out = capsys.readouterr().out
    assert "service" in out and "Imported directory.json into Riverside Community Services." in out
    assert Service.objects.filter(organization=personas.agency).count() == 6


def test_the_command_lists_each_problem_and_exits_non_zero(personas: Personas) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("import_hsds", str(FIXTURES / "broken"), "--organization", "riverside")
    assert refused.value.returncode == 1
    assert "service.csv:2 minimum_age: 'twelve' is not a whole number" in str(refused.value)
    assert not Provider.objects.exists()


def test_the_command_needs_the_agency_when_there_are_several(personas: Personas) -> None:
    with pytest.raises(CommandError, match="--organization"):
        call_command("import_hsds", str(HSDS3))


def test_the_export_command_writes_the_file(personas: Personas, tmp_path: Path) -> None:
    directory_import_run(actor=None, organization_id=personas.agency.pk, path=HSDS3)
    call_command(
        "export_hsds",
        str(tmp_path / "out.zip"),
        "--organization",
        "riverside",
        "--format",
        "tabular",
    )
    assert (tmp_path / "out.zip").read_bytes()[:2] == b"PK"


def test_the_casework_cli_knows_import_hsds(capsys: Any) -> None:
    from casework.cli import main

    main(["casework", "--help"])
    assert "import-hsds" in capsys.readouterr().out

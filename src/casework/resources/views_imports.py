"""Pages to import an HSDS file into the directory, follow the import, and export the
directory. Only those who keep the directory (``access.directory_manage_allowed``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from casework import access
from casework.core import uploads
from casework.core.errors import NotFound
from casework.core.web import AuthenticatedRequest, organization_of, paginate

from .hsds import exporter
from .models import DirectoryImport, ImportStatus
from .queries import directory_imports
from .tasks import directory_import_queue, live_progress

PROBLEMS_PER_PAGE = 100
ZIP = uploads.FileType("application/zip", lambda f: _starts_with_zip(f))
UPLOAD_TYPES = {"json": uploads.TEXT, "csv": uploads.TEXT, "zip": ZIP}


def _starts_with_zip(upload: UploadedFile) -> bool:
    upload.seek(0)
    head: bytes = upload.read(4)
    upload.seek(0)
    return head == b"PK\x03\x04"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        return (
            [one(d, initial) for d in data]
            if isinstance(data, list | tuple)
            else [one(data, initial)]
        )


class ImportForm(forms.Form):
    upload = MultipleFileField(
        label=gettext_lazy("HSDS file"),
        help_text=gettext_lazy(
            "An HSDS 3.0 .json file, a .zip of HSDS CSV files (3.0 tabular or 1.x), or "
            "several .csv files at once."
        ),
        widget=MultipleFileInput(attrs={"accept": ".json,.zip,.csv"}),
    )

    def clean_upload(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["upload"]
        limit = settings.CASEWORK_MAX_UPLOAD_MB * 1024 * 1024
        for upload in files:
            try:
                uploads.check_upload(
                    upload,
                    field="upload",
                    types=UPLOAD_TYPES,
                    max_bytes=limit,
                    described_as=_(".json, .zip or .csv"),
                )
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["upload"]) from exc
        kinds = {uploads.extension_of(f.name or "") for f in files}
        if len(files) > 1 and kinds != {"csv"}:
            raise ValidationError(_("Give one .json or .zip file, or several .csv files."))
        if sum(f.size or 0 for f in files) > limit:
            raise ValidationError(
                _("The files are larger than %(mb)s MB together.")
                % {"mb": settings.CASEWORK_MAX_UPLOAD_MB}
            )
        return files


def _require_manager(request: AuthenticatedRequest) -> int:
    organization_id = organization_of(request.user)
    if not access.directory_manage_allowed(request.user):
        raise PermissionDenied
    return organization_id


@login_required
def imports(request: AuthenticatedRequest) -> HttpResponseBase:
    organization_id = _require_manager(request)
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            record = directory_import_queue(
                actor=request.user,
                organization_id=organization_id,
                files=form.cleaned_data["upload"],
            )
            return redirect("directory-import", pk=record.pk)
    else:
        form = ImportForm()
    page = paginate(
        request,
        directory_imports(request.user).select_related("started_by").defer("summary", "problems"),
    )
    return render(
        request,
        "resources/imports/import_list.html",
        {"form": form, "page": page, "formats": exporter.FORMATS},
        status=status,
    )


def _get_import(request: AuthenticatedRequest, pk: int) -> DirectoryImport:
    _require_manager(request)
    record = directory_imports(request.user).select_related("started_by").filter(pk=pk).first()
    if record is None:
        raise NotFound
    return record


def _status_context(request: AuthenticatedRequest, record: DirectoryImport) -> dict[str, Any]:
    processed, total = live_progress(record)
    finished = record.status in (ImportStatus.DONE, ImportStatus.FAILED)
    problems = Paginator(record.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    tables = (record.summary or {}).get("tables", {})
    return {
        "record": record,
        "finished": finished,
        "processed": processed,
        "total": total,
        "percent": 100 if finished else (round(100 * processed / total) if total else 0),
        "problems": problems,
        "tables": tables,
        "totals": {
            kind: sum(c[kind] for c in tables.values())
            for kind in ("created", "updated", "unchanged")
        },
        "notes": (record.summary or {}).get("notes", []),
    }


@login_required
@require_GET
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _get_import(request, pk)
    return render(request, "resources/imports/import_detail.html", _status_context(request, record))


@login_required
@require_GET
def import_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _get_import(request, pk)
    return render(request, "resources/imports/_status.html", _status_context(request, record))


@login_required
@require_GET
def export(request: AuthenticatedRequest, format: str) -> HttpResponse:
    organization_id = _require_manager(request)
    if format not in exporter.FORMATS:
        raise NotFound
    data = exporter.directory_export(
        actor=request.user, organization_id=organization_id, format=format
    )
    name, content_type = (
        ("directory.json", "application/json")
        if format == exporter.JSON
        else ("directory-hsds.zip", "application/zip")
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

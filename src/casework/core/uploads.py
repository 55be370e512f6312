"""Uploaded files: what they really are, and how they are handed back.

A file is accepted only when its extension is allowed *and* its first bytes (or
structure) say it is that kind of file; it is stored under a random name and
streamed back as a download under a neutral name (the uploaded name may name
the client).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _


def _starts_with(*signatures: bytes) -> Callable[[UploadedFile], bool]:
    def check(upload: UploadedFile) -> bool:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        return any(head.startswith(s) for s in signatures)

    return check


def _is_docx(upload: UploadedFile) -> bool:
    if not _starts_with(b"PK\x03\x04")(upload):
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)


def _is_text(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(64 * 1024)
    upload.seek(0)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


@dataclass(frozen=True)
class FileType:
    content_type: str
    looks_right: Callable[[UploadedFile], bool]


PDF = FileType("application/pdf", _starts_with(b"%PDF-"))
PNG = FileType("image/png", _starts_with(b"\x89PNG\r\n\x1a\n"))
JPEG = FileType("image/jpeg", _starts_with(b"\xff\xd8\xff"))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _is_docx)
TEXT = FileType("text/plain", _is_text)

DOCUMENT_TYPES: dict[str, FileType] = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "docx": DOCX,
    "txt": TEXT,
}


def max_upload_bytes() -> int:
    """The largest file accepted anywhere (``CASEWORK_MAX_UPLOAD_MB``)."""
    return int(settings.CASEWORK_MAX_UPLOAD_MB) * 1024 * 1024


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(
    upload: UploadedFile,
    *,
    field: str,
    types: dict[str, FileType],
    max_bytes: int,
    described_as: str,
) -> str:
    """The content type ``upload`` really is; else a ValidationError on ``field``.

    ``described_as`` lists the accepted kinds in words ("PDF, Word, PNG, JPEG or text").
    """
    extension = extension_of(upload.name or "")
    size = upload.size or 0
    if extension not in types:
        message = _("Upload a %(kinds)s file (this one is %(ext)s).") % {
            "kinds": described_as,
            "ext": f".{extension}" if extension else _("without an extension"),
        }
    elif size == 0:
        message = _("The file is empty.")
    elif size > max_bytes:
        message = _("The file is larger than %(mb)s MB.") % {"mb": f"{max_bytes / (1024 * 1024):g}"}
    elif not types[extension].looks_right(upload):
        message = _("The file's contents are not a %(ext)s file.") % {"ext": f".{extension}"}
    else:
        return types[extension].content_type
    raise ValidationError({field: message})


def safe_name(name: str, fallback: str) -> str:
    """The uploaded name, kept for display only: no path, at most 200 characters."""
    return (name or fallback).replace("/", "_").replace("\\", "_")[-200:]


def download_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file as a download that browsers will neither sniff nor cache."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response

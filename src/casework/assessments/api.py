"""API of instruments, assessments, other professionals' reports and identified needs.

Problems with answers come back as the usual 422 error with ``fields`` keyed by
question id.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.clients.services import case_viewed
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, services
from .models import Assessment, ExternalAssessment, IdentifiedNeed, Instrument, InstrumentVersion
from .schemas import (
    AnswersIn,
    AssessmentOut,
    AssessmentSignIn,
    AssessmentStartIn,
    AssessmentSummaryOut,
    ComparisonOut,
    DraftUpdateIn,
    ExternalAssessmentIn,
    ExternalAssessmentOut,
    IdentifiedNeedOut,
    InstrumentCreateIn,
    InstrumentOut,
    InstrumentVersionOut,
    PublishIn,
)
from .views import report_response

router = Router()

# The report is optional: a multipart field that may be left out.
OPTIONAL_REPORT: Any = File(None)  # type: ignore[type-arg]

# --- instruments ----------------------------------------------------------------------------


@router.get("/instruments", response=with_errors({200: list[InstrumentOut]}), tags=["instruments"])
@paginate(PageNumberPagination)
def list_instruments(request: HttpRequest) -> QuerySet[Instrument]:
    """Casework's instruments and your agency's own."""
    return queries.instruments(request_user(request)).order_by("name", "pk")


@router.post(
    "/instruments",
    response=with_errors({201: InstrumentVersionOut}, 403),
    tags=["instruments"],
)
def create_instrument(
    request: HttpRequest, payload: InstrumentCreateIn
) -> Status[InstrumentVersion]:
    """A new instrument of your agency (program managers); returns its first draft."""
    user = request_user(request)
    based_on = None
    if payload.based_on is not None:
        based_on = queries.instruments(user).filter(pk=payload.based_on).first()
        if based_on is None:
            raise ValidationError({"based_on": _("No such instrument.")})
    draft = services.instrument_create(
        actor=user,
        code=payload.code,
        name=payload.name,
        description=payload.description,
        purpose=payload.purpose,
        based_on=based_on,
    )
    return Status(201, draft)


@router.get(
    "/instruments/{instrument_id}/versions",
    response=with_errors({200: list[InstrumentVersionOut]}, 404),
    tags=["instruments"],
)
def list_versions(request: HttpRequest, instrument_id: int) -> list[InstrumentVersion]:
    instrument = queries.get_instrument(request_user(request), instrument_id)
    return list(instrument.versions.select_related("instrument", "published_by"))


@router.post(
    "/instruments/{instrument_id}/drafts",
    response=with_errors({201: InstrumentVersionOut}, 403, 404),
    tags=["instruments"],
)
def create_draft(request: HttpRequest, instrument_id: int) -> Status[InstrumentVersion]:
    """A draft starting from the published version. For a Casework instrument, this
    makes your agency's adaptation of it."""
    user = request_user(request)
    instrument = queries.get_instrument(user, instrument_id)
    return Status(201, services.instrument_draft_create(actor=user, instrument=instrument))


@router.get(
    "/instrument-versions/{version_id}",
    response=with_errors({200: InstrumentVersionOut}, 404),
    tags=["instruments"],
)
def get_version(request: HttpRequest, version_id: int) -> InstrumentVersion:
    return queries.get_instrument_version(request_user(request), version_id)


@router.patch(
    "/instrument-versions/{version_id}",
    response=with_errors({200: InstrumentVersionOut}, 403, 404, 409),
    tags=["instruments"],
)
def update_draft(
    request: HttpRequest, version_id: int, payload: DraftUpdateIn
) -> InstrumentVersion:
    """Replace a draft's definition. Problems are keyed by path, e.g.
    ``sections[2].questions[4].kind``."""
    user = request_user(request)
    version = queries.get_instrument_version(user, version_id)
    return services.instrument_draft_update(
        actor=user, version=version, definition=payload.definition, expected_version=payload.version
    )


@router.post(
    "/instrument-versions/{version_id}/publish",
    response=with_errors({200: InstrumentVersionOut}, 403, 404, 409),
    tags=["instruments"],
)
def publish(request: HttpRequest, version_id: int, payload: PublishIn) -> InstrumentVersion:
    user = request_user(request)
    version = queries.get_instrument_version(user, version_id)
    return services.instrument_publish(
        actor=user, version=version, expected_version=payload.version
    )


# --- assessments ---------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/assessments",
    response=with_errors({200: list[AssessmentSummaryOut]}, 404),
    tags=["assessments"],
)
@paginate(PageNumberPagination)
def list_assessments(request: HttpRequest, case_id: int) -> QuerySet[Assessment]:
    user = request_user(request)
    case = access.get_case(user, case_id)
    case_viewed(actor=user, case=case, via="api", part="assessments")
    return queries.assessments(user, case).order_by("-assessed_on", "-pk")


@router.post(
    "/cases/{case_id}/assessments",
    response=with_errors({201: AssessmentOut}, 403, 404),
    tags=["assessments"],
)
def start_assessment(
    request: HttpRequest, case_id: int, payload: AssessmentStartIn
) -> Status[Assessment]:
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    version = queries.startable_versions(user).filter(pk=payload.instrument_version).first()
    if version is None:
        raise ValidationError({"instrument_version": _("Choose a published instrument.")})
    assessment = services.assessment_start(
        actor=user, case=case, instrument_version=version, assessed_on=payload.assessed_on
    )
    return Status(201, assessment)


@router.get(
    "/assessments/{assessment_id}",
    response=with_errors({200: AssessmentOut}, 404),
    tags=["assessments"],
)
def get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    user = request_user(request)
    assessment = queries.get_assessment(user, assessment_id)
    services.assessment_viewed(actor=user, assessment=assessment, via="api")
    return assessment


@router.patch(
    "/assessments/{assessment_id}",
    response=with_errors({200: AssessmentOut}, 403, 404, 409),
    tags=["assessments"],
)
def save_assessment(request: HttpRequest, assessment_id: int, payload: AnswersIn) -> Assessment:
    """Save some answers of a draft; nothing is required yet. ``version`` → 409 if stale."""
    user = request_user(request)
    assessment = queries.get_assessment(user, assessment_id, Action.CHANGE)
    return services.assessment_save(
        actor=user, assessment=assessment, answers=payload.answers, expected_version=payload.version
    )


@router.post(
    "/assessments/{assessment_id}/complete",
    response=with_errors({200: AssessmentOut}, 403, 404, 409),
    tags=["assessments"],
)
def complete_assessment(request: HttpRequest, assessment_id: int, payload: AnswersIn) -> Assessment:
    """Save the answers sent and complete. Each missing or invalid answer is named."""
    user = request_user(request)
    assessment = queries.get_assessment(user, assessment_id, Action.CHANGE)
    return services.assessment_complete(
        actor=user, assessment=assessment, answers=payload.answers, expected_version=payload.version
    )


@router.post(
    "/assessments/{assessment_id}/sign",
    response=with_errors({200: AssessmentOut}, 403, 404, 409),
    tags=["assessments"],
)
def sign_assessment(
    request: HttpRequest, assessment_id: int, payload: AssessmentSignIn
) -> Assessment:
    user = request_user(request)
    assessment = queries.get_assessment(user, assessment_id, Action.CHANGE)
    return services.assessment_sign(
        actor=user,
        assessment=assessment,
        acknowledged=payload.acknowledged,
        expected_version=payload.version,
    )


@router.get(
    "/assessments/{assessment_id}/comparison",
    response=with_errors({200: ComparisonOut}, 404),
    tags=["assessments"],
)
def compare_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    """Each score next to the same score of the previous completed assessment."""
    result = queries.comparison(queries.get_assessment(request_user(request), assessment_id))
    previous = result.previous
    return {
        "assessment_id": result.current.pk,
        "previous_assessment_id": previous.pk if previous else None,
        "previous_assessed_on": previous.assessed_on if previous else None,
        "rows": [
            {
                "id": r.id,
                "label": r.label,
                "kind": r.kind,
                "previous": r.previous,
                "current": r.current,
                "change": r.change,
                "direction": r.direction,
                "maximum": r.maximum,
            }
            for r in result.rows
        ],
    }


# --- other professionals' assessments ----------------------------------------------------------


@router.get(
    "/cases/{case_id}/external-assessments",
    response=with_errors({200: list[ExternalAssessmentOut]}, 404),
    tags=["assessments"],
)
@paginate(PageNumberPagination)
def list_external(request: HttpRequest, case_id: int) -> QuerySet[ExternalAssessment]:
    user = request_user(request)
    case = access.get_case(user, case_id)
    return queries.external_assessments(user, case).order_by("-assessed_on", "-pk")


@router.post(
    "/cases/{case_id}/external-assessments",
    response=with_errors({201: ExternalAssessmentOut}, 403, 404),
    tags=["assessments"],
)
def record_external(
    request: HttpRequest,
    case_id: int,
    payload: Form[ExternalAssessmentIn],
    report: UploadedFile | None = OPTIONAL_REPORT,
) -> Status[ExternalAssessment]:
    """Multipart form: the fields, and the report file (PDF, .docx, PNG or JPEG, ≤ 10 MB)."""
    user = request_user(request)
    case = access.get_case(user, case_id, Action.CHANGE)
    external = services.external_assessment_record(
        actor=user, case=case, report=report, **payload.model_dump()
    )
    return Status(201, external)


@router.get(
    "/external-assessments/{external_id}/report",
    response=with_errors({200: None}, 404),
    tags=["assessments"],
)
def download_report(request: HttpRequest, external_id: int) -> FileResponse:
    """The attached report, streamed. Every download is written to the audit log."""
    user = request_user(request)
    external = queries.get_external_assessment(user, external_id)
    if not external.report:
        raise NotFound("This assessment has no report attached.")
    return report_response(user, external, via="api")


# --- identified needs --------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/identified-needs",
    response=with_errors({200: list[IdentifiedNeedOut]}, 404),
    tags=["assessments"],
)
@paginate(PageNumberPagination)
def list_needs(request: HttpRequest, case_id: int) -> QuerySet[IdentifiedNeed]:
    """Domains scored crisis or vulnerable in completed assessments: where planning starts."""
    user = request_user(request)
    case = access.get_case(user, case_id)
    return queries.identified_needs(user, case).order_by("-created_at", "score", "pk")

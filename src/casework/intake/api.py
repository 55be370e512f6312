"""API of intake: applications, screening, the intake team's decisions and documents."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from casework import access
from casework.access import Action
from casework.core.api_auth import request_user
from casework.core.errors import NotFound
from casework.core.models import User
from casework.core.pagination import PageNumberPagination
from casework.core.schemas import with_errors

from . import queries, screening, services
from .models import Application, ApplicationStatus
from .schemas import (
    AcceptIn,
    ApplicationDetailOut,
    ApplicationFilters,
    ApplicationIn,
    ApplicationOut,
    DeclineIn,
    DocumentOut,
    ScreeningIn,
    SuggestionOut,
    WaitlistIn,
)

router = Router(tags=["intake"])

_RELATED = ("case", "case__team", "case__case_manager", "client", "program")


@router.get("/intake/applications", response=with_errors({200: list[ApplicationOut]}))
@paginate(PageNumberPagination)
def list_applications(
    request: HttpRequest, filters: Query[ApplicationFilters]
) -> QuerySet[Application]:
    """Applications whose case you may see. The waitlist is ordered as it is served."""
    user = request_user(request)
    if filters.status == ApplicationStatus.WAITLISTED:
        rows = queries.waitlist(user)
    else:
        rows = queries.applications(user).order_by("-received_on", "-pk")
        if filters.status is not None:
            rows = rows.filter(status=filters.status)
    if filters.program is not None:
        rows = rows.filter(program_id=filters.program)
    if filters.source is not None:
        rows = rows.filter(source=filters.source)
    if filters.priority is not None:
        rows = rows.filter(priority=filters.priority)
    return rows.select_related(*_RELATED)


def _detail(user: User, application: Application) -> dict[str, Any]:
    result = screening.evaluate(
        application.program.eligibility_rules,
        application.screening_answers,
        date_of_birth=application.client.date_of_birth,
        on=application.received_on,
    )
    return {
        **{name: getattr(application, name, None) for name in ApplicationDetailOut.model_fields},
        "position": queries.waitlist_position(user, application),
        "screening": {
            "outcome": result.outcome.value,
            "summary": result.summary,
            "rules": [
                {
                    "criterion": r.criterion,
                    "label": r.label,
                    "outcome": r.outcome.value,
                    "explanation": r.explanation,
                }
                for r in result.results
            ],
        },
        "decisions": list(application.decisions.select_related("decided_by", "case_manager")),
        "documents": list(application.documents.select_related("uploaded_by")),
    }


def _reload(user: User, application: Application) -> dict[str, Any]:
    """The application after a change, as the actor may now see it (accepted: not at all)."""
    fresh = Application.objects.select_related(*_RELATED).filter(pk=application.pk).get()
    return _detail(user, fresh)


@router.get(
    "/intake/applications/{application_id}",
    response=with_errors({200: ApplicationDetailOut}, 404),
)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    user = request_user(request)
    return _detail(user, queries.get_application(user, application_id))


@router.post(
    "/intake/applications",
    response=with_errors({201: ApplicationDetailOut}, 403),
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Status[Any]:
    """Receive an application: opens the client's case in screening."""
    user = request_user(request)
    errors: dict[str, str] = {}
    client = access.clients(user).filter(pk=payload.client).first()
    if client is None:
        errors["client"] = _("Choose a client of your agency.")
    program = access.programs(user).filter(pk=payload.program).first()
    if program is None:
        errors["program"] = _("Choose an active program of your agency.")
    team = None
    if payload.team is not None:
        team = access.teams(user).filter(pk=payload.team).first()
        if team is None:
            errors["team"] = _("The team does not work in this program.")
    if errors or client is None or program is None:
        raise ValidationError(errors)
    application = services.application_receive(
        actor=user,
        client=client,
        program=program,
        team=team,
        source=payload.source,
        received_on=payload.received_on,
        referring_agency=payload.referring_agency,
        referring_person=payload.referring_person,
        referring_contact=payload.referring_contact,
        presenting_needs=payload.presenting_needs,
        applicant_words=payload.applicant_words,
        screening_answers=payload.screening_answers,
    )
    return Status(201, _reload(user, application))


@router.put(
    "/intake/applications/{application_id}/screening",
    response=with_errors({200: ApplicationDetailOut}, 403, 404, 409),
)
def update_screening(
    request: HttpRequest, application_id: int, payload: ScreeningIn
) -> dict[str, Any]:
    """Replace the screening answers; see the result per rule in `screening`."""
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.CHANGE)
    updated = services.application_update_screening(
        actor=user,
        application=application,
        expected_version=payload.version,
        screening_answers=payload.screening_answers,
        presenting_needs=payload.presenting_needs,
        applicant_words=payload.applicant_words,
    )
    return _reload(user, updated)


@router.post(
    "/intake/applications/{application_id}/waitlist",
    response=with_errors({200: ApplicationDetailOut}, 403, 404, 409),
)
def waitlist_application(
    request: HttpRequest, application_id: int, payload: WaitlistIn
) -> dict[str, Any]:
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.ASSIGN)
    updated = services.application_waitlist(
        actor=user,
        application=application,
        priority=payload.priority,
        expected_version=payload.version,
        notes=payload.notes,
    )
    return _reload(user, updated)


@router.post(
    "/intake/applications/{application_id}/accept",
    response=with_errors({200: ApplicationDetailOut}, 403, 404, 409),
)
def accept_application(
    request: HttpRequest, application_id: int, payload: AcceptIn
) -> dict[str, Any]:
    """Accept and assign the case manager; the case becomes active."""
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.ASSIGN)
    case_manager = access.users(user).filter(pk=payload.case_manager).first()
    if case_manager is None:
        raise ValidationError({"case_manager": _("Choose a staff member of your agency.")})
    updated = services.application_accept(
        actor=user,
        application=application,
        case_manager=case_manager,
        expected_version=payload.version,
        notes=payload.notes,
    )
    return _reload(user, updated)


@router.post(
    "/intake/applications/{application_id}/decline",
    response=with_errors({200: ApplicationDetailOut}, 403, 404, 409),
)
def decline_application(
    request: HttpRequest, application_id: int, payload: DeclineIn
) -> dict[str, Any]:
    """Decline with a reason and a suggested referral elsewhere; the case closes."""
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.ASSIGN)
    updated = services.application_decline(
        actor=user,
        application=application,
        reason=str(payload.reason),
        referral_elsewhere=payload.referral_elsewhere,
        expected_version=payload.version,
        notes=payload.notes,
    )
    return _reload(user, updated)


@router.get(
    "/intake/applications/{application_id}/suggestions",
    response=with_errors({200: list[SuggestionOut]}, 403, 404),
)
def case_manager_suggestions(request: HttpRequest, application_id: int) -> list[dict[str, Any]]:
    """Case managers of the program's teams, best match first, with the reasons."""
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.ASSIGN)
    return [
        {
            "case_manager": s.user,
            "team": {"id": s.team_id, "name": s.team_name},
            "moves_team": s.moves_team,
            "caseload": s.caseload,
            "capacity": s.capacity,
            "speaks_language": s.speaks_language,
            "expertise": s.expertise,
            "score": s.score,
            "reasons": s.reasons,
        }
        for s in queries.suggest_case_managers(user, application)
    ]


@router.post(
    "/intake/applications/{application_id}/documents",
    response=with_errors({201: DocumentOut}, 403, 404),
)
def upload_document(
    request: HttpRequest,
    application_id: int,
    kind: Form[str],
    file: File[UploadedFile],
) -> Status[Any]:
    """Attach a PDF, PNG or JPEG (at most 10 MB) as multipart form data."""
    user = request_user(request)
    application = queries.get_application(user, application_id, Action.CHANGE)
    document = services.document_upload(actor=user, application=application, kind=kind, upload=file)
    return Status(201, document)


@router.get(
    "/intake/documents/{document_id}",
    response=with_errors({200: None}, 404),
)
def download_document(request: HttpRequest, document_id: int) -> FileResponse:
    """The file itself, if you may see its application. Every download is audited."""
    user = request_user(request)
    document = queries.documents(user).select_related("application").filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    services.document_downloaded(actor=user, document=document, via="api")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )

"""Every change of intake: receiving, screening and the intake team's decisions.

Each function checks permission, validates (naming the field), writes inside one
transaction and records audit events carrying ids and codes only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.clients import services as client_services
from casework.clients.models import OPEN_STATUSES, Case, CaseStatus, Client
from casework.core import audit, uploads
from casework.core.models import Program, Role, Team, User
from casework.core.services import check_version

from . import screening
from .models import (
    Application,
    ApplicationDocument,
    ApplicationSource,
    ApplicationStatus,
    Decision,
    DeclineReason,
    DocumentKind,
    IntakeDecision,
    LifeDomain,
    Priority,
)

#: What an application may carry: scans and photos of documents.
DOCUMENT_TYPES = {ext: uploads.DOCUMENT_TYPES[ext] for ext in ("pdf", "png", "jpg", "jpeg")}


def _clean_needs(needs: Iterable[str]) -> list[str]:
    needs = list(needs)
    unknown = [n for n in needs if n not in LifeDomain.values]
    if unknown:
        raise ValidationError(
            {
                "presenting_needs": _("Unknown need %(n)s; choose from the life domains.")
                % {"n": ", ".join(unknown)}
            }
        )
    # Keep the life domains' order, once each.
    return [d for d in LifeDomain.values if d in needs]


def _touch(application: Application) -> None:
    application.updated_at = timezone.now()
    application.version += 1


# --- receiving -----------------------------------------------------------------------------


def application_receive(
    *,
    actor: User,
    client: Client,
    program: Program,
    source: str,
    team: Team | None = None,
    received_on: date | None = None,
    referring_agency: str = "",
    referring_person: str = "",
    referring_contact: str = "",
    presenting_needs: Iterable[str] = (),
    applicant_words: str = "",
    screening_answers: dict[str, Any] | None = None,
) -> Application:
    """Open the client's case in screening and record the application on it."""
    access.require(
        access.can_receive_applications(actor), _("Only intake coordinators receive applications.")
    )
    today = timezone.localdate()
    received_on = received_on or today
    errors: dict[str, Any] = {}
    if client.organization_id != actor.organization_id:
        errors["client"] = _("Choose a client of your agency.")
    if program.organization_id != actor.organization_id or not program.is_active:
        errors["program"] = _("Choose an active program of your agency.")
    if source not in ApplicationSource.values:
        errors["source"] = _("Say how the application came in.")
    if source == ApplicationSource.AGENCY and not referring_agency.strip():
        errors["referring_agency"] = _("Name the agency that made the referral.")
    if received_on > today:
        errors["received_on"] = _("The date received is in the future.")
    if team is None and "program" not in errors:
        team = Team.objects.filter(program=program, is_active=True).order_by("name", "pk").first()
        if team is None:
            errors["team"] = _("The program has no active team to take the case.")
    elif team is not None and (team.program_id != program.pk or not team.is_active):
        errors["team"] = _("The team does not work in this program.")
    try:
        needs = _clean_needs(presenting_needs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        needs = []
    try:
        answers = screening.clean_answers(program.eligibility_rules, screening_answers or {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
        answers = {}
    if (
        not errors
        and Case.objects.filter(client=client, program=program, status__in=OPEN_STATUSES).exists()
    ):
        errors["program"] = _("This client already has an open case in this program.")
    if errors or team is None:
        raise ValidationError(errors)
    with transaction.atomic():
        case = client_services.case_open(
            actor=actor,
            client=client,
            program=program,
            team=team,
            status=CaseStatus.SCREENING,
            opened_on=received_on,
        )
        application = Application(
            organization_id=case.organization_id,
            case=case,
            client=client,
            program=program,
            source=source,
            referring_agency=referring_agency.strip(),
            referring_person=referring_person.strip(),
            referring_contact=referring_contact.strip(),
            received_on=received_on,
            presenting_needs=needs,
            applicant_words=applicant_words.strip(),
            screening_answers=answers,
            received_by=actor,
        )
        application.full_clean()
        application.save()
        audit.record(
            action="application.receive",
            actor=actor,
            target=application,
            client_id=client.pk,
            changes={"case_id": case.pk, "program_id": program.pk, "source": source},
        )
    return application


def application_update_screening(
    *,
    actor: User,
    application: Application,
    expected_version: int | None,
    screening_answers: dict[str, Any],
    presenting_needs: Iterable[str] | None = None,
    applicant_words: str | None = None,
) -> Application:
    """Replace the screening answers (and, if given, the needs and the applicant's words)."""
    access.require(access.case_allows(actor, application.case, Action.CHANGE))
    errors: dict[str, Any] = {}
    if not application.is_undecided:
        errors[NON_FIELD_ERRORS] = _("The application is decided; screening is closed.")
    try:
        answers = screening.clean_answers(application.program.eligibility_rules, screening_answers)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        answers = {}
    needs: list[str] | None = None
    if presenting_needs is not None:
        try:
            needs = _clean_needs(presenting_needs)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_version(locked, expected_version, _("application"))
        changed: list[str] = sorted(
            c
            for c in set(locked.screening_answers) | set(answers)
            if locked.screening_answers.get(c) != answers.get(c)
        )
        fields = ["screening_answers"] if changed else []
        locked.screening_answers = answers
        if needs is not None and needs != locked.presenting_needs:
            locked.presenting_needs = needs
            fields.append("presenting_needs")
        if applicant_words is not None and applicant_words.strip() != locked.applicant_words:
            locked.applicant_words = applicant_words.strip()
            fields.append("applicant_words")
        if fields:
            _touch(locked)
            locked.save()
            audit.record(
                action="application.screen",
                actor=actor,
                target=locked,
                client_id=locked.client_id,
                changes={"fields": fields, "criteria": changed},
            )
    _copy_loaded(locked, application)
    return locked


def _copy_loaded(locked: Application, loaded: Application) -> None:
    """Keep the related objects the caller already loaded (case, client, program)."""
    for name in ("case", "client", "program"):
        if name in loaded._state.fields_cache:
            setattr(locked, name, getattr(loaded, name))


# --- decisions -----------------------------------------------------------------------------


def _require_decider(actor: User, application: Application) -> None:
    access.require(
        access.case_allows(actor, application.case, Action.ASSIGN),
        _("Only intake coordinators and the team's supervisors decide on applications."),
    )


def _lock(application: Application, expected_version: int | None) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    check_version(locked, expected_version, _("application"))
    if not locked.is_undecided:
        raise ValidationError({NON_FIELD_ERRORS: _("The application is already decided.")})
    return locked


def _screening_result(application: Application) -> screening.ScreeningResult:
    return screening.evaluate(
        application.program.eligibility_rules,
        application.screening_answers,
        date_of_birth=application.client.date_of_birth,
        on=application.received_on,
    )


def application_waitlist(
    *,
    actor: User,
    application: Application,
    priority: int,
    expected_version: int | None,
    notes: str = "",
) -> Application:
    """Put the application on its program's waitlist, or change its priority there."""
    _require_decider(actor, application)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority from 1 (urgent) to 4 (routine).")})
    with transaction.atomic():
        locked = _lock(application, expected_version)
        now = timezone.now()
        previous = locked.priority if locked.status == ApplicationStatus.WAITLISTED else None
        locked.status = ApplicationStatus.WAITLISTED
        locked.priority = priority
        # A change of priority keeps the applicant's waiting time.
        locked.waitlisted_at = locked.waitlisted_at or now
        _touch(locked)
        locked.save()
        client_services.case_set_status(actor=actor, case=locked.case, status=CaseStatus.WAITLISTED)
        IntakeDecision.objects.create(
            organization_id=locked.organization_id,
            application=locked,
            decision=Decision.WAITLIST,
            decided_by=actor,
            decided_at=now,
            priority=priority,
            notes=notes.strip(),
        )
        audit.record(
            action="application.waitlist",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"priority": [previous, priority], "case_id": locked.case_id},
        )
    return locked


def _team_for(case_manager: User, application: Application) -> Team | None:
    """The team of the program the case manager works on: the case's own team if theirs."""
    teams = list(
        Team.objects.filter(
            program_id=application.program_id,
            is_active=True,
            memberships__user=case_manager,
        ).order_by("name", "pk")
    )
    for team in teams:
        if team.pk == application.case.team_id:
            return team
    return teams[0] if teams else None


def application_accept(
    *,
    actor: User,
    application: Application,
    case_manager: User,
    expected_version: int | None,
    notes: str = "",
) -> Application:
    """Accept: the case gets its case manager and becomes active."""
    _require_decider(actor, application)
    errors: dict[str, str] = {}
    team = None
    if case_manager.organization_id != actor.organization_id or not case_manager.is_active:
        errors["case_manager"] = _("Choose a staff member of your agency.")
    elif not case_manager.has_role(Role.CASE_MANAGER):
        errors["case_manager"] = _("Choose someone who works as a case manager.")
    else:
        team = _team_for(case_manager, application)
        if team is None:
            errors["case_manager"] = _("Choose a member of one of this program's teams.")
    if _screening_result(application).outcome != screening.Outcome.PASS and not notes.strip():
        errors["notes"] = _(
            "Screening does not show the applicant as eligible yet: note why the team accepts."
        )
    program = application.program
    if program.capacity is not None:
        active = access.active_case_count(actor, program)
        if active >= program.capacity:
            errors[NON_FIELD_ERRORS] = _(
                "The program is full (%(n)d active cases of %(cap)d); waitlist the application."
            ) % {"n": active, "cap": program.capacity}
    if errors or team is None:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(application, expected_version)
        case = client_services.case_assign(
            actor=actor,
            case=locked.case,
            case_manager=case_manager,
            expected_version=None,
            reason=_("Accepted at intake"),
            team=team,
        )
        client_services.case_set_status(actor=actor, case=case, status=CaseStatus.ACTIVE)
        now = timezone.now()
        locked.status = ApplicationStatus.ACCEPTED
        locked.decided_at = now
        locked.decided_by = actor
        _touch(locked)
        locked.save()
        IntakeDecision.objects.create(
            organization_id=locked.organization_id,
            application=locked,
            decision=Decision.ACCEPT,
            decided_by=actor,
            decided_at=now,
            case_manager=case_manager,
            notes=notes.strip(),
        )
        audit.record(
            action="application.accept",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={
                "case_id": locked.case_id,
                "case_manager_id": case_manager.pk,
                "team_id": team.pk,
            },
        )
    return locked


def application_decline(
    *,
    actor: User,
    application: Application,
    reason: str,
    referral_elsewhere: str,
    expected_version: int | None,
    notes: str = "",
) -> Application:
    """Decline with a reason and a suggestion of where else to turn; the case closes."""
    _require_decider(actor, application)
    errors: dict[str, str] = {}
    if reason not in DeclineReason.values:
        errors["reason"] = _("Choose why the application is declined.")
    elif reason == DeclineReason.OTHER and not notes.strip():
        errors["notes"] = _("Explain the reason in the notes.")
    if not referral_elsewhere.strip():
        errors["referral_elsewhere"] = _(
            "Suggest where else the applicant can get help (a service or agency)."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(application, expected_version)
        # The reason's code, never the notes: the audit log must hold no personal details.
        client_services.case_close(
            actor=actor,
            case=locked.case,
            reason=f"intake declined: {reason}",
            closed_on=max(locked.case.opened_on, timezone.localdate()),
        )
        now = timezone.now()
        locked.status = ApplicationStatus.DECLINED
        locked.decided_at = now
        locked.decided_by = actor
        locked.decline_reason = reason
        locked.referral_elsewhere = referral_elsewhere.strip()
        _touch(locked)
        locked.save()
        IntakeDecision.objects.create(
            organization_id=locked.organization_id,
            application=locked,
            decision=Decision.DECLINE,
            decided_by=actor,
            decided_at=now,
            reason=reason,
            notes=notes.strip(),
            referral_elsewhere=referral_elsewhere.strip(),
        )
        audit.record(
            action="application.decline",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"case_id": locked.case_id, "reason": reason},
        )
    return locked


# --- documents -----------------------------------------------------------------------------


def document_upload(
    *, actor: User, application: Application, kind: str, upload: UploadedFile
) -> ApplicationDocument:
    """Attach a document to an application, stored under a random name."""
    access.require(access.case_allows(actor, application.case, Action.CHANGE))
    errors: dict[str, Any] = {}
    if kind not in DocumentKind.values:
        errors["kind"] = _("Choose the type of document.")
    size = upload.size or 0
    content_type = ""
    try:
        content_type = uploads.check_upload(
            upload,
            field="file",
            types=DOCUMENT_TYPES,
            max_bytes=uploads.max_upload_bytes(),
            described_as=_("PDF, PNG or JPEG"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    original = uploads.safe_name(upload.name or "", "document")
    document = ApplicationDocument(
        organization_id=application.organization_id,
        application=application,
        kind=kind,
        original_name=original,
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    with transaction.atomic():
        document.file.save("upload", upload, save=False)
        try:
            document.save()
            audit.record(
                action="application.document.upload",
                actor=actor,
                target=document,
                client_id=application.client_id,
                changes={"application_id": application.pk, "kind": kind, "size": size},
            )
        except BaseException:
            document.file.delete(save=False)
            raise
    return document


def document_downloaded(*, actor: User, document: ApplicationDocument, via: str) -> None:
    """Log a download (access is checked by the caller's query)."""
    audit.record(
        action="application.document.download",
        actor=actor,
        target=document,
        client_id=document.application.client_id,
        changes={"application_id": document.application_id, "via": via},
    )

"""Every change to instruments and assessments goes through these functions.

Audit events name ids and question ids only: an answer says something about the
client, and the audit log must not become a second copy of the record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core import audit, uploads
from casework.core.errors import PermissionDenied
from casework.core.models import User
from casework.core.services import check_version

from . import definitions
from .models import (
    Assessment,
    AssessmentStatus,
    ExternalAssessment,
    ExternalKind,
    IdentifiedNeed,
    Instrument,
    InstrumentPurpose,
    InstrumentVersion,
    VersionStatus,
)

# --- instruments ------------------------------------------------------------------------------

STARTER_DEFINITION: dict[str, Any] = {
    "sections": [
        {
            "id": "section_1",
            "title": "First section",
            "questions": [{"id": "question_1", "kind": "long_text", "label": "First question"}],
        }
    ]
}


def _require_configure(actor: User) -> None:
    access.require(
        access.can_configure_programs(actor),
        _("Only program managers and agency admins change instruments."),
    )


def _require_own(actor: User, instrument: Instrument) -> None:
    if instrument.organization_id != actor.organization_id:
        raise PermissionDenied(_("Casework's own instruments are changed by adapting them."))


def _check_definition(definition: Any) -> None:
    problems = definitions.validate(definition)
    if problems:
        raise ValidationError(problems)


def _published(instrument: Instrument) -> InstrumentVersion | None:
    return instrument.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def instrument_create(
    *,
    actor: User,
    code: str,
    name: str,
    description: str = "",
    purpose: str = InstrumentPurpose.OTHER,
    based_on: Instrument | None = None,
) -> InstrumentVersion:
    """A new instrument of the actor's agency, with a first draft version.

    The draft starts from ``based_on``'s published questions, or from one question.
    """
    _require_configure(actor)
    errors: dict[str, str] = {}
    if based_on is not None and based_on.organization_id not in (None, actor.organization_id):
        errors["based_on"] = _("Choose an instrument of your agency or of Casework.")
    if purpose not in InstrumentPurpose.values:
        errors["purpose"] = _("Choose a purpose from the list.")
    if Instrument.objects.filter(organization_id=access.organization_id(actor), code=code).exists():
        errors["code"] = _("Another instrument of your agency already uses this code.")
    if errors:
        raise ValidationError(errors)
    source = _published(based_on) if based_on is not None else None
    instrument = Instrument(
        organization_id=access.organization_id(actor),
        code=code.strip(),
        name=name.strip(),
        description=description.strip(),
        purpose=purpose,
        based_on=based_on if based_on is not None and based_on.is_shipped else None,
    )
    instrument.full_clean(exclude=["organization", "based_on"])
    with transaction.atomic():
        instrument.save()
        draft = InstrumentVersion.objects.create(
            instrument=instrument,
            number=1,
            definition=source.definition if source is not None else STARTER_DEFINITION,
            created_by=actor,
        )
        audit.record(
            action="instrument.create",
            actor=actor,
            target=instrument,
            changes={"based_on_id": based_on.pk if based_on else None, "draft_id": draft.pk},
        )
    return draft


def instrument_draft_create(*, actor: User, instrument: Instrument) -> InstrumentVersion:
    """A new draft version starting from the published one (or the existing draft).

    For one of Casework's instruments this makes the agency's own adaptation of it.
    """
    _require_configure(actor)
    if instrument.is_shipped:
        existing = Instrument.objects.filter(
            organization_id=access.organization_id(actor), based_on=instrument
        ).first()
        if existing is None:
            return instrument_create(
                actor=actor,
                code=instrument.code,
                name=instrument.name,
                description=instrument.description,
                purpose=instrument.purpose,
                based_on=instrument,
            )
        instrument = existing
    _require_own(actor, instrument)
    with transaction.atomic():
        Instrument.objects.select_for_update().filter(pk=instrument.pk).first()
        draft = instrument.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        last = instrument.versions.order_by("-number").first()
        source = _published(instrument) or last
        draft = InstrumentVersion.objects.create(
            instrument=instrument,
            number=(last.number + 1) if last else 1,
            definition=source.definition if source else STARTER_DEFINITION,
            created_by=actor,
        )
        audit.record(
            action="instrument.draft",
            actor=actor,
            target=draft,
            changes={"instrument_id": instrument.pk, "number": draft.number},
        )
    return draft


def instrument_draft_update(
    *,
    actor: User,
    version: InstrumentVersion,
    definition: Any,
    expected_version: int | None,
) -> InstrumentVersion:
    """Replace a draft's definition; it must be valid (every problem is named)."""
    _require_configure(actor)
    _require_own(actor, version.instrument)
    _check_definition(definition)
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        check_version(locked, expected_version, _("draft"))
        if locked.status != VersionStatus.DRAFT:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "Only a draft can be edited; published versions never change."
                    )
                }
            )
        if locked.definition != definition:
            locked.definition = definition
            locked.version = F("version") + 1
            locked.save(update_fields=["definition", "version"])
            locked.refresh_from_db(fields=["version"])
            audit.record(action="instrument.draft_update", actor=actor, target=locked)
    locked.instrument = version.instrument
    return locked


def instrument_publish(
    *, actor: User, version: InstrumentVersion, expected_version: int | None = None
) -> InstrumentVersion:
    """Publish a draft: new assessments use it; the version before it is retired."""
    _require_configure(actor)
    _require_own(actor, version.instrument)
    with transaction.atomic():
        locked = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        check_version(locked, expected_version, _("draft"))
        if locked.status != VersionStatus.DRAFT:
            raise ValidationError({NON_FIELD_ERRORS: _("Only a draft can be published.")})
        _check_definition(locked.definition)
        retired = list(
            InstrumentVersion.objects.filter(
                instrument_id=locked.instrument_id, status=VersionStatus.PUBLISHED
            ).values_list("pk", flat=True)
        )
        InstrumentVersion.objects.filter(pk__in=retired).update(status=VersionStatus.RETIRED)
        locked.status = VersionStatus.PUBLISHED
        locked.published_by = actor
        locked.published_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "published_by", "published_at", "version"])
        audit.record(
            action="instrument.publish",
            actor=actor,
            target=locked,
            changes={"instrument_id": locked.instrument_id, "retired_ids": retired},
        )
    locked.instrument = version.instrument
    return locked


# --- assessments ------------------------------------------------------------------------------


def _require_change(actor: User, case: Case) -> None:
    access.require(access.case_allows(actor, case, Action.CHANGE))


def assessment_start(
    *,
    actor: User,
    case: Case,
    instrument_version: InstrumentVersion,
    assessed_on: date | None = None,
) -> Assessment:
    """Begin an assessment of the case's client under a published instrument version."""
    _require_change(actor, case)
    errors: dict[str, str] = {}
    instrument = instrument_version.instrument
    if instrument_version.status != VersionStatus.PUBLISHED or instrument.organization_id not in (
        None,
        case.organization_id,
    ):
        errors["instrument_version"] = _("Choose a published instrument.")
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("The assessment date cannot be in the future.")
    elif assessed_on < case.opened_on:
        errors["assessed_on"] = _("The assessment date is before the case was opened.")
    if not case.is_open:
        errors[NON_FIELD_ERRORS] = _("A closed case cannot be assessed.")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        instrument_version=instrument_version,
        assessor=actor,
        assessed_on=assessed_on,
    )
    with transaction.atomic():
        assessment.save()
        audit.record(
            action="assessment.start",
            actor=actor,
            target=assessment,
            client_id=case.client_id,
            changes={"case_id": case.pk, "instrument_version_id": instrument_version.pk},
        )
    return assessment


def _clean_answers(
    definition: dict[str, Any], given: dict[str, Any]
) -> tuple[dict[str, Any], set[str], dict[str, list[str]]]:
    """(cleaned answers, ids answered with nothing, problems keyed by question id)."""
    questions = definitions.questions_by_id(definition)
    cleaned: dict[str, Any] = {}
    emptied: set[str] = set()
    problems: dict[str, list[str]] = {}
    for qid, raw in given.items():
        question = questions.get(qid)
        if question is None:
            problems[qid] = [_("This is not a question of this assessment.")]
            continue
        value, error = definitions.clean_answer(question, raw)
        if error:
            problems[qid] = [error]
        elif value is None:
            emptied.add(qid)
        else:
            cleaned[qid] = value
    return cleaned, emptied, problems


def _lock_draft(assessment: Assessment, expected_version: int | None) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    check_version(locked, expected_version, _("assessment"))
    if locked.status != AssessmentStatus.DRAFT:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This assessment is already completed and can no longer change.")}
        )
    return locked


def _merge(
    current: dict[str, Any], cleaned: dict[str, Any], emptied: set[str]
) -> tuple[dict[str, Any], list[str]]:
    merged = {k: v for k, v in current.items() if k not in emptied} | cleaned
    changed = sorted(k for k in set(current) | set(merged) if current.get(k) != merged.get(k))
    return merged, changed


def _save(locked: Assessment, fields: list[str]) -> None:
    locked.updated_at = timezone.now()
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "updated_at", "version"])
    locked.refresh_from_db(fields=["version"])


def assessment_save(
    *,
    actor: User,
    assessment: Assessment,
    answers: dict[str, Any],
    expected_version: int | None,
) -> Assessment:
    """Save some answers of a draft. Each given answer must be valid; none is required yet.

    An empty answer ("" / null / []) clears the question.
    """
    _require_change(actor, assessment.case)
    definition = assessment.instrument_version.definition
    cleaned, emptied, problems = _clean_answers(definition, answers)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = _lock_draft(assessment, expected_version)
        merged, changed = _merge(locked.answers, cleaned, emptied)
        if changed:
            locked.answers = merged
            _save(locked, ["answers"])
            audit.record(
                action="assessment.save",
                actor=actor,
                target=locked,
                client_id=locked.client_id,
                changes={"questions": changed},
            )
    return locked


def assessment_complete(
    *,
    actor: User,
    assessment: Assessment,
    answers: dict[str, Any] | None = None,
    expected_version: int | None,
) -> Assessment:
    """Save ``answers`` and complete: every question asked and required must be answered.

    Answers to questions that are not asked (their condition does not hold) are
    dropped. Scores are computed, and low-scoring domains become identified needs.
    Each problem is keyed by its question id; on any problem nothing is saved.
    """
    _require_change(actor, assessment.case)
    definition = assessment.instrument_version.definition
    cleaned, emptied, problems = _clean_answers(definition, answers or {})
    with transaction.atomic():
        locked = _lock_draft(assessment, expected_version)
        merged = _merge(locked.answers, cleaned, emptied)[0]
        visible = definitions.visible_question_ids(definition, merged)
        for question in definitions.iter_questions(definition):
            qid = question["id"]
            missing = qid in visible and question.get("required") and qid not in merged
            if missing and qid not in problems:
                problems[qid] = [_("Answer this question to complete the assessment.")]
        if problems:
            raise ValidationError(problems)
        kept = {k: v for k, v in merged.items() if k in visible}
        changed = sorted(
            k for k in set(locked.answers) | set(kept) if locked.answers.get(k) != kept.get(k)
        )
        locked.answers = kept
        locked.scores = definitions.compute_scores(definition, kept)
        locked.status = AssessmentStatus.COMPLETED
        locked.completed_at = timezone.now()
        _save(locked, ["answers", "scores", "status", "completed_at"])
        needs = IdentifiedNeed.objects.bulk_create(
            IdentifiedNeed(
                organization_id=locked.organization_id,
                case_id=locked.case_id,
                client_id=locked.client_id,
                assessment=locked,
                domain=need.domain,
                domain_label=need.label,
                score=need.score,
                note=need.note,
            )
            for need in definitions.identified_needs(definition, kept)
        )
        audit.record(
            action="assessment.complete",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={
                "questions": changed,
                "identified_need_ids": [n.pk for n in needs if n.pk is not None],
            },
        )
    return locked


def assessment_sign(
    *,
    actor: User,
    assessment: Assessment,
    acknowledged: bool,
    expected_version: int | None,
) -> Assessment:
    """Sign a completed assessment: it is locked from then on."""
    _require_change(actor, assessment.case)
    if not acknowledged:
        raise ValidationError(
            {"acknowledged": _("Confirm that the assessment is accurate and complete.")}
        )
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        check_version(locked, expected_version, _("assessment"))
        if locked.status != AssessmentStatus.COMPLETED:
            message = (
                _("This assessment is already signed.")
                if locked.status == AssessmentStatus.SIGNED
                else _("Complete the assessment before signing it.")
            )
            raise ValidationError({NON_FIELD_ERRORS: message})
        locked.status = AssessmentStatus.SIGNED
        locked.signed_by = actor
        locked.signed_at = timezone.now()
        _save(locked, ["status", "signed_by", "signed_at"])
        audit.record(
            action="assessment.sign", actor=actor, target=locked, client_id=locked.client_id
        )
    return locked


# --- assessments by other professionals ---------------------------------------------------------

#: Reports from other professionals: PDF, Word, or a scan or photo.
REPORT_TYPES = {ext: uploads.DOCUMENT_TYPES[ext] for ext in ("pdf", "docx", "png", "jpg", "jpeg")}


def _check_report(report: UploadedFile) -> str:
    """The content type of an acceptable report; refuses anything else by what it is."""
    return uploads.check_upload(
        report,
        field="report",
        types=REPORT_TYPES,
        max_bytes=uploads.max_upload_bytes(),
        described_as=_("PDF, Word (.docx), PNG or JPEG"),
    )


def external_assessment_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    professional_name: str,
    professional_organization: str = "",
    assessed_on: date,
    findings: str,
    client_summary: str = "",
    report: UploadedFile | None = None,
) -> ExternalAssessment:
    """Record another professional's assessment of the case's client, with their report."""
    _require_change(actor, case)
    errors: dict[str, str] = {}
    if kind not in ExternalKind.values:
        errors["kind"] = _("Choose the kind of professional.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("The assessment date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    external = ExternalAssessment(
        organization_id=case.organization_id,
        case=case,
        client_id=case.client_id,
        kind=kind,
        professional_name=professional_name.strip(),
        professional_organization=professional_organization.strip(),
        assessed_on=assessed_on,
        findings=findings.strip(),
        client_summary=client_summary.strip(),
        recorded_by=actor,
    )
    external.full_clean(exclude=["report", "organization", "case", "client", "recorded_by"])
    if report is not None:
        external.report_content_type = _check_report(report)
        external.report_name = uploads.safe_name(report.name or "", "report")
        external.report_size = report.size
    with transaction.atomic():
        if report is not None:
            # Storage writes happen first; a failed insert leaves an orphan file with an
            # unguessable name, never a row pointing at nothing.
            external.report.save(report.name or "report", report, save=False)
        external.save()
        audit.record(
            action="external_assessment.record",
            actor=actor,
            target=external,
            client_id=case.client_id,
            changes={"case_id": case.pk, "kind": kind, "report": report is not None},
        )
    return external


def external_report_opened(*, actor: User, external: ExternalAssessment, via: str) -> None:
    """Write the download of a report to the audit log (reads of client records are logged)."""
    access.require(access.case_allows(actor, external.case, Action.VIEW))
    audit.record(
        action="external_assessment.report_download",
        actor=actor,
        target=external,
        client_id=external.client_id,
        changes={"via": via},
    )


def assessment_viewed(*, actor: User, assessment: Assessment, via: str) -> None:
    """Log that someone read an assessment (access is checked by the caller's query): the
    privacy officer's "who has seen this record" report lists it."""
    audit.record(
        action="assessment.view",
        actor=actor,
        target=assessment,
        client_id=assessment.client_id,
        changes={"via": via},
    )

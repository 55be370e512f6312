"""Assessment services: partial saves, completion, signing, concurrency and the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.assessments import queries, services
from casework.assessments.models import (
    Assessment,
    AssessmentStatus,
    IdentifiedNeed,
    InstrumentVersion,
)
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent
from tests.personas import Personas

from .conftest import complete_needs, needs_answers, published

pytestmark = pytest.mark.django_db


def start(p: Personas, version: InstrumentVersion, **kw: object) -> Assessment:
    return services.assessment_start(
        actor=p.case_manager,
        case=p.case,
        instrument_version=version,
        **kw,  # type: ignore[arg-type]
    )


def test_a_draft_saves_partway_without_required_answers(
    personas: Personas, intake_version: InstrumentVersion
) -> None:
    a = start(personas, intake_version)
    saved = services.assessment_save(
        actor=personas.case_manager,
        assessment=a,
        answers={"history": "Fell behind on rent", "income_monthly": "800"},
        expected_version=a.version,
    )
    assert saved.answers == {"history": "Fell behind on rent", "income_monthly": 800}
    assert saved.status == AssessmentStatus.DRAFT
    assert saved.version == a.version + 1
    again = services.assessment_save(
        actor=personas.case_manager,
        assessment=saved,
        answers={"history": "", "strengths": "Persistent"},
        expected_version=saved.version,
    )
    assert again.answers == {"income_monthly": 800, "strengths": "Persistent"}


def test_a_partial_save_refuses_invalid_answers_by_question_and_writes_nothing(
    personas: Personas, intake_version: InstrumentVersion
) -> None:
    a = start(personas, intake_version)
    with pytest.raises(ValidationError) as exc:
        services.assessment_save(
            actor=personas.case_manager,
            assessment=a,
            answers={
                "history": "ok",
                "income_monthly": "-5",
                "living_situation": "castle",
                "nonsense": 1,
            },
            expected_version=a.version,
        )
    assert set(exc.value.message_dict) == {"income_monthly", "living_situation", "nonsense"}
    a.refresh_from_db()
    assert a.answers == {}
    assert a.version == 1


def test_completing_names_each_missing_question_and_saves_nothing(
    personas: Personas, intake_version: InstrumentVersion
) -> None:
    a = start(personas, intake_version)
    with pytest.raises(ValidationError) as exc:
        services.assessment_complete(
            actor=personas.case_manager,
            assessment=a,
            answers={"history": "Lost job", "safe_tonight": "no", "benefits": ["other"]},
            expected_version=a.version,
        )
    missing = set(exc.value.message_dict)
    assert missing == {
        "living_situation",
        "safe_tonight_plan",
        "benefits_other",
        "strengths",
        "goals_in_own_words",
        "client_acknowledgement",
    }
    a.refresh_from_db()
    assert a.answers == {}
    assert a.status == AssessmentStatus.DRAFT


def test_completing_drops_answers_to_questions_not_asked(
    personas: Personas, intake_version: InstrumentVersion
) -> None:
    a = start(personas, intake_version)
    answers = {
        "living_situation": "shelter",
        "history": "Lost job",
        "safe_tonight": "yes",
        "safe_tonight_plan": "Not needed",
        "strengths": "Kind",
        "goals_in_own_words": "A home",
        "client_acknowledgement": "on",
    }
    done = services.assessment_complete(
        actor=personas.case_manager, assessment=a, answers=answers, expected_version=1
    )
    assert done.status == AssessmentStatus.COMPLETED
    assert "safe_tonight_plan" not in done.answers
    assert done.answers["safe_tonight"] is True
    assert done.completed_at is not None


def test_a_completed_needs_assessment_scores_and_identifies_needs(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    done = complete_needs(
        personas.case_manager, personas.case, needs_version, {"housing": 1, "income": 2}
    )
    assert done.scores["housing"]["value"] == 1
    assert done.scores["total"]["value"] == 1 + 2 + 3 * 12
    needs = IdentifiedNeed.objects.filter(assessment=done).order_by("score")
    assert [(n.domain, int(n.score), n.note) for n in needs] == [
        ("housing", 1, "Note about housing"),
        ("income", 2, "Note about income"),
    ]
    assert all(n.case_id == personas.case.pk for n in needs)


def test_signing_locks_the_assessment(personas: Personas, needs_version: InstrumentVersion) -> None:
    done = complete_needs(personas.case_manager, personas.case, needs_version, {})
    with pytest.raises(ValidationError):
        services.assessment_sign(
            actor=personas.case_manager,
            assessment=done,
            acknowledged=False,
            expected_version=done.version,
        )
    signed = services.assessment_sign(
        actor=personas.case_manager,
        assessment=done,
        acknowledged=True,
        expected_version=done.version,
    )
    assert signed.status == AssessmentStatus.SIGNED
    assert signed.signed_by == personas.case_manager
    assert signed.signed_at is not None
    assert signed.is_locked
    with pytest.raises(ValidationError):
        services.assessment_save(
            actor=personas.case_manager,
            assessment=signed,
            answers={"housing_score": 1},
            expected_version=signed.version,
        )
    with pytest.raises(ValidationError):
        services.assessment_sign(
            actor=personas.case_manager,
            assessment=signed,
            acknowledged=True,
            expected_version=signed.version,
        )


def test_signing_needs_a_completed_assessment(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    a = start(personas, needs_version)
    with pytest.raises(ValidationError):
        services.assessment_sign(
            actor=personas.case_manager, assessment=a, acknowledged=True, expected_version=1
        )


def test_a_stale_save_is_refused(personas: Personas, needs_version: InstrumentVersion) -> None:
    a = start(personas, needs_version)
    services.assessment_save(
        actor=personas.supervisor,
        assessment=a,
        answers={"housing_score": 2},
        expected_version=1,
    )
    with pytest.raises(ConflictError) as exc:
        services.assessment_save(
            actor=personas.case_manager,
            assessment=a,
            answers={"housing_score": 4},
            expected_version=1,
        )
    assert exc.value.current_version == 2
    a.refresh_from_db()
    assert a.answers == {"housing_score": 2}


def test_an_assessment_cannot_be_dated_in_the_future(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    with pytest.raises(ValidationError) as exc:
        start(personas, needs_version, assessed_on=timezone.localdate() + timedelta(days=1))
    assert "assessed_on" in exc.value.message_dict
    assert not Assessment.objects.exists()


def test_the_audit_log_holds_question_ids_never_answers(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    secret = "Sleeping in the blue car behind the laundromat"
    a = start(personas, needs_version)
    services.assessment_save(
        actor=personas.case_manager,
        assessment=a,
        answers={"housing_note": secret},
        expected_version=1,
    )
    answers = needs_answers({"housing": 1}) | {"housing_note": secret}
    done = services.assessment_complete(
        actor=personas.case_manager, assessment=a, answers=answers, expected_version=2
    )
    services.assessment_sign(
        actor=personas.case_manager, assessment=done, acknowledged=True, expected_version=None
    )
    events = list(AuditEvent.objects.filter(object_type="assessments.assessment"))
    assert [e.action for e in events] == [
        "assessment.start",
        "assessment.save",
        "assessment.complete",
        "assessment.sign",
    ]
    assert events[1].changes == {"questions": ["housing_note"]}
    assert all(e.client_id == personas.case.client_id for e in events)
    dumped = json.dumps([e.changes for e in events])
    assert secret not in dumped
    assert "Note about" not in dumped


def test_reassessment_compares_each_domain_with_the_previous_completed_one(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    today = timezone.localdate()
    first = complete_needs(
        personas.case_manager,
        personas.case,
        needs_version,
        {"housing": 1, "food": 4},
        assessed_on=today - timedelta(days=91),
    )
    start(personas, needs_version, assessed_on=today - timedelta(days=30))  # a draft: ignored
    second = complete_needs(
        personas.case_manager,
        personas.case,
        needs_version,
        {"housing": 3, "food": 2},
        assessed_on=today,
    )
    result = queries.comparison(second)
    assert result.previous == first
    rows = {r.id: r for r in result.rows}
    assert (rows["housing"].previous, rows["housing"].current, rows["housing"].change) == (
        1.0,
        3.0,
        2.0,
    )
    assert rows["housing"].direction == "up"
    assert rows["food"].direction == "down"
    assert rows["income"].direction == "same"
    assert "total" in rows
    assert "total" not in {r.id for r in result.domain_rows}
    assert queries.comparison(first).previous is None


def test_an_assessment_cannot_be_dated_before_the_case_opened(personas: Personas, shipped) -> None:
    case = personas.case
    with pytest.raises(ValidationError) as caught:
        services.assessment_start(
            actor=personas.case_manager,
            case=case,
            instrument_version=published("life-domains"),
            assessed_on=case.opened_on - timedelta(days=1),
        )
    assert "assessed_on" in caught.value.message_dict

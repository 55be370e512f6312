"""Receiving, screening and the intake team's decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.access import Action
from casework.clients.models import Case, CaseAssignment, CaseStatus
from casework.core.errors import ConflictError, NotFound
from casework.core.models import AuditEvent, Program
from casework.intake import queries, services
from casework.intake.models import Application, ApplicationDocument, IntakeDecision
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas

from .conftest import add_case_manager, receive

pytestmark = pytest.mark.django_db

ELIGIBLE = {"household_income_percent_fpl": 30, "county": "Riverside"}


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def refreshed(application: Application) -> Application:
    return queries.get_application(application.received_by, application.pk)


# --- receiving -------------------------------------------------------------------------------


def test_it_receives_an_application_into_a_case_in_screening(
    personas: Personas, program: Program
) -> None:
    p = personas
    application = receive(
        p,
        source="agency",
        referring_agency="County Hospital",
        presenting_needs=["mental_health", "housing"],
        screening_answers={"county": "Riverside"},
    )
    case = application.case
    assert case.status == CaseStatus.SCREENING
    assert case.case_manager is None
    assert case.client_id == application.client_id
    assert application.presenting_needs == ["housing", "mental_health"]
    assert application.screening_answers == {"county": "Riverside"}
    assert actions()[-2:] == ["case.open", "application.receive"]
    event = AuditEvent.objects.get(action="application.receive")
    assert event.changes == {"case_id": case.pk, "program_id": program.pk, "source": "agency"}


def test_bad_input_names_each_field_and_writes_nothing(
    personas: Personas, program: Program
) -> None:
    p = personas
    before = (Case.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        receive(
            p,
            source="agency",
            received_on=timezone.localdate() + timedelta(days=1),
            presenting_needs=["housing", "money"],
            screening_answers={"county": 7, "veteran": True},
        )
    assert set(caught.value.message_dict) == {
        "referring_agency",
        "received_on",
        "presenting_needs",
        "screening_answers.county",
        "screening_answers.veteran",
    }
    assert (Case.objects.count(), AuditEvent.objects.count()) == before
    assert not Application.objects.exists()


def test_a_client_with_an_open_case_in_the_program_is_refused(
    personas: Personas, program: Program
) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        receive(p, client=p.case.client)
    assert "program" in caught.value.message_dict


def test_only_intake_coordinators_receive(personas: Personas, program: Program) -> None:
    p = personas
    for who in (p.case_manager, p.supervisor, p.auditor, p.admin):
        with pytest.raises(PermissionDenied):
            services.application_receive(
                actor=who,
                client=ClientFactory(organization=p.agency),
                program=program,
                source="phone",
            )


def test_a_client_of_another_agency_is_refused(personas: Personas, program: Program) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        receive(p, client=p.outsider_case.client)
    assert "client" in caught.value.message_dict


# --- screening -------------------------------------------------------------------------------


def test_screening_answers_are_replaced_and_audited_without_values(
    personas: Personas, application: Application
) -> None:
    p = personas
    updated = services.application_update_screening(
        actor=p.intake,
        application=application,
        expected_version=application.version,
        screening_answers=ELIGIBLE,
    )
    assert updated.screening_answers == ELIGIBLE
    assert updated.version == application.version + 1
    event = AuditEvent.objects.filter(action="application.screen").get()
    assert event.changes == {
        "fields": ["screening_answers"],
        "criteria": ["county", "household_income_percent_fpl"],
    }
    assert "Riverside" not in str(event.changes)
    with pytest.raises(ConflictError):
        services.application_update_screening(
            actor=p.intake,
            application=application,
            expected_version=application.version,
            screening_answers={},
        )


# --- decisions -------------------------------------------------------------------------------


def test_waitlisting_sets_priority_and_keeps_the_waiting_time(
    personas: Personas, application: Application
) -> None:
    p = personas
    waitlisted = services.application_waitlist(
        actor=p.intake, application=application, priority=2, expected_version=1
    )
    assert waitlisted.status == "waitlisted"
    assert Case.objects.get(pk=application.case_id).status == CaseStatus.WAITLISTED
    first_waitlisted = waitlisted.waitlisted_at
    again = services.application_waitlist(
        actor=p.intake,
        application=refreshed(waitlisted),
        priority=1,
        expected_version=waitlisted.version,
    )
    assert again.priority == 1
    assert again.waitlisted_at == first_waitlisted
    assert IntakeDecision.objects.filter(application=application).count() == 2
    with pytest.raises(ValidationError) as caught:
        services.application_waitlist(
            actor=p.intake, application=refreshed(again), priority=9, expected_version=None
        )
    assert "priority" in caught.value.message_dict


def test_the_waitlist_is_ordered_by_priority_then_date_waitlisted(
    personas: Personas, program: Program
) -> None:
    p = personas
    now = timezone.now()
    made = {}
    for name, priority, days_ago in [("a", 3, 30), ("b", 1, 2), ("c", 3, 40), ("d", 1, 5)]:
        application = receive(p)
        services.application_waitlist(
            actor=p.intake, application=application, priority=priority, expected_version=None
        )
        Application.objects.filter(pk=application.pk).update(
            waitlisted_at=now - timedelta(days=days_ago)
        )
        made[application.pk] = name
    line = list(queries.waitlist(p.intake))
    assert [made[a.pk] for a in line] == ["d", "b", "c", "a"]
    assert [a.position for a in line] == [1, 2, 3, 4]  # type: ignore[attr-defined]
    # Filtering does not renumber the line.
    routine = list(queries.waitlist(p.intake).filter(priority=3))
    assert [a.position for a in routine] == [3, 4]  # type: ignore[attr-defined]
    last = next(pk for pk, name in made.items() if name == "a")
    assert queries.waitlist_position(p.intake, Application.objects.get(pk=last)) == 4


def test_accepting_assigns_the_case_manager_and_activates_the_case(
    personas: Personas, application: Application
) -> None:
    p = personas
    application = services.application_update_screening(
        actor=p.intake, application=application, expected_version=1, screening_answers=ELIGIBLE
    )
    accepted = services.application_accept(
        actor=p.intake,
        application=refreshed(application),
        case_manager=p.colleague,
        expected_version=application.version,
    )
    case = Case.objects.get(pk=application.case_id)
    assert accepted.status == "accepted"
    assert accepted.decided_by == p.intake
    assert case.status == CaseStatus.ACTIVE
    assert case.case_manager == p.colleague
    assert case.team == p.other_team  # the colleague's team of the program
    assert CaseAssignment.objects.filter(case=case, ended_at__isnull=True).get().case_manager == (
        p.colleague
    )
    decision = IntakeDecision.objects.get(application=application)
    assert (decision.decision, decision.case_manager) == ("accept", p.colleague)
    assert actions()[-3:] == ["case.assign", "case.status", "application.accept"]
    # Intake no longer sees the case; its case manager does.
    with pytest.raises(NotFound):
        queries.get_application(p.intake, application.pk)
    assert queries.get_application(p.colleague, application.pk)


def test_accepting_without_eligibility_needs_a_note(
    personas: Personas, application: Application
) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        services.application_accept(
            actor=p.intake,
            application=application,
            case_manager=p.case_manager,
            expected_version=None,
        )
    assert set(caught.value.message_dict) == {"notes"}
    assert Case.objects.get(pk=application.case_id).status == CaseStatus.SCREENING
    accepted = services.application_accept(
        actor=p.intake,
        application=application,
        case_manager=p.case_manager,
        expected_version=None,
        notes="Income proof follows next week.",
    )
    assert accepted.status == "accepted"


def test_accepting_names_a_case_manager_outside_the_program(
    personas: Personas, application: Application
) -> None:
    p = personas
    for who in (p.outsider, p.auditor, p.supervisor):
        with pytest.raises(ValidationError) as caught:
            services.application_accept(
                actor=p.intake,
                application=application,
                case_manager=who,
                expected_version=None,
                notes="n",
            )
        assert "case_manager" in caught.value.message_dict
    assert not IntakeDecision.objects.exists()


def test_a_full_program_refuses_to_accept(personas: Personas, application: Application) -> None:
    p = personas
    Program.objects.filter(pk=p.program.pk).update(capacity=2)  # two active cases already
    with pytest.raises(ValidationError) as caught:
        services.application_accept(
            actor=p.intake,
            application=refreshed(application),
            case_manager=p.case_manager,
            expected_version=None,
            notes="n",
        )
    assert "__all__" in caught.value.message_dict


def test_declining_closes_the_case_with_reason_and_referral(
    personas: Personas, application: Application
) -> None:
    p = personas
    with pytest.raises(ValidationError) as caught:
        services.application_decline(
            actor=p.intake,
            application=application,
            reason="",
            referral_elsewhere=" ",
            expected_version=None,
        )
    assert set(caught.value.message_dict) == {"reason", "referral_elsewhere"}
    declined = services.application_decline(
        actor=p.intake,
        application=application,
        reason="not_eligible",
        referral_elsewhere="Harbor Legal Aid eviction clinic",
        expected_version=1,
        notes="Lives outside the service area.",
    )
    case = Case.objects.get(pk=application.case_id)
    assert declined.status == "declined"
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on == timezone.localdate()
    decision = IntakeDecision.objects.get(application=application)
    assert decision.referral_elsewhere == "Harbor Legal Aid eviction clinic"
    for event in AuditEvent.objects.filter(action__in=["case.close", "application.decline"]):
        assert "Harbor" not in str(event.changes)
        assert "service area" not in str(event.changes)
    with pytest.raises((ValidationError, NotFound, PermissionDenied)):
        services.application_waitlist(
            actor=p.intake, application=declined, priority=1, expected_version=None
        )


@pytest.mark.parametrize("decide", ["accept", "decline", "waitlist"])
def test_a_case_manager_cannot_decide(
    personas: Personas, application: Application, decide: str
) -> None:
    p = personas
    # The case manager of the screening team sees the case but may not decide on it.
    Case.objects.filter(pk=application.case_id).update(team=p.team)
    seen = queries.get_application(p.case_manager, application.pk)
    with pytest.raises(PermissionDenied):
        queries.get_application(p.case_manager, application.pk, Action.ASSIGN)
    kwargs: dict[str, Any] = {"actor": p.case_manager, "application": seen}
    with pytest.raises(PermissionDenied):
        if decide == "accept":
            services.application_accept(
                **kwargs, case_manager=p.case_manager, expected_version=None, notes="n"
            )
        elif decide == "decline":
            services.application_decline(
                **kwargs, reason="withdrew", referral_elsewhere="x", expected_version=None
            )
        else:
            services.application_waitlist(**kwargs, priority=1, expected_version=None)
    assert not IntakeDecision.objects.exists()


def test_outsiders_and_auditors_see_nothing(personas: Personas, application: Application) -> None:
    p = personas
    for who in (p.outsider, p.auditor, p.admin, p.partner):
        with pytest.raises(NotFound):
            queries.get_application(who, application.pk)
        assert not queries.applications(who).exists()
        assert not queries.recent_decisions(who).exists()
        with pytest.raises(PermissionDenied):
            services.application_update_screening(
                actor=who, application=application, expected_version=None, screening_answers={}
            )


# --- suggestions -------------------------------------------------------------------------------


def test_suggestions_rank_language_and_room_in_the_caseload_first(
    personas: Personas, program: Program
) -> None:
    p = personas
    spanish_client = ClientFactory(organization=p.agency, preferred_language="es")
    application = receive(p, client=spanish_client, presenting_needs=["mental_health"])
    busy_speaker = add_case_manager(p, languages=["en", "es"])
    free_speaker = add_case_manager(p, languages=["es"], expertise=["mental_health"])
    free_english = add_case_manager(p, languages=["en"])
    for _ in range(20):
        CaseFactory(team=p.team, case_manager=busy_speaker)
    ranked = queries.suggest_case_managers(p.intake, application)
    order = [s.user for s in ranked]
    # Language first, then room in the caseload, then the remaining (English, busier) staff.
    assert order[:3] == [free_speaker, busy_speaker, free_english]
    assert order[3:] == [p.case_manager, p.colleague]  # one case each, in the same language
    top = ranked[0]
    assert top.speaks_language and top.caseload == 0
    assert any("Spanish" in r and "Speaks" in r for r in top.reasons)
    assert any("Mental health" in r for r in top.reasons)
    busy = next(s for s in ranked if s.user == busy_speaker)
    assert busy.caseload == 20
    assert "20 open cases; capacity 30." in busy.reasons
    english = next(s for s in ranked if s.user == free_english)
    assert any(r.startswith("Does not speak Spanish") for r in english.reasons)
    # Supervisors, other programs' staff and other agencies are not offered.
    assert p.supervisor not in order
    assert p.outsider not in order


# --- documents -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% synthetic\n"


def test_documents_are_checked_for_type_and_size(
    personas: Personas, application: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = personas
    document = services.document_upload(
        actor=p.intake,
        application=application,
        kind="income",
        upload=SimpleUploadedFile("pay slip.pdf", PDF, content_type="application/pdf"),
    )
    assert document.content_type == "application/pdf"
    assert "pay slip" not in document.file.name
    assert document.file.name.startswith(f"intake/{p.agency.pk}/")
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    bad = [
        ("script.html", b"<script>", "file"),
        ("fake.pdf", b"MZ\x90\x00", "file"),
        ("empty.png", b"", "file"),
    ]
    for name, content, field in bad:
        with pytest.raises(ValidationError) as caught:
            services.document_upload(
                actor=p.intake,
                application=application,
                kind="other",
                upload=SimpleUploadedFile(name, content),
            )
        assert field in caught.value.message_dict
    monkeypatch.setattr(settings, "CASEWORK_MAX_UPLOAD_MB", 1)
    with pytest.raises(ValidationError) as caught:
        services.document_upload(
            actor=p.intake,
            application=application,
            kind="nonsense",
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)),
        )
    assert set(caught.value.message_dict) == {"file", "kind"}
    assert ApplicationDocument.objects.count() == 1

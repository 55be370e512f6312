"""Referrals: drafts, sending under consent, answers, follow-up tasks, links, and the audit log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.consent import services as consent_services
from casework.consent.models import Disclosure
from casework.consent.policy import Party
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent
from casework.monitoring.models import Task, TaskStatus
from casework.plans.models import ActionStep
from casework.referrals import services
from casework.referrals.models import EventVia, Referral, ReferralLink, ReferralStatus
from casework.resources.models import ServiceStatus
from tests.personas import Personas

from .conftest import Directory, PlanGoal, consent_for, draft, plan_goal, sent, today

pytestmark = pytest.mark.django_db


def record(personas: Personas, referral: Referral, status: str, **extra: object) -> Referral:
    return services.referral_record(
        actor=personas.case_manager,
        referral=referral,
        expected_version=referral.version,
        status=status,
        happened_on=today(),
        **extra,  # type: ignore[arg-type]
    )


# --- working days and the receiving party ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 30), 5, date(2026, 12, 7)),  # Monday → next Monday
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday → Monday
        (date(2026, 12, 5), 5, date(2026, 12, 11)),  # Saturday → Friday
        (date(2026, 12, 2), 2, date(2026, 12, 4)),
    ],
)
def test_working_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert services.add_working_days(start, days) == expected


def test_a_partner_agency_receives_as_the_agency_and_others_as_the_provider(
    directory: Directory,
) -> None:
    assert services.referral_party(directory.legal_aid) == Party.partner(directory.harbor_org.pk)
    assert services.referral_party(directory.pantry) == Party.provider(directory.food_bank.pk)


# --- drafts ----------------------------------------------------------------------------------


def test_a_draft_names_the_provider_goal_and_step_and_is_audited(
    personas: Personas, directory: Directory, goal: PlanGoal
) -> None:
    referral = draft(personas, directory.legal_aid, goal)
    assert referral.status == ReferralStatus.DRAFT
    assert referral.provider == directory.harbor
    assert referral.recipient_organization_id == directory.harbor_org.pk
    assert referral.goal_key == goal.goal.key
    assert referral.step_key == goal.step.key
    assert referral.events.get().status == ReferralStatus.DRAFT
    event = AuditEvent.objects.get(action="referral.create")
    assert event.client_id == personas.case.client_id
    assert event.changes["categories"] == ["identity_contact", "plan"]
    assert "food" not in str(event.changes).lower()


def test_a_step_alone_brings_its_goal(
    personas: Personas, directory: Directory, goal: PlanGoal
) -> None:
    referral = services.referral_create(
        actor=personas.case_manager,
        case=personas.case,
        service=directory.pantry,
        reason="Food",
        categories=["identity_contact"],
        action_step=goal.step,
    )
    assert referral.goal == goal.goal


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"categories": ["plan"]}, "categories"),
        ({"categories": ["identity_contact", "gossip"]}, "categories"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"match_reasons": [{"fits": "yes", "text": "x"}]}, "match_reasons"),
        ({"eligibility_note": "x" * 4001}, "eligibility_note"),
    ],
)
def test_a_draft_with_bad_fields_names_each_field(
    personas: Personas, directory: Directory, changes: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {
        "reason": "Food",
        "categories": ["identity_contact"],
        **changes,
    }
    with pytest.raises(ValidationError) as caught:
        services.referral_create(
            actor=personas.case_manager,
            case=personas.case,
            service=directory.pantry,
            **values,  # type: ignore[arg-type]
        )
    assert field in caught.value.message_dict
    assert not Referral.objects.exists()


def test_a_draft_refuses_a_goal_or_place_of_another_case_or_service(
    personas: Personas, directory: Directory
) -> None:
    other = plan_goal(
        personas.colleague, personas.supervisor, personas.colleague_case, approve=False
    )
    with pytest.raises(ValidationError) as caught:
        services.referral_create(
            actor=personas.case_manager,
            case=personas.case,
            service=directory.legal_aid,
            reason="Advice",
            categories=["identity_contact"],
            goal=other.goal,
            location=directory.pantry_here,
        )
    assert {"goal", "location"} <= set(caught.value.message_dict)


def test_a_draft_refuses_an_inactive_service(personas: Personas, directory: Directory) -> None:
    directory.pantry.status = ServiceStatus.DEFUNCT
    directory.pantry.save()
    with pytest.raises(ValidationError) as caught:
        draft(personas, directory.pantry)
    assert "service" in caught.value.message_dict


@pytest.mark.parametrize("who", ["auditor", "partner", "colleague", "outsider"])
def test_only_who_may_change_the_case_makes_referrals(
    personas: Personas, directory: Directory, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.referral_create(
            actor=getattr(personas, who),
            case=personas.case,
            service=directory.pantry,
            reason="Food",
            categories=["identity_contact"],
        )


def test_the_supervisor_of_the_team_may_make_a_referral(
    personas: Personas, directory: Directory
) -> None:
    referral = services.referral_create(
        actor=personas.supervisor,
        case=personas.case,
        service=directory.pantry,
        reason="Food",
        categories=["identity_contact"],
    )
    assert referral.created_by == personas.supervisor


def test_a_draft_changes_and_a_stale_copy_is_refused(
    personas: Personas, directory: Directory
) -> None:
    referral = draft(personas, directory.pantry)
    stale = referral.version
    services.referral_update(
        actor=personas.case_manager,
        referral=referral,
        expected_version=stale,
        service=directory.legal_aid,
        reason="Advice on the eviction notice",
        categories=["identity_contact"],
        urgency="urgent",
    )
    referral.refresh_from_db()
    assert referral.provider == directory.harbor
    assert referral.urgency == "urgent"
    assert AuditEvent.objects.get(action="referral.update").changes["fields"] == [
        "categories",
        "reason",
        "recipient_organization_id",
        "service",
        "urgency",
    ]
    with pytest.raises(ConflictError):
        services.referral_update(
            actor=personas.case_manager,
            referral=referral,
            expected_version=stale,
            service=directory.pantry,
            reason="Food",
            categories=["identity_contact"],
        )


def test_a_sent_referral_can_no_longer_be_edited(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    with pytest.raises(ValidationError):
        services.referral_update(
            actor=personas.case_manager,
            referral=referral,
            expected_version=referral.version,
            service=directory.pantry,
            reason="Changed",
            categories=["identity_contact"],
        )


# --- sending under consent -------------------------------------------------------------------


def test_sending_without_consent_is_refused_and_says_so(
    personas: Personas, directory: Directory
) -> None:
    referral = draft(personas, directory.pantry)
    with pytest.raises(consent_services.ConsentRequired) as caught:
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )
    assert caught.value.decision.gaps[0].code == "no_consent"
    assert "consent" in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    assert not Disclosure.objects.exists()


def test_sending_names_the_categories_the_consent_does_not_cover(
    personas: Personas, directory: Directory
) -> None:
    consent_for(
        personas.case_manager,
        personas.case,
        services.referral_party(directory.pantry),
        categories=["identity_contact"],
    )
    referral = draft(personas, directory.pantry, categories=["identity_contact", "mental_health"])
    with pytest.raises(consent_services.ConsentRequired) as caught:
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )
    assert caught.value.decision.missing == ("mental_health",)
    assert "Mental health" in caught.value.message_dict["consent"][0]


def test_a_revoked_consent_stops_sending(personas: Personas, directory: Directory) -> None:
    given = consent_for(
        personas.case_manager, personas.case, services.referral_party(directory.pantry)
    )
    consent_services.consent_revoke(
        actor=personas.case_manager, consent=given, revoked_on=today(), reason="Changed her mind"
    )
    referral = draft(personas, directory.pantry)
    with pytest.raises(consent_services.ConsentRequired) as caught:
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )
    assert [g.code for g in caught.value.decision.gaps] == ["revoked"]


def test_a_consent_for_the_provider_does_not_cover_its_partner_agency_the_other_way(
    personas: Personas, directory: Directory
) -> None:
    consent_for(personas.case_manager, personas.case, Party.provider(directory.harbor.pk))
    referral = draft(personas, directory.legal_aid)
    with pytest.raises(consent_services.ConsentRequired):
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )


def test_sending_discloses_only_the_referrals_categories_and_sets_the_follow_up(
    personas: Personas, directory: Directory, goal: PlanGoal
) -> None:
    consent_for(
        personas.case_manager,
        personas.case,
        services.referral_party(directory.pantry),
        categories=["identity_contact", "plan", "notes", "assessments"],
    )
    referral = draft(personas, directory.pantry, goal, categories=["identity_contact", "plan"])
    referral = services.referral_send(
        actor=personas.case_manager, referral=referral, expected_version=referral.version
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_at is not None
    assert referral.disclosure is not None
    assert referral.disclosure.categories == ["identity_contact", "plan"]
    assert [s["category"] for s in referral.disclosure.packet] == ["identity_contact", "plan"]
    assert referral.disclosure.purpose == "referral"
    assert referral.consent_id == referral.disclosure.consent_id
    due = services.add_working_days(today(), 5)
    assert referral.answer_due_on == due
    task = referral.follow_up_task
    assert task is not None
    assert task.title == "No answer yet from Eastside Food Bank"
    assert task.due_on == due
    assert task.assignee == personas.case_manager
    assert task.goal == goal.goal
    event = AuditEvent.objects.get(action="referral.send")
    assert event.changes["disclosure_id"] == referral.disclosure_id
    assert event.changes["categories"] == ["identity_contact", "plan"]


def test_sending_twice_or_from_a_stale_copy_is_refused(
    personas: Personas, directory: Directory
) -> None:
    consent_for(personas.case_manager, personas.case, services.referral_party(directory.pantry))
    referral = draft(personas, directory.pantry)
    with pytest.raises(ConflictError):
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version + 1
        )
    services.referral_send(
        actor=personas.case_manager, referral=referral, expected_version=referral.version
    )
    with pytest.raises(ValidationError):
        services.referral_send(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )
    assert Disclosure.objects.count() == 1


def test_an_auditor_may_not_send(personas: Personas, directory: Directory) -> None:
    referral = draft(personas, directory.pantry)
    with pytest.raises(PermissionDenied):
        services.referral_send(
            actor=personas.auditor, referral=referral, expected_version=referral.version
        )


# --- answers, outcomes and follow-up tasks ----------------------------------------------------


def open_tasks(referral: Referral) -> list[Task]:
    return list(Task.objects.filter(case=referral.case, status=TaskStatus.OPEN))


def test_each_answer_replaces_the_follow_up_task(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    first = referral.follow_up_task_id
    referral = record(personas, referral, "received", note="They have it")
    assert referral.follow_up_task_id == first  # nothing new to do yet
    referral = record(personas, referral, "accepted")
    (task,) = open_tasks(referral)
    assert task.title == "Confirm the first appointment"
    assert task.due_on == services.add_working_days(today(), 5)
    assert Task.objects.get(pk=first).status == TaskStatus.DONE
    appointment = timezone.now() + timedelta(days=3)
    referral = record(personas, referral, "appointment", first_appointment_at=appointment)
    (task,) = open_tasks(referral)
    assert task.title == "Check the client went to the first appointment"
    assert task.due_on == timezone.localtime(appointment).date() + timedelta(days=1)
    referral = record(personas, referral, "started")
    (task,) = open_tasks(referral)
    assert task.due_on == services.add_working_days(today(), 20)
    referral = record(personas, referral, "completed")
    (task,) = open_tasks(referral)
    assert task.title == "Review the outcome with the client and close the referral"
    referral = services.referral_close(
        actor=personas.case_manager, referral=referral, expected_version=referral.version
    )
    assert open_tasks(referral) == []
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANCELLED
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert referral.closed_at is not None
    assert referral.outcome_kind == "completed"
    assert [e.status for e in referral.events.all()] == [
        "draft",
        "sent",
        "received",
        "accepted",
        "appointment",
        "started",
        "completed",
        "closed",
    ]
    assert AuditEvent.objects.filter(action="referral.status").count() == 5
    assert AuditEvent.objects.filter(action="referral.close").count() == 1


@pytest.mark.parametrize(
    ("status", "title", "days"),
    [
        ("waitlisted", "Ask about the waitlist place", 10),
        ("declined", "Find another service for this goal", 2),
    ],
)
def test_a_waitlist_or_a_decline_sets_its_own_follow_up(
    personas: Personas, directory: Directory, status: str, title: str, days: int
) -> None:
    referral = sent(personas, directory.pantry)
    referral = record(personas, referral, status, decline_reason="Full this month")
    (task,) = open_tasks(referral)
    assert (task.title, task.due_on) == (title, services.add_working_days(today(), days))
    referral.refresh_from_db()
    assert getattr(referral, f"{status}_on") == today()


@pytest.mark.parametrize(
    ("status", "extra", "field"),
    [
        ("declined", {}, "decline_reason"),
        ("appointment", {}, "status"),  # not straight from "sent"
        ("started", {}, "status"),
        ("closed", {}, "status"),  # closing is referral_close's
        ("accepted", {"happened_on": date(2000, 1, 1)}, "happened_on"),
        ("accepted", {"via": "partner"}, "via"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_field(
    personas: Personas, directory: Directory, status: str, extra: dict[str, object], field: str
) -> None:
    referral = sent(personas, directory.pantry)
    values: dict[str, object] = {"happened_on": today(), **extra}
    with pytest.raises(ValidationError) as caught:
        services.referral_record(
            actor=personas.case_manager,
            referral=referral,
            expected_version=referral.version,
            status=status,
            **values,  # type: ignore[arg-type]
        )
    assert field in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_an_appointment_needs_its_date_and_not_completed_needs_an_outcome(
    personas: Personas, directory: Directory
) -> None:
    referral = record(personas, sent(personas, directory.pantry), "accepted")
    with pytest.raises(ValidationError) as caught:
        record(personas, referral, "appointment")
    assert "first_appointment_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record(personas, referral, "not_completed")
    assert "outcome" in caught.value.message_dict
    referral = record(personas, referral, "not_completed", outcome="Moved out of the area")
    referral.refresh_from_db()
    assert (referral.outcome_kind, referral.outcome) == ("not_completed", "Moved out of the area")


def test_an_answer_from_a_stale_copy_is_a_conflict(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.pantry)
    with pytest.raises(ConflictError):
        services.referral_record(
            actor=personas.case_manager,
            referral=referral,
            expected_version=referral.version - 1,
            status="accepted",
            happened_on=today(),
        )


def test_completing_the_service_marks_the_goals_step_done(
    personas: Personas, directory: Directory, goal: PlanGoal
) -> None:
    referral = sent(personas, directory.pantry, goal)
    for status in ("accepted", "started", "completed"):
        referral = record(personas, referral, status)
    step = ActionStep.objects.get(key=goal.step.key, goal__plan=goal.plan)
    assert step.done_on == today()
    last = referral.events.order_by("-pk").first()
    assert last is not None
    # The plan's step is its own field, never in the note the receiving side reads.
    assert last.step_done == "Register with the food bank"
    assert "Register with the food bank" not in last.note
    assert AuditEvent.objects.get(action="step.done").changes["referral_id"] == referral.pk


def test_closing_before_the_service_ended_is_refused(
    personas: Personas, directory: Directory
) -> None:
    referral = record(personas, sent(personas, directory.pantry), "accepted")
    with pytest.raises(ValidationError):
        services.referral_close(
            actor=personas.case_manager, referral=referral, expected_version=referral.version
        )


def test_cancelling_needs_a_reason_and_ends_the_follow_up(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.pantry)
    with pytest.raises(ValidationError) as caught:
        services.referral_cancel(
            actor=personas.case_manager,
            referral=referral,
            expected_version=referral.version,
            reason=" ",
        )
    assert "reason" in caught.value.message_dict
    referral = services.referral_cancel(
        actor=personas.case_manager,
        referral=referral,
        expected_version=referral.version,
        reason="Found a place closer to home",
    )
    assert referral.status == ReferralStatus.CANCELLED
    assert open_tasks(referral) == []
    event = AuditEvent.objects.get(action="referral.cancel")
    assert event.changes["previous_status"] == "sent"
    assert "closer" not in str(event.changes)


# --- the receiving side ---------------------------------------------------------------------


def test_the_partner_agency_answers_its_referral(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.legal_aid)
    referral = services.referral_provider_update(
        referral=referral,
        status="accepted",
        happened_on=today(),
        via=EventVia.PARTNER,
        actor=directory.harbor_staff,
        note="We will call her",
    )
    assert referral.status == ReferralStatus.ACCEPTED
    task = Task.objects.get(pk=referral.follow_up_task_id)
    assert task.assignee == personas.case_manager
    assert task.created_by == personas.case_manager  # the referral's creator
    event = AuditEvent.objects.get(action="referral.status")
    assert event.organization_id == personas.agency.pk
    assert event.changes["partner_organization_id"] == directory.harbor_org.pk


def test_another_partner_or_our_own_staff_cannot_answer_as_the_partner(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.pantry)  # not a partner provider
    for actor in (directory.harbor_staff, personas.case_manager):
        with pytest.raises(PermissionDenied):
            services.referral_provider_update(
                referral=referral,
                status="accepted",
                happened_on=today(),
                via=EventVia.PARTNER,
                actor=actor,
            )


def test_the_receiving_side_may_not_close_or_cancel(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.legal_aid)
    with pytest.raises(ValidationError) as caught:
        services.referral_provider_update(
            referral=referral,
            status="cancelled",
            happened_on=today(),
            via=EventVia.PARTNER,
            actor=directory.harbor_staff,
        )
    assert "status" in caught.value.message_dict


def test_a_link_answers_with_a_name_and_completes_the_step(
    personas: Personas, directory: Directory, goal: PlanGoal
) -> None:
    referral = sent(personas, directory.pantry, goal)
    link, token = services.referral_link_create(actor=personas.case_manager, referral=referral)
    found = services.referral_link_find(token=token)
    assert found == link
    with pytest.raises(ValidationError) as caught:
        services.referral_provider_update(
            referral=referral, status="accepted", happened_on=today(), via="link", link=found
        )
    assert "actor_name" in caught.value.message_dict
    for status in ("accepted", "started", "completed"):
        referral = services.referral_provider_update(
            referral=referral,
            status=status,
            happened_on=today(),
            via=EventVia.LINK,
            link=found,
            actor_name="Jo at the front desk",
        )
    assert ActionStep.objects.get(pk=goal.step.pk).done_on == today()
    last = referral.events.order_by("-pk").first()
    assert last is not None
    assert (last.actor, last.actor_name, last.via) == (None, "Jo at the front desk", "link")
    assert ReferralLink.objects.get(pk=link.pk).last_used_at is not None


def test_a_link_stores_only_a_hash_and_expires(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    link, token = services.referral_link_create(
        actor=personas.case_manager, referral=referral, days=3
    )
    assert token not in link.token_hash
    assert len(link.token_hash) == 64
    assert link.expires_at - timezone.now() > timedelta(days=2, hours=23)
    assert token not in str(AuditEvent.objects.get(action="referral.link_create").changes)
    assert services.referral_link_find(token=token + "x") is None
    assert services.referral_link_find(token="") is None
    ReferralLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(1))
    assert services.referral_link_find(token=token) is None


def test_the_default_link_lasts_the_configured_days(
    personas: Personas, directory: Directory, settings: object
) -> None:
    settings.CASEWORK_REFERRAL_LINK_DAYS = 7  # type: ignore[attr-defined]
    link, _token = services.referral_link_create(
        actor=personas.case_manager, referral=sent(personas, directory.pantry)
    )
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)


def test_a_revoked_link_stops_working(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    link, token = services.referral_link_create(actor=personas.case_manager, referral=referral)
    services.referral_link_revoke(actor=personas.case_manager, link=link)
    assert services.referral_link_find(token=token) is None
    with pytest.raises(PermissionDenied):
        services.referral_provider_update(
            referral=referral,
            status="accepted",
            happened_on=today(),
            via=EventVia.LINK,
            link=link,
            actor_name="Jo",
        )
    assert AuditEvent.objects.filter(action="referral.link_revoke").count() == 1


def test_a_link_of_another_referral_does_not_open_this_one(
    personas: Personas, directory: Directory
) -> None:
    first = sent(personas, directory.pantry)
    second = draft(personas, directory.pantry)
    second = services.referral_send(
        actor=personas.case_manager, referral=second, expected_version=second.version
    )
    link, _token = services.referral_link_create(actor=personas.case_manager, referral=first)
    with pytest.raises(PermissionDenied):
        services.referral_provider_update(
            referral=second,
            status="accepted",
            happened_on=today(),
            via=EventVia.LINK,
            link=link,
            actor_name="Jo",
        )


def test_links_are_only_for_sent_open_referrals(personas: Personas, directory: Directory) -> None:
    with pytest.raises(ValidationError):
        services.referral_link_create(
            actor=personas.case_manager, referral=draft(personas, directory.pantry)
        )
    with pytest.raises(ValidationError) as caught:
        services.referral_link_create(
            actor=personas.case_manager, referral=sent(personas, directory.pantry), days=400
        )
    assert "days" in caught.value.message_dict


# --- what the receiving side sees -------------------------------------------------------------


def test_the_content_is_the_packet_until_the_consent_is_revoked(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.legal_aid)
    decision, sections = services.referral_content(referral=referral)
    assert decision.allowed
    assert [s["category"] for s in sections] == ["identity_contact", "plan"]
    assert referral.consent is not None
    consent_services.consent_revoke(
        actor=personas.case_manager,
        consent=referral.consent,
        revoked_on=today(),
        reason="Asked us to stop",
    )
    referral = Referral.objects.get(pk=referral.pk)
    decision, sections = services.referral_content(referral=referral)
    assert not decision.allowed
    assert sections == []


def test_reads_are_audited_with_how_they_were_made(
    personas: Personas, directory: Directory
) -> None:
    referral = sent(personas, directory.legal_aid)
    services.referral_viewed(
        actor=directory.harbor_staff, referral=referral, via="partner", content_shown=True
    )
    link, _token = services.referral_link_create(actor=personas.case_manager, referral=referral)
    services.referral_viewed(
        actor=None, referral=referral, via="link", content_shown=False, link=link
    )
    views = list(AuditEvent.objects.filter(action="referral.view").order_by("sequence"))
    assert [(v.changes["via"], v.changes["content_shown"]) for v in views] == [
        ("partner", True),
        ("link", False),
    ]
    assert all(v.organization_id == personas.agency.pk for v in views)
    with pytest.raises(PermissionDenied):
        services.referral_viewed(
            actor=personas.outsider, referral=referral, via="staff", content_shown=True
        )

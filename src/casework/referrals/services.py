"""Every change to referrals goes through these functions.

A referral is written as a draft, sent only under a consent that covers every kind of
information it carries (``consent.policy.decide``, recorded as a ``Disclosure``), and
followed until the loop is closed. Each change of status is a ``ReferralEvent`` and
replaces the case manager's follow-up task. The receiving side (a partner agency in
Casework, or a provider through a secure link) changes a referral only through
``referral_provider_update``.

The loop closes by itself: a provider without a Casework account whose email address
the directory knows gets the secure link by email (``tasks.email_referral_link``, after
the commit), and each answer from the receiving side raises an alert for the case
manager that names the referral and the case number only.

Audit events carry ids, statuses and category codes, never notes, reasons or names.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.consent import policy
from casework.consent import services as consent_services
from casework.consent.models import Category, Purpose
from casework.consent.packet import Section
from casework.core import audit
from casework.core.errors import PermissionDenied
from casework.core.models import User
from casework.core.services import check_version
from casework.monitoring.alerts import alert_raise, alerts_settle
from casework.monitoring.models import AlertKind, Task, TaskStatus
from casework.plans.models import OPEN_PLAN_STATUSES, ActionStep, Goal, PlanStatus
from casework.plans.services import step_mark_done
from casework.resources.models import Service, ServiceAtLocation, ServiceStatus

from .models import (
    NEXT_STATUSES,
    OPEN_STATUSES,
    PROVIDER_STATUSES,
    EventVia,
    OutcomeKind,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralStatus,
    Urgency,
    token_hash,
)
from .queries import referral_allows
from .queries_receiving import partner_referral_allows
from .tasks import email_referral_link

#: Working days (Mon–Fri) the provider has to answer before the case manager follows up.
ANSWER_WORKING_DAYS = 5
MAX_TEXT = 4000
MAX_SHORT_TEXT = 2000
MAX_MATCH_REASONS = 40
MAX_LINK_DAYS = 90
#: The staff-side ways of recording an answer; the receiving side has its own.
STAFF_VIA = (EventVia.STAFF, EventVia.PHONE)


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


# --- consent ----------------------------------------------------------------------------------


def referral_party(service: Service) -> policy.Party:
    """Who receives a referral to ``service``: THE one place that decides it.

    A provider that is a partner agency using Casework receives it as that agency (its
    staff read it in Casework); any other provider as the directory provider.
    """
    provider = service.provider
    if provider.partner_organization_id is not None:
        return policy.Party.partner(provider.partner_organization_id)
    return policy.Party.provider(provider.pk)


def referral_consent_decision(*, referral: Referral) -> policy.Decision:
    """May this referral, with the information it carries, go to its provider today?"""
    return policy.decide(
        client=referral.client,
        party=referral_party(referral.service),
        purpose=Purpose.REFERRAL,
        categories=referral.categories,
        on=timezone.localdate(),
    )


# --- shared checks ----------------------------------------------------------------------------


def _require_create(actor: User, case: Case) -> None:
    access.require(
        access.referral_create_allowed(actor, case),
        _("You may not make referrals for this case."),
    )
    if not case.is_open:
        raise ValidationError({NON_FIELD_ERRORS: _("This case is closed: it takes no referrals.")})


def _require_change(actor: User, referral: Referral) -> None:
    access.require(
        referral_allows(actor, referral, Action.CHANGE),
        _("You may view this referral but not change it."),
    )


def _text(errors: dict[str, str], name: str, value: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        errors[name] = _("Keep this under %(n)s characters.") % {"n": f"{limit:,}"}
    return value.strip()


def _check_match_reasons(
    errors: dict[str, str], reasons: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    if reasons is None:
        return []
    cleaned: list[dict[str, Any]] = []
    for reason in reasons:
        if (
            not isinstance(reason, dict)
            or not (reason.get("fits") is None or isinstance(reason.get("fits"), bool))
            or not isinstance(reason.get("text"), str)
            or not reason["text"].strip()
        ):
            errors["match_reasons"] = _(
                "Each match reason needs “fits” (true, false, or null: to check) and a text."
            )
            return []
        cleaned.append({"fits": reason.get("fits"), "text": reason["text"].strip()[:500]})
    if len(cleaned) > MAX_MATCH_REASONS:
        errors["match_reasons"] = _("Keep to %(n)s match reasons.") % {"n": MAX_MATCH_REASONS}
    return cleaned


def _referral_values(
    *,
    case: Case,
    service: Service,
    reason: str,
    categories: Sequence[str],
    goal: Goal | None,
    action_step: ActionStep | None,
    location: ServiceAtLocation | None,
    urgency: str,
    eligibility_note: str,
    in_house_note: str,
    self_help_note: str,
    match_reasons: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The validated values of a draft, or ValidationError naming every field wrong."""
    errors: dict[str, str] = {}
    if service.organization_id != case.organization_id:
        errors["service"] = _("Choose a service from your agency's directory.")
    elif service.status != ServiceStatus.ACTIVE:
        errors["service"] = _("This service is not active: choose another one.")
    elif not service.accepting_referrals:
        errors["service"] = _("This service is not taking new referrals: choose another one.")
    if action_step is not None:
        if action_step.goal.case_id != case.pk:
            errors["action_step"] = _("Choose an action step of this case's plan.")
        elif goal is None:
            goal = action_step.goal
        elif action_step.goal_id != goal.pk:
            errors["action_step"] = _("Choose an action step of the chosen goal.")
    if goal is not None and goal.case_id != case.pk:
        errors["goal"] = _("Choose a goal of this case's plan.")
    if location is not None and location.service_id != service.pk:
        errors["location"] = _("Choose one of the places where this service is offered.")
    if not reason.strip():
        errors["reason"] = _("Say why the client needs this service.")
    reason = _text(errors, "reason", reason)
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose the urgency from the list.")
    wanted = list(categories)
    if any(c not in Category.values for c in wanted):
        errors["categories"] = _("Choose the kinds of information from the list.")
    elif Category.IDENTITY_CONTACT not in wanted:
        errors["categories"] = _(
            "A referral always carries the client's identity and contact details."
        )
    values = {
        "eligibility_note": _text(errors, "eligibility_note", eligibility_note),
        "in_house_note": _text(errors, "in_house_note", in_house_note),
        "self_help_note": _text(errors, "self_help_note", self_help_note),
        "match_reasons": _check_match_reasons(errors, match_reasons),
    }
    if errors:
        raise ValidationError(errors)
    provider = service.provider
    return {
        "service": service,
        "provider": provider,
        "recipient_organization_id": provider.partner_organization_id,
        "location": location,
        "goal": goal,
        "goal_key": goal.key if goal is not None else None,
        "action_step": action_step,
        "step_key": action_step.key if action_step is not None else None,
        "reason": reason,
        "urgency": urgency,
        "categories": [c for c in Category.values if c in wanted],
        **values,
    }


def _lock(referral: Referral, expected_version: int | None) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    check_version(locked, expected_version, _("referral"))
    return locked


def _save(locked: Referral, referral: Referral) -> Referral:
    """Save the locked row with one more version; the caller's copy takes its values."""
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()
    for field in Referral._meta.concrete_fields:
        setattr(referral, field.attname, getattr(locked, field.attname))
    return referral


def _record(action: str, actor: User | None, referral: Referral, **changes: Any) -> None:
    audit.record(
        action=action,
        actor=actor,
        organization=referral.organization_id,
        target=referral,
        client_id=referral.client_id,
        changes=changes,
    )


def _event(
    referral: Referral,
    *,
    status: str,
    happened_on: date,
    via: str,
    actor: User | None,
    actor_name: str = "",
    note: str = "",
    step_done: str = "",
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        organization_id=referral.organization_id,
        referral=referral,
        status=status,
        happened_on=happened_on,
        via=via,
        actor=actor,
        actor_name=actor_name,
        note=note,
        step_done=step_done,
    )


# --- follow-up tasks --------------------------------------------------------------------------


def _follow_up(referral: Referral, case: Case) -> tuple[str, date] | None:
    """The case manager's next step after the referral reached its current status."""
    today = timezone.localdate()
    status = referral.status
    if status == ReferralStatus.SENT:
        return (
            _("No answer yet from %(provider)s") % {"provider": referral.provider.name},
            referral.answer_due_on or add_working_days(today, ANSWER_WORKING_DAYS),
        )
    if status == ReferralStatus.ACCEPTED:
        return _("Confirm the first appointment"), add_working_days(today, 5)
    if status == ReferralStatus.WAITLISTED:
        return _("Ask about the waitlist place"), add_working_days(today, 10)
    if status == ReferralStatus.DECLINED:
        return _("Find another service for this goal"), add_working_days(today, 2)
    if status == ReferralStatus.APPOINTMENT and referral.first_appointment_at is not None:
        day = timezone.localtime(referral.first_appointment_at).date() + timedelta(days=1)
        return _("Check the client went to the first appointment"), day
    if status == ReferralStatus.STARTED:
        return _("Check how the service is going"), add_working_days(today, 20)
    if status in (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED):
        return (
            _("Review the outcome with the client and close the referral"),
            add_working_days(today, 2),
        )
    return None


def _replace_follow_up(locked: Referral, case: Case, actor: User | None) -> None:
    """Complete the open follow-up task (cancel it when the loop ends) and set the next one.

    A status that asks nothing new of the case manager (received) keeps the open task.
    """
    if locked.status == ReferralStatus.RECEIVED:
        return
    now = timezone.now()
    ended = locked.status in (ReferralStatus.CLOSED, ReferralStatus.CANCELLED)
    if locked.follow_up_task_id is not None:
        Task.objects.filter(pk=locked.follow_up_task_id, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED if ended else TaskStatus.DONE,
            completed_at=None if ended else now,
            updated_at=now,
        )
    locked.follow_up_task = None
    next_step = None if ended else _follow_up(locked, case)
    if next_step is None:
        return
    title, due_on = next_step
    staff = actor is not None and actor.organization_id == locked.organization_id
    locked.follow_up_task = Task.objects.create(
        organization_id=locked.organization_id,
        case=case,
        goal_id=locked.goal_id,
        title=title[:200],
        due_on=due_on,
        assignee_id=case.case_manager_id or locked.created_by_id,
        created_by_id=actor.pk if staff and actor is not None else locked.created_by_id,
    )


# --- drafts -----------------------------------------------------------------------------------


def referral_create(
    *,
    actor: User,
    case: Case,
    service: Service,
    reason: str,
    categories: Sequence[str],
    goal: Goal | None = None,
    action_step: ActionStep | None = None,
    location: ServiceAtLocation | None = None,
    urgency: str = Urgency.ROUTINE,
    eligibility_note: str = "",
    in_house_note: str = "",
    self_help_note: str = "",
    match_reasons: list[dict[str, Any]] | None = None,
) -> Referral:
    """A draft referral from the case (usually from a plan goal) to a directory service."""
    _require_create(actor, case)
    values = _referral_values(
        case=case,
        service=service,
        reason=reason,
        categories=categories,
        goal=goal,
        action_step=action_step,
        location=location,
        urgency=urgency,
        eligibility_note=eligibility_note,
        in_house_note=in_house_note,
        self_help_note=self_help_note,
        match_reasons=match_reasons,
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            organization_id=case.organization_id,
            case=case,
            client_id=case.client_id,
            created_by=actor,
            **values,
        )
        _event(
            referral,
            status=ReferralStatus.DRAFT,
            happened_on=timezone.localdate(),
            via=EventVia.STAFF,
            actor=actor,
        )
        _record(
            "referral.create",
            actor,
            referral,
            case_id=case.pk,
            service_id=service.pk,
            provider_id=referral.provider_id,
            goal_id=referral.goal_id,
            action_step_id=referral.action_step_id,
            urgency=referral.urgency,
            categories=referral.categories,
        )
    return referral


def referral_update(
    *,
    actor: User,
    referral: Referral,
    expected_version: int | None,
    service: Service,
    reason: str,
    categories: Sequence[str],
    goal: Goal | None = None,
    action_step: ActionStep | None = None,
    location: ServiceAtLocation | None = None,
    urgency: str = Urgency.ROUTINE,
    eligibility_note: str = "",
    in_house_note: str = "",
    self_help_note: str = "",
    match_reasons: list[dict[str, Any]] | None = None,
) -> Referral:
    """Change a draft; every editable field is given (what is left out is cleared)."""
    _require_change(actor, referral)
    case = referral.case
    values = _referral_values(
        case=case,
        service=service,
        reason=reason,
        categories=categories,
        goal=goal,
        action_step=action_step,
        location=location,
        urgency=urgency,
        eligibility_note=eligibility_note,
        in_house_note=in_house_note,
        self_help_note=self_help_note,
        match_reasons=match_reasons,
    )
    with transaction.atomic():
        locked = _lock(referral, expected_version)
        if locked.status != ReferralStatus.DRAFT:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This referral was sent: it can no longer be changed.")}
            )
        changed = sorted(
            name
            for name, value in values.items()
            if getattr(locked, name) != value and name != "provider"
        )
        for name, value in values.items():
            setattr(locked, name, value)
        if changed:
            _save(locked, referral)
            _record("referral.update", actor, referral, fields=changed)
    for name in ("service", "provider", "location", "goal", "action_step"):
        setattr(referral, name, values[name])
    return referral


# --- sending ----------------------------------------------------------------------------------


def referral_send(
    *, actor: User, referral: Referral, expected_version: int | None, base_url: str = ""
) -> Referral:
    """Send a draft under the client's consent, or refuse naming the consent that is missing.

    Refused: ``consent.services.ConsentRequired`` (a ValidationError on "consent") with
    the decision. Sent: a disclosure of exactly the referral's categories, the answer due
    in five working days, and a follow-up task for the case manager on that day. A
    provider without a Casework account whose email address is known gets a secure link
    by email (``base_url``: this site's address, for the link).
    """
    _require_change(actor, referral)
    case = referral.case
    if not case.is_open:
        raise ValidationError({NON_FIELD_ERRORS: _("This case is closed: it takes no referrals.")})
    if referral.status != ReferralStatus.DRAFT:
        raise ValidationError({NON_FIELD_ERRORS: _("This referral was already sent.")})
    if referral.service.status != ServiceStatus.ACTIVE:
        raise ValidationError({"service": _("This service is not active: choose another one.")})
    check_version(referral, expected_version, _("referral"))
    decision = referral_consent_decision(referral=referral)
    if not decision.allowed:
        raise consent_services.ConsentRequired(decision)
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(referral, expected_version)
        if locked.status != ReferralStatus.DRAFT:
            raise ValidationError({NON_FIELD_ERRORS: _("This referral was already sent.")})
        disclosure = consent_services.disclosure_make(
            actor=actor,
            client=case.client,
            party=referral_party(referral.service),
            purpose=Purpose.REFERRAL,
            categories=locked.categories,
        )
        locked.provider = referral.provider
        locked.disclosure = disclosure
        locked.consent_id = disclosure.consent_id
        locked.status = ReferralStatus.SENT
        locked.sent_at = timezone.now()
        locked.answer_due_on = add_working_days(today, ANSWER_WORKING_DAYS)
        _replace_follow_up(locked, case, actor)
        _event(
            locked, status=ReferralStatus.SENT, happened_on=today, via=EventVia.STAFF, actor=actor
        )
        _save(locked, referral)
        _record(
            "referral.send",
            actor,
            referral,
            disclosure_id=disclosure.pk,
            consent_id=disclosure.consent_id,
            categories=disclosure.categories,
            recipient_organization_id=referral.recipient_organization_id,
            follow_up_task_id=referral.follow_up_task_id,
        )
        if referral.link_email:
            link = _link_make(actor, referral, int(settings.CASEWORK_REFERRAL_LINK_DAYS))
            _email_link(link, base_url)
    referral.disclosure = disclosure
    return referral


# --- answers and outcomes ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the provider said: the new status, the day, how we heard, and what goes with it."""

    status: str
    happened_on: date
    via: str
    actor_name: str = ""
    note: str = ""
    decline_reason: str = ""
    first_appointment_at: datetime | None = None
    outcome: str = ""


def _check_status_change(*, current: str, sent_on: date | None, answer: Answer) -> dict[str, str]:
    status, happened_on = answer.status, answer.happened_on
    decline_reason, outcome = answer.decline_reason, answer.outcome
    errors: dict[str, str] = {}
    if status not in PROVIDER_STATUSES:
        errors["status"] = _("Choose what the provider said from the list.")
    elif status not in NEXT_STATUSES.get(current, ()):
        errors["status"] = _("A referral that is “%(current)s” cannot become “%(next)s”.") % {
            "current": ReferralStatus(current).label,
            "next": ReferralStatus(status).label,
        }
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("This date is in the future.")
    elif sent_on is not None and happened_on < sent_on:
        errors["happened_on"] = _("This date is before the referral was sent.")
    _text(errors, "note", answer.note)
    if status == ReferralStatus.DECLINED and not decline_reason.strip():
        errors["decline_reason"] = _("Say why the provider declined the referral.")
    _text(errors, "decline_reason", decline_reason, MAX_SHORT_TEXT)
    if status == ReferralStatus.APPOINTMENT and answer.first_appointment_at is None:
        errors["first_appointment_at"] = _("Enter the date and time of the first appointment.")
    if status == ReferralStatus.NOT_COMPLETED and not outcome.strip():
        errors["outcome"] = _("Say what happened: why the service was not completed.")
    _text(errors, "outcome", outcome)
    return errors


def _mark_step_done(
    locked: Referral, case: Case, actor: User | None, happened_on: date
) -> ActionStep | None:
    """The referral's action step, in the case's current approved or open plan(s), is done."""
    if locked.step_key is None:
        return None
    steps = list(
        ActionStep.objects.filter(
            key=locked.step_key,
            goal__case=case,
            goal__plan__status__in=(PlanStatus.APPROVED, *OPEN_PLAN_STATUSES),
        ).select_related("goal__plan__case")
    )
    for step in steps:
        step_mark_done(actor=actor, step=step, done_on=happened_on, referral_id=locked.pk)
    return steps[0] if steps else None


def _apply_status(
    *, locked: Referral, referral: Referral, actor: User | None, answer: Answer
) -> ReferralEvent:
    """THE one place a status's effects are written: dates, outcome, event, follow-up task."""
    case = referral.case
    status, happened_on = answer.status, answer.happened_on
    locked.provider = referral.provider
    locked.status = status
    if status == ReferralStatus.RECEIVED:
        locked.received_on = happened_on
    elif status == ReferralStatus.ACCEPTED:
        locked.accepted_on = happened_on
    elif status == ReferralStatus.WAITLISTED:
        locked.waitlisted_on = happened_on
    elif status == ReferralStatus.DECLINED:
        locked.declined_on = happened_on
        locked.decline_reason = answer.decline_reason.strip()
    elif status == ReferralStatus.APPOINTMENT:
        locked.first_appointment_at = answer.first_appointment_at
    elif status == ReferralStatus.STARTED:
        locked.started_on = happened_on
    elif status in (ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED):
        locked.ended_on = happened_on
        locked.outcome_kind = (
            OutcomeKind.COMPLETED
            if status == ReferralStatus.COMPLETED
            else OutcomeKind.NOT_COMPLETED
        )
        locked.outcome = answer.outcome.strip()
    elif status == ReferralStatus.CLOSED:
        locked.closed_at = timezone.now()
    step_done = ""
    if status == ReferralStatus.COMPLETED:
        step = _mark_step_done(locked, case, actor, happened_on)
        if step is not None:
            # Plan content: its own field, never the note, which the receiving side reads.
            step_done = step.description
    _replace_follow_up(locked, case, actor)
    return _event(
        locked,
        status=status,
        happened_on=happened_on,
        via=answer.via,
        actor=actor,
        actor_name=answer.actor_name.strip(),
        note=answer.note.strip(),
        step_done=step_done,
    )


def _answer(
    *,
    locked: Referral,
    referral: Referral,
    errors: dict[str, str],
    actor: User | None,
    answer: Answer,
) -> ReferralEvent:
    """Check a provider's answer against the locked referral, apply it and save: the one
    path for answers recorded by staff and answers from the receiving side."""
    errors |= _check_status_change(
        current=locked.status,
        sent_on=timezone.localtime(locked.sent_at).date() if locked.sent_at else None,
        answer=answer,
    )
    if errors:
        raise ValidationError(errors)
    event = _apply_status(locked=locked, referral=referral, actor=actor, answer=answer)
    _save(locked, referral)
    return event


def referral_record(
    *,
    actor: User,
    referral: Referral,
    expected_version: int | None,
    status: str,
    happened_on: date,
    via: str = EventVia.PHONE,
    note: str = "",
    decline_reason: str = "",
    first_appointment_at: datetime | None = None,
    outcome: str = "",
) -> Referral:
    """The case manager records what the provider said (a phone call, a letter)."""
    _require_change(actor, referral)
    errors: dict[str, str] = {}
    if via not in STAFF_VIA:
        errors["via"] = _("Choose how you heard from the provider.")
    with transaction.atomic():
        locked = _lock(referral, expected_version)
        answer = Answer(
            status=status,
            happened_on=happened_on,
            via=via,
            note=note,
            decline_reason=decline_reason,
            first_appointment_at=first_appointment_at,
            outcome=outcome,
        )
        event = _answer(locked=locked, referral=referral, errors=errors, actor=actor, answer=answer)
        _record(
            "referral.status",
            actor,
            referral,
            status=status,
            via=via,
            event_id=event.pk,
            follow_up_task_id=referral.follow_up_task_id,
        )
    return referral


def referral_provider_update(
    *,
    referral: Referral,
    status: str,
    happened_on: date,
    via: str,
    actor: User | None = None,
    link: ReferralLink | None = None,
    actor_name: str = "",
    note: str = "",
    decline_reason: str = "",
    first_appointment_at: datetime | None = None,
    outcome: str = "",
) -> Referral:
    """The receiving side's answer: a partner agency's staff member, or a secure link.

    Partner: ``actor`` must be staff of the receiving partner agency. Link: ``link`` must
    be a usable link of this very referral, and ``actor_name`` says who answered.
    """
    errors: dict[str, str] = {}
    if via == EventVia.PARTNER:
        access.require(
            actor is not None and partner_referral_allows(actor, referral),
            _("This referral was not sent to your agency."),
        )
    elif via == EventVia.LINK:
        if link is None or link.referral_id != referral.pk or not link.is_usable():
            raise PermissionDenied(_("This link no longer works. Ask the agency for a new one."))
        actor = None
        if not actor_name.strip():
            errors["actor_name"] = _("Enter your name, so the case manager knows who answered.")
        _text(errors, "actor_name", actor_name, 200)
    else:
        raise PermissionDenied(_("The provider answers through Casework or a secure link."))
    with transaction.atomic():
        locked = _lock(referral, None)
        if locked.status in (ReferralStatus.DRAFT, ReferralStatus.CANCELLED, ReferralStatus.CLOSED):
            raise PermissionDenied(_("This referral can no longer be answered."))
        answer = Answer(
            status=status,
            happened_on=happened_on,
            via=via,
            actor_name=actor_name,
            note=note,
            decline_reason=decline_reason,
            first_appointment_at=first_appointment_at,
            outcome=outcome,
        )
        event = _answer(locked=locked, referral=referral, errors=errors, actor=actor, answer=answer)
        if link is not None:
            ReferralLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        _record(
            "referral.status",
            actor,
            referral,
            status=status,
            via=via,
            event_id=event.pk,
            link_id=link.pk if link is not None else None,
            partner_organization_id=actor.organization_id if actor is not None else None,
            follow_up_task_id=referral.follow_up_task_id,
        )
        _alert_answer(referral, event)
    return referral


#: Answers that ask something of the case manager. "Received" only says the referral
#: arrived: the follow-up task for the answer stays, and no alert is raised.
ALERTED_STATUSES = tuple(s for s in PROVIDER_STATUSES if s != ReferralStatus.RECEIVED)


def _answer_alert_prefix(referral: Referral) -> str:
    return f"referral_answer:referral:{referral.pk}:"


def _alert_answer(referral: Referral, event: ReferralEvent) -> None:
    """Tell the case manager the provider answered: the referral and the case number only,
    never the client, the provider or what they wrote (it is behind the link)."""
    if event.status not in ALERTED_STATUSES:
        return
    case = referral.case
    recipient = case.case_manager or referral.created_by
    alert_raise(
        recipients=[recipient],
        kind=AlertKind.REFERRAL_ANSWER,
        key=f"{_answer_alert_prefix(referral)}event:{event.pk}",
        message=_("Referral %(n)s on case %(case)s: the provider answered “%(status)s”.")
        % {
            "n": referral.pk,
            "case": case.reference,
            "status": ReferralStatus(event.status).label,
        },
        case=case,
        link=reverse("case-referral", args=[referral.pk]),
    )


def referral_close(
    *, actor: User, referral: Referral, expected_version: int | None, note: str = ""
) -> Referral:
    """Close the loop: the service ended (or was declined) and the case manager has followed up."""
    _require_change(actor, referral)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note)
    with transaction.atomic():
        locked = _lock(referral, expected_version)
        if ReferralStatus.CLOSED not in NEXT_STATUSES.get(locked.status, ()):
            errors[NON_FIELD_ERRORS] = _(
                "Close a referral once the service has ended or the provider declined it."
            )
        if errors:
            raise ValidationError(errors)
        answer = Answer(
            status=ReferralStatus.CLOSED,
            happened_on=timezone.localdate(),
            via=EventVia.STAFF,
            note=note,
        )
        event = _apply_status(locked=locked, referral=referral, actor=actor, answer=answer)
        _save(locked, referral)
        _record("referral.close", actor, referral, event_id=event.pk)
        alerts_settle(key_prefix=_answer_alert_prefix(referral))
    return referral


def referral_cancel(
    *, actor: User, referral: Referral, expected_version: int | None, reason: str
) -> Referral:
    """Withdraw a referral that is not needed any more (the client changed their mind...)."""
    _require_change(actor, referral)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Say why the referral is cancelled.")
    reason = _text(errors, "reason", reason, MAX_SHORT_TEXT)
    with transaction.atomic():
        locked = _lock(referral, expected_version)
        if ReferralStatus.CANCELLED not in NEXT_STATUSES.get(locked.status, ()):
            errors[NON_FIELD_ERRORS] = _(
                "Only a referral the provider has not started on can be cancelled."
            )
        if errors:
            raise ValidationError(errors)
        previous = locked.status
        locked.status = ReferralStatus.CANCELLED
        _replace_follow_up(locked, referral.case, actor)
        event = _event(
            locked,
            status=ReferralStatus.CANCELLED,
            happened_on=timezone.localdate(),
            via=EventVia.STAFF,
            actor=actor,
            note=reason,
        )
        _save(locked, referral)
        _record("referral.cancel", actor, referral, event_id=event.pk, previous_status=previous)
        alerts_settle(key_prefix=_answer_alert_prefix(referral))
    return referral


# --- secure links -----------------------------------------------------------------------------


def _link_make(actor: User, referral: Referral, days: int) -> ReferralLink:
    """A new link row; its secret is derived from the row (``ReferralLink.token``)."""
    link = ReferralLink.objects.create(
        organization_id=referral.organization_id,
        referral=referral,
        # Unique until the row has the id its secret is derived from, a moment later.
        token_hash=f"pending:{secrets.token_hex(16)}",
        created_by=actor,
        expires_at=timezone.now() + timedelta(days=days),
    )
    link.token_hash = token_hash(link.token())
    link.save(update_fields=["token_hash"])
    _record(
        "referral.link_create",
        actor,
        referral,
        link_id=link.pk,
        expires_at=link.expires_at,
        emailed=bool(referral.link_email),
    )
    return link


def _email_link(link: ReferralLink, base_url: str) -> None:
    """Email the link to the provider from the background worker, once committed."""
    transaction.on_commit(lambda: email_referral_link.enqueue(link_id=link.pk, base_url=base_url))


def referral_link_create(
    *, actor: User, referral: Referral, days: int | None = None, base_url: str = ""
) -> tuple[ReferralLink, str]:
    """A secret link for the provider to this one referral; the secret is returned once.

    When the provider's email address is known (``Referral.link_email``), the link also
    goes to it by email (``base_url``: this site's address, for the link).
    """
    _require_change(actor, referral)
    length = days if days is not None else int(settings.CASEWORK_REFERRAL_LINK_DAYS)
    errors: dict[str, str] = {}
    if not 1 <= length <= MAX_LINK_DAYS:
        errors["days"] = _("A link works between 1 and %(n)s days.") % {"n": MAX_LINK_DAYS}
    if referral.status not in OPEN_STATUSES:
        errors[NON_FIELD_ERRORS] = _(
            "A link can be made only for a referral that was sent and is still open."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = _link_make(actor, referral, length)
        if referral.link_email:
            _email_link(link, base_url)
    return link, link.token()


def referral_link_revoke(*, actor: User, link: ReferralLink) -> ReferralLink:
    """Stop a link working at once (sent to the wrong address, no longer needed)."""
    referral = link.referral
    _require_change(actor, referral)
    with transaction.atomic():
        locked = ReferralLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            _record("referral.link_revoke", actor, referral, link_id=link.pk)
    link.revoked_at = locked.revoked_at
    return link


def referral_link_find(*, token: str) -> ReferralLink | None:
    """The usable link whose secret is ``token``, or None (unknown, expired, revoked, closed)."""
    if not token or len(token) > 200:
        return None
    digest = token_hash(token)
    link = ReferralLink.objects.select_related("referral").filter(token_hash=digest).first()
    # The lookup is by hash, so timing says nothing about the secret; compare anyway.
    if link is None or not constant_time_compare(link.token_hash, digest):
        return None
    return link if link.is_usable() else None


# --- reading ----------------------------------------------------------------------------------


def referral_viewed(
    *,
    actor: User | None,
    referral: Referral,
    via: str,
    content_shown: bool,
    link: ReferralLink | None = None,
) -> None:
    """Write a read of a referral to the audit log: staff, a partner agency, or a secure link."""
    if via == EventVia.PARTNER:
        access.require(actor is not None and partner_referral_allows(actor, referral))
    elif via == EventVia.LINK:
        access.require(link is not None and link.referral_id == referral.pk)
        actor = None
    else:
        access.require(actor is not None and referral_allows(actor, referral))
    with transaction.atomic():
        if link is not None:
            ReferralLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        _record(
            "referral.view",
            actor,
            referral,
            via=via,
            content_shown=content_shown,
            link_id=link.pk if link is not None else None,
        )


#: How the receiving side itself answers: an event's note then holds their own words.
RECEIVING_VIA = (EventVia.PARTNER, EventVia.LINK)


@dataclass(frozen=True)
class ReceivedEvent:
    """One step of a referral's timeline as the receiving side may read it: the texts it
    may not read are empty."""

    event: ReferralEvent
    note: str
    step_done: str


def received_categories(decision: policy.Decision) -> frozenset[str]:
    """The information categories the receiving side may see now: the referral's own,
    as far as the consent covers them today (none once it is revoked or has expired)."""
    return frozenset(decision.covered) if decision.allowed else frozenset()


def received_events(
    *, decision: policy.Decision, events: Iterable[ReferralEvent]
) -> list[ReceivedEvent]:
    """The timeline for the receiving side, every text passed through the consent decision.

    * the receiving side's own words (answers through Casework or the secure link) while
      the consent is in force, like the rest of the referral;
    * a note by our staff (a phone call recorded, the closing note) is case documentation:
      only under a consent that covers case notes;
    * the plan's action step an answer marked done is plan content: only under a consent
      that covers the service plan.
    """
    categories = received_categories(decision)
    shown: list[ReceivedEvent] = []
    for event in events:
        if event.status == ReferralStatus.DRAFT:
            continue
        if event.via in RECEIVING_VIA:
            note = event.note if decision.allowed else ""
        else:
            note = event.note if Category.NOTES in categories else ""
        step = event.step_done if Category.PLAN in categories else ""
        shown.append(ReceivedEvent(event=event, note=note, step_done=step))
    return shown


def referral_content(*, referral: Referral) -> tuple[policy.Decision, list[Section]]:
    """What the receiving side may see NOW: the packet, while the consent still allows it.

    A revoked or expired consent leaves nothing but what the referral itself says
    (service, dates, status): the sections come back empty.
    """
    if referral.disclosure is None:
        return referral_consent_decision(referral=referral), []
    decision = consent_services.disclosure_content_allowed(referral.disclosure)
    sections: list[Section] = list(referral.disclosure.packet) if decision.allowed else []
    return decision, sections

"""Referrals at scale for ``casework generate``: rows built in memory, inserted in bulk.

About one referral for every two cases with a case manager, each to a service of the
agency's directory, spread over the whole lifecycle with its events, the consent and
the disclosure it went out under, and the case manager's open follow-up task. Closed
cases have only closed or cancelled referrals. An agency whose directory has no active
service gets no referrals (``generate --services`` writes the directory): the counts
say ``referrals: 0``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from casework.clients.models import Case, CaseStatus
from casework.consent.models import Category, Consent, Disclosure, PartyKind, Purpose
from casework.monitoring.models import Task, TaskStatus
from casework.plans.models import Goal, PlanStatus
from casework.resources.models import Service, ServiceStatus

from .models import EventVia, OutcomeKind, Referral, ReferralEvent, ReferralStatus, Urgency

REFERRAL_SHARE = 0.5
S = ReferralStatus
#: The path each final status took, and how often referrals end there.
PATHS: dict[str, tuple[tuple[str, ...], int]] = {
    S.DRAFT: ((S.DRAFT,), 3),
    S.SENT: ((S.SENT,), 9),
    S.RECEIVED: ((S.SENT, S.RECEIVED), 5),
    S.ACCEPTED: ((S.SENT, S.ACCEPTED), 9),
    S.WAITLISTED: ((S.SENT, S.WAITLISTED), 6),
    S.DECLINED: ((S.SENT, S.DECLINED), 8),
    S.APPOINTMENT: ((S.SENT, S.ACCEPTED, S.APPOINTMENT), 8),
    S.STARTED: ((S.SENT, S.ACCEPTED, S.APPOINTMENT, S.STARTED), 12),
    S.COMPLETED: ((S.SENT, S.ACCEPTED, S.APPOINTMENT, S.STARTED, S.COMPLETED), 10),
    S.NOT_COMPLETED: ((S.SENT, S.ACCEPTED, S.APPOINTMENT, S.NOT_COMPLETED), 4),
    S.CLOSED: ((S.SENT, S.ACCEPTED, S.APPOINTMENT, S.STARTED, S.COMPLETED, S.CLOSED), 23),
    S.CANCELLED: ((S.SENT, S.CANCELLED), 3),
}
CLOSED_PATHS: tuple[tuple[str, ...], ...] = (
    (S.SENT, S.ACCEPTED, S.APPOINTMENT, S.STARTED, S.COMPLETED, S.CLOSED),
    (S.SENT, S.DECLINED, S.CLOSED),
    (S.SENT, S.CANCELLED),
)
FOLLOW_UPS: dict[str, tuple[str, int]] = {
    S.SENT: ("No answer yet from the provider", 7),
    S.RECEIVED: ("No answer yet from the provider", 5),
    S.ACCEPTED: ("Confirm the first appointment", 7),
    S.WAITLISTED: ("Ask about the waitlist place", 14),
    S.DECLINED: ("Find another service for this goal", 2),
    S.APPOINTMENT: ("Check the client went to the first appointment", 1),
    S.STARTED: ("Check how the service is going", 28),
    S.COMPLETED: ("Review the outcome with the client and close the referral", 2),
    S.NOT_COMPLETED: ("Review the outcome with the client and close the referral", 2),
}
REASONS = (
    "Behind on rent after losing hours at work; needs help to keep the apartment.",
    "Runs out of food in the last week of the month.",
    "Eviction hearing next month; has no lawyer.",
    "Wants to work again and needs help with a résumé and interviews.",
    "Needs a regular doctor and has not seen one in two years.",
    "Asked for counselling after a difficult year.",
)
DECLINES = ("No capacity this month.", "Lives outside our service area.", "Over the age limit.")
OUTCOMES = ("Attended twice, then stopped coming.", "Moved away before the service started.")
CATEGORIES = [Category.IDENTITY_CONTACT, Category.PLAN]

Insert = Callable[..., None]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(15), tzinfo=UTC)


def _days(rng: random.Random, steps: int, earliest: date, latest: date) -> list[date]:
    """``steps`` days in order between ``earliest`` and ``latest``, a few days apart."""
    gaps = [rng.randint(1, 12) for _ in range(steps - 1)]
    span = (latest - earliest).days
    start = latest - timedelta(days=min(span, sum(gaps) + rng.randint(0, 60)))
    days = [start]
    for gap in gaps:
        days.append(min(days[-1] + timedelta(days=gap), latest))
    return days


def generate(
    *,
    organization_id: int,
    cases: Sequence[Case],
    rng: random.Random,
    today: date,
    now: datetime,
    insert: Insert,
) -> dict[str, int]:
    services = list(
        Service.objects.filter(organization_id=organization_id, status=ServiceStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", "provider_id", "provider__partner_organization_id")[:5000]
    )
    if not services:
        return {"referrals": 0}
    managers = {
        c.pk: c.case_manager_id
        for c in cases
        if c.case_manager_id is not None
        and c.status in (CaseStatus.ACTIVE, CaseStatus.CLOSED)
        and rng.random() < REFERRAL_SHARE
    }
    chosen = [c for c in cases if c.pk in managers]
    goals: dict[int, tuple[int, uuid.UUID]] = {}
    for case_id, goal_id, key in Goal.objects.filter(
        organization_id=organization_id,
        case_id__in=[c.pk for c in chosen],
        plan__status=PlanStatus.APPROVED,
    ).values_list("case_id", "pk", "key"):
        goals.setdefault(case_id, (goal_id, key))
    finals = list(PATHS)
    weights = [share for _path, share in PATHS.values()]
    plans: list[tuple[Case, tuple[int, int, int | None], tuple[str, ...], list[date]]] = []
    for case in chosen:
        if case.status == CaseStatus.CLOSED:
            path = rng.choice(CLOSED_PATHS)
            latest = case.closed_on or today
        else:
            path = PATHS[rng.choices(finals, weights)[0]][0]
            latest = today
        earliest = min(case.opened_on, latest)
        plans.append((case, rng.choice(services), path, _days(rng, len(path), earliest, latest)))

    consents: list[Consent] = []
    for case, (_service_id, provider_id, partner_id), path, days in plans:
        if path[0] == S.DRAFT:
            continue
        partner = partner_id is not None
        consents.append(
            Consent(
                organization_id=organization_id,
                client_id=case.client_id,
                party_kind=PartyKind.PARTNER_AGENCY if partner else PartyKind.PROVIDER,
                party_organization_id=partner_id,
                party_provider_id=None if partner else provider_id,
                party_key=f"org:{partner_id}" if partner else f"provider:{provider_id}",
                purposes=[Purpose.REFERRAL],
                categories=list(CATEGORIES),
                effective_on=days[0],
                expires_on=days[0] + timedelta(days=365),
                signature_method="on_screen",
                signed_name="Signed on screen",
                signed_on=days[0],
                recorded_by_id=managers[case.pk],
                recorded_at=_moment(days[0]),
            )
        )
    insert(consents, returning=True)
    disclosures = [
        Disclosure(
            organization_id=organization_id,
            client_id=consent.client_id,
            consent_id=consent.pk,
            purpose=Purpose.REFERRAL,
            categories=list(CATEGORIES),
            packet=[
                {"category": c, "title": str(Category(c).label), "rows": []} for c in CATEGORIES
            ],
            disclosed_by_id=consent.recorded_by_id,
            disclosed_at=consent.recorded_at,
            party_kind=consent.party_kind,
            party_organization_id=consent.party_organization_id,
            party_provider_id=consent.party_provider_id,
            party_key=consent.party_key,
        )
        for consent in consents
    ]
    insert(disclosures, returning=True)

    tasks: list[Task | None] = []
    for case, _service, path, days in plans:
        follow_up = FOLLOW_UPS.get(path[-1])
        if follow_up is None or case.status == CaseStatus.CLOSED:
            tasks.append(None)
            continue
        title, wait = follow_up
        tasks.append(
            Task(
                organization_id=organization_id,
                case_id=case.pk,
                goal_id=goals[case.pk][0] if case.pk in goals else None,
                title=title,
                due_on=days[-1] + timedelta(days=wait),
                assignee_id=managers[case.pk],
                created_by_id=managers[case.pk],
                status=TaskStatus.OPEN,
                created_at=_moment(days[-1]),
                updated_at=_moment(days[-1]),
            )
        )
    insert([t for t in tasks if t is not None], returning=True)

    referrals: list[Referral] = []
    sent = iter(zip(consents, disclosures, strict=True))
    for (case, (service_id, provider_id, partner_id), path, days), task in zip(
        plans, tasks, strict=True
    ):
        goal = goals.get(case.pk)
        referral = Referral(
            organization_id=organization_id,
            case_id=case.pk,
            client_id=case.client_id,
            goal_id=goal[0] if goal else None,
            goal_key=goal[1] if goal else None,
            service_id=service_id,
            provider_id=provider_id,
            recipient_organization_id=partner_id,
            reason=rng.choice(REASONS),
            urgency=rng.choices(Urgency.values, (8, 3, 1))[0],
            categories=list(CATEGORIES),
            status=path[-1],
            created_by_id=managers[case.pk],
            created_at=_moment(days[0]),
            updated_at=_moment(days[-1]),
            follow_up_task_id=task.pk if task is not None else None,
            match_reasons=[],
        )
        if path[0] != S.DRAFT:
            consent, disclosure = next(sent)
            referral.consent_id = consent.pk
            referral.disclosure_id = disclosure.pk
        for status, day in zip(path, days, strict=True):
            _apply(referral, status, day, rng)
        referrals.append(referral)
    insert(referrals, returning=True)

    events = [
        ReferralEvent(
            organization_id=organization_id,
            referral_id=referral.pk,
            status=status,
            happened_on=day,
            via=_via(rng, status, referral.recipient_organization_id is not None),
            actor_id=referral.created_by_id
            if status in (S.DRAFT, S.SENT, S.CLOSED, S.CANCELLED)
            else None,
            actor_name="" if status in (S.DRAFT, S.SENT, S.CLOSED, S.CANCELLED) else "Intake desk",
            recorded_at=_moment(day),
        )
        for referral, (_case, _service, path, days) in zip(referrals, plans, strict=True)
        for status, day in zip(path, days, strict=True)
    ]
    insert(events)
    return {
        "referrals": len(referrals),
        "referral_events": len(events),
        "consents": len(consents),
        "disclosures": len(disclosures),
        "tasks": sum(1 for t in tasks if t is not None),
    }


def _via(rng: random.Random, status: str, partner: bool) -> str:
    if status in (S.DRAFT, S.SENT, S.CLOSED, S.CANCELLED):
        return EventVia.STAFF
    return EventVia.PARTNER if partner else rng.choice((EventVia.LINK, EventVia.PHONE))


def _apply(referral: Referral, status: str, day: date, rng: random.Random) -> None:
    """The dates and outcome a status leaves on the referral (as the services set them)."""
    if status == S.SENT:
        referral.sent_at = _moment(day)
        referral.answer_due_on = day + timedelta(days=7)
    elif status == S.RECEIVED:
        referral.received_on = day
    elif status == S.ACCEPTED:
        referral.accepted_on = day
    elif status == S.WAITLISTED:
        referral.waitlisted_on = day
    elif status == S.DECLINED:
        referral.declined_on = day
        referral.decline_reason = rng.choice(DECLINES)
    elif status == S.APPOINTMENT:
        referral.first_appointment_at = _moment(day) + timedelta(days=rng.randint(2, 10))
    elif status == S.STARTED:
        referral.started_on = day
    elif status in (S.COMPLETED, S.NOT_COMPLETED):
        referral.ended_on = day
        referral.outcome_kind = (
            OutcomeKind.COMPLETED if status == S.COMPLETED else OutcomeKind.NOT_COMPLETED
        )
        referral.outcome = "" if status == S.COMPLETED else rng.choice(OUTCOMES)
    elif status == S.CLOSED:
        referral.closed_at = _moment(day)

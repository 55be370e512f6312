"""Demo referrals, made through the services by each case's manager and the providers.

What the demo shows: about fifteen referrals from plan goals to the demo directory,
across the whole lifecycle (a draft, one sent whose answer is overdue, received,
accepted, waitlisted, declined with a reason, a first appointment, started, completed,
not completed, closed, cancelled), each under a consent recorded for it. Those to the
provider that is the Harbor Legal Aid partner agency are answered by its staff in
Casework, so that partner@harbor.demo.casework.test sees them under "Referrals to us";
the others are answered by phone or through a secure link.

The services date everything today; a demo needs a history, so once a referral's steps
are made its dates are moved back (events, the referral's own dates, its follow-up
task and its disclosure), keeping their order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from casework.clients.models import Case, CaseStatus
from casework.consent import services as consent_services
from casework.consent.models import Disclosure
from casework.core import context
from casework.core.models import Organization, OrganizationKind, Role, User
from casework.monitoring.models import Task
from casework.plans.models import ActionStep, Goal, PlanStatus, StepOwner
from casework.resources.models import Service, ServiceStatus

from . import services
from .models import EventVia, Referral, ReferralEvent, ReferralStatus, Urgency

S = ReferralStatus
DEMO_CASE_MANAGER = "casemanager@"
PARTNER_EMAIL_PREFIX = "partner@"
REASONS = {
    "housing": "Behind on rent since losing hours at work; the landlord has sent a notice.",
    "food": "The family runs out of food in the last week of each month.",
    "legal": "An eviction hearing is set for next month and the client has no lawyer.",
    "default": "The client asked for this help when we wrote the plan together.",
}


@dataclass(frozen=True)
class Story:
    """One referral's life: its steps after sending, how the provider answered, how long ago."""

    steps: tuple[str, ...]
    days_ago: int
    quiet: int = 0  # days since the last step
    partner: bool = False  # to the partner agency's provider, answered in Casework
    link: bool = False  # answered through a secure link
    urgency: str = Urgency.ROUTINE


STORIES = (
    Story(steps=(), days_ago=0),  # a draft
    Story(steps=(S.SENT,), days_ago=10, quiet=9, urgency=Urgency.SOON),  # answer overdue
    Story(steps=(S.SENT,), days_ago=1, partner=True, urgency=Urgency.URGENT),
    Story(steps=(S.SENT,), days_ago=2, link=True),
    Story(steps=(S.SENT, S.RECEIVED), days_ago=3, partner=True),
    Story(steps=(S.SENT, S.ACCEPTED), days_ago=6),
    Story(steps=(S.SENT, S.WAITLISTED), days_ago=12, link=True),
    Story(steps=(S.SENT, S.DECLINED), days_ago=10),
    Story(steps=(S.SENT, S.ACCEPTED, S.APPOINTMENT), days_ago=8, partner=True),
    Story(steps=(S.SENT, S.ACCEPTED, S.APPOINTMENT, S.STARTED), days_ago=24, link=True),
    Story(steps=(S.SENT, S.ACCEPTED, S.STARTED, S.COMPLETED), days_ago=40, partner=True),
    Story(steps=(S.SENT, S.ACCEPTED, S.NOT_COMPLETED), days_ago=35),
    Story(steps=(S.SENT, S.ACCEPTED, S.STARTED, S.COMPLETED, S.CLOSED), days_ago=60),
    Story(steps=(S.SENT, S.DECLINED, S.CLOSED), days_ago=45, partner=True),
    Story(steps=(S.SENT, S.CANCELLED), days_ago=15),
)
NOTES: dict[str, str] = {
    S.RECEIVED: "We have it and will call the client this week.",
    S.ACCEPTED: "We can take the client.",
    S.WAITLISTED: "About six weeks on our waiting list.",
    S.APPOINTMENT: "First appointment booked with the client.",
    S.STARTED: "The client came and the service has started.",
    S.COMPLETED: "All sessions done.",
}


def _partner_staff() -> User | None:
    return (
        User.objects.filter(
            email__startswith=PARTNER_EMAIL_PREFIX,
            organization__kind=OrganizationKind.PARTNER,
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )


def _goals(cases: list[Case]) -> dict[int, list[tuple[Goal, ActionStep | None]]]:
    """Each case's goals in its approved plan, with a step a provider owns if there is one."""
    found: dict[int, list[tuple[Goal, ActionStep | None]]] = {}
    goals = (
        Goal.objects.filter(case__in=cases, plan__status=PlanStatus.APPROVED)
        .prefetch_related("steps")
        .order_by("pk")
    )
    for goal in goals:
        steps = list(goal.steps.all())
        step = next((s for s in steps if s.owner_kind == StepOwner.PROVIDER), None)
        found.setdefault(goal.case_id, []).append((goal, step or (steps[0] if steps else None)))
    return found


def _reason(service: Service) -> str:
    text = f"{service.name} {service.description}".casefold()
    for word, reason in REASONS.items():
        if word in text:
            return reason
    return REASONS["default"]


def _ensure_consent(actor: User, referral: Referral, rng: random.Random) -> None:
    if services.referral_consent_decision(referral=referral).allowed:
        return
    today = timezone.localdate()
    started = today - timedelta(days=rng.randint(70, 120))
    consent_services.consent_record(
        actor=actor,
        client=referral.client,
        party=services.referral_party(referral.service),
        fields=consent_services.ConsentFields(
            purposes=["referral"],
            categories=list(referral.categories),
            effective_on=started,
            expires_on=started + timedelta(days=365),
            signature_method="on_screen",
            signed_name=referral.client.legal_name,
            signed_confirmed=True,
            signed_on=started,
            witness_name=f"{actor.get_full_name()}, case manager",
        ),
    )


def _answer(
    referral: Referral, step: str, story: Story, manager: User, partner: User | None
) -> None:
    today = timezone.localdate()
    note = NOTES.get(step, "")
    decline_reason = (
        "No places left this quarter; try the county program." if step == S.DECLINED else ""
    )
    first_appointment_at = (
        timezone.now() + timedelta(days=story.days_ago + 4) if step == S.APPOINTMENT else None
    )
    outcome = (
        "The client moved across town and could not get there by bus."
        if step == S.NOT_COMPLETED
        else ""
    )
    if partner is not None:
        services.referral_provider_update(
            referral=referral,
            status=step,
            happened_on=today,
            via=EventVia.PARTNER,
            actor=partner,
            note=note,
            decline_reason=decline_reason,
            first_appointment_at=first_appointment_at,
            outcome=outcome,
        )
    elif story.link:
        link = referral.links.filter(revoked_at__isnull=True).first()
        if link is None:
            link, _token = services.referral_link_create(actor=manager, referral=referral)
        services.referral_provider_update(
            referral=referral,
            status=step,
            happened_on=today,
            via=EventVia.LINK,
            link=link,
            actor_name="Front desk",
            note=note,
            decline_reason=decline_reason,
            first_appointment_at=first_appointment_at,
            outcome=outcome,
        )
    else:
        services.referral_record(
            actor=manager,
            referral=referral,
            expected_version=referral.version,
            status=step,
            happened_on=today,
            note=note,
            decline_reason=decline_reason,
            first_appointment_at=first_appointment_at,
            outcome=outcome,
        )


def _shift_day(day: date | None, days: int) -> date | None:
    return day - timedelta(days=days) if day is not None else None


def _shift_moment(moment: datetime | None, days: int) -> datetime | None:
    return moment - timedelta(days=days) if moment is not None else None


def _backdate(referral: Referral, days_ago: int, quiet: int) -> None:
    """Spread the referral's events from ``days_ago`` to ``quiet`` days ago, in their order."""
    if days_ago <= 0:
        return
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("recorded_at", "pk"))
    last = max(len(events) - 1, 1)
    back: dict[str, int] = {}
    for n, event in enumerate(events):
        shift = quiet + round((last - n) * (days_ago - quiet) / last)
        back[event.status] = shift
        event.happened_on = event.happened_on - timedelta(days=shift)
        event.recorded_at = event.recorded_at - timedelta(days=shift)
    ReferralEvent.objects.bulk_update(events, ["happened_on", "recorded_at"])
    row = Referral.objects.get(pk=referral.pk)
    first = days_ago
    sent_back = back.get(S.SENT, first)
    row.created_at = row.created_at - timedelta(days=first)
    row.sent_at = _shift_moment(row.sent_at, sent_back)
    row.answer_due_on = _shift_day(row.answer_due_on, sent_back)
    for status, name in (
        (S.RECEIVED, "received_on"),
        (S.ACCEPTED, "accepted_on"),
        (S.WAITLISTED, "waitlisted_on"),
        (S.DECLINED, "declined_on"),
        (S.STARTED, "started_on"),
        (S.COMPLETED, "ended_on"),
        (S.NOT_COMPLETED, "ended_on"),
    ):
        if status in back:
            setattr(row, name, _shift_day(getattr(row, name), back[status]))
    if S.CLOSED in back:
        row.closed_at = _shift_moment(row.closed_at, back[S.CLOSED])
    row.save()
    latest = min(back.values()) if back else 0
    if row.follow_up_task_id is not None and row.status != S.APPOINTMENT:
        task = Task.objects.get(pk=row.follow_up_task_id)
        task.due_on = _shift_day(task.due_on, latest)
        task.created_at = task.created_at - timedelta(days=latest)
        task.save(update_fields=["due_on", "created_at"])
    if row.disclosure_id is not None:
        Disclosure.objects.filter(pk=row.disclosure_id).update(disclosed_at=row.sent_at)


def seed(*, organization: Organization, seed: int = 1) -> int:
    """About fifteen referrals across the lifecycle; returns how many were made."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    directory = list(
        Service.objects.filter(
            organization=organization, status=ServiceStatus.ACTIVE, accepting_referrals=True
        )
        .exclude(provider__is_own_agency=True)
        .select_related("provider")
        .order_by("pk")
    )
    if not directory:
        return 0
    to_partner = [s for s in directory if s.provider.partner_organization_id is not None]
    elsewhere = [s for s in directory if s.provider.partner_organization_id is None] or directory
    partner = _partner_staff()
    cases = list(
        Case.objects.filter(
            organization=organization, status=CaseStatus.ACTIVE, case_manager__isnull=False
        )
        .select_related("client", "case_manager")
        .order_by("pk")
    )
    # The demo case manager's cases first: that is whom a newcomer signs in as.
    cases.sort(
        key=lambda c: not (c.case_manager and c.case_manager.email.startswith(DEMO_CASE_MANAGER))
    )
    goals = _goals(cases)
    planned = [c for c in cases if c.pk in goals] or cases
    made = 0
    for n, story in enumerate(STORIES):
        if not planned:
            break
        case = planned[n % len(planned)]
        manager = case.case_manager
        if manager is None or not manager.has_role(Role.CASE_MANAGER, Role.SUPERVISOR):
            continue
        use_partner = story.partner and bool(to_partner) and partner is not None
        service = rng.choice(to_partner if use_partner else elsewhere)
        options = goals.get(case.pk, [])
        goal, step = options[n // len(planned) % len(options)] if options else (None, None)
        with context.action_context():
            referral = services.referral_create(
                actor=manager,
                case=case,
                service=service,
                reason=_reason(service),
                categories=["identity_contact", "plan"],
                goal=goal,
                action_step=step,
                urgency=story.urgency,
                eligibility_note="Lives in the service area and meets the income limit.",
                self_help_note="The client will bring the documents and go to the first visit.",
            )
            if story.steps:
                _ensure_consent(manager, referral, rng)
            for status in story.steps:
                if status == S.SENT:
                    services.referral_send(
                        actor=manager, referral=referral, expected_version=referral.version
                    )
                    if story.link:
                        services.referral_link_create(actor=manager, referral=referral)
                elif status == S.CLOSED:
                    services.referral_close(
                        actor=manager, referral=referral, expected_version=referral.version
                    )
                elif status == S.CANCELLED:
                    services.referral_cancel(
                        actor=manager,
                        referral=referral,
                        expected_version=referral.version,
                        reason="The client found help through their church.",
                    )
                else:
                    _answer(referral, status, story, manager, partner if use_partner else None)
            _backdate(referral, story.days_ago, story.quiet)
        made += 1
    return made

"""Reads of referrals for the agency's staff, starting from the access policy's querysets.

The receiving side (partner agency, secure link) has its own reads in ``queries_receiving``.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import NotFound
from casework.core.models import Role, User
from casework.plans.models import Goal

from .models import OPEN_STATUSES, Referral, ReferralEvent, ReferralLink, ReferralStatus

#: Statuses in which the provider has not answered yet.
WAITING_STATUSES = (ReferralStatus.SENT, ReferralStatus.RECEIVED)


def _listed(rows: QuerySet[Referral]) -> QuerySet[Referral]:
    return rows.select_related("service", "provider", "goal", "follow_up_task")


def case_referrals(user: User, case: Case) -> QuerySet[Referral]:
    """The case's referrals, newest first (``case`` was checked by the caller)."""
    return _listed(referrals(user, case)).order_by("-created_at", "-pk")


def case_open_referrals(user: User, case: Case) -> QuerySet[Referral]:
    """Drafts and referrals whose loop is still open: the case page's card."""
    return _listed(
        referrals(user, case).filter(status__in=(ReferralStatus.DRAFT, *OPEN_STATUSES))
    ).order_by("answer_due_on", "-created_at", "-pk")


def get_referral(user: User, pk: int) -> Referral:
    """The referral with what its page shows, if the user may see it; 404 otherwise."""
    referral = (
        referrals(user)
        .select_related(
            "case__client",
            "case__program",
            "case__team",
            "case__case_manager",
            "service__provider",
            "location__location",
            "goal",
            "action_step",
            "disclosure",
            "consent",
            "created_by",
            "follow_up_task",
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise NotFound("No such referral.")
    referral.provider = referral.service.provider
    referral.client = referral.case.client
    return referral


def referral_events(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor").order_by("recorded_at", "pk")


def referral_links(referral: Referral) -> QuerySet[ReferralLink]:
    return referral.links.select_related("created_by").order_by("-created_at", "-pk")


def get_link(user: User, pk: int) -> ReferralLink:
    link = (
        ReferralLink.objects.select_related("referral__case__client")
        .filter(pk=pk, referral__in=referrals(user))
        .first()
    )
    if link is None:
        raise NotFound("No such link.")
    return link


def waiting_for_answer(user: User) -> QuerySet[Referral]:
    """Referrals the user made or whose case they manage, the provider not having answered;
    the answer most overdue first."""
    return (
        referrals(user)
        .filter(Q(created_by=user) | Q(case__case_manager=user), status__in=WAITING_STATUSES)
        .select_related("service", "provider", "case__client")
        .order_by("answer_due_on", "pk")
    )


def goals_referrals(user: User, goals: list[Goal]) -> dict[UUID, list[Referral]]:
    """Each goal's referrals (by ``Goal.key``, across plan versions), one query."""
    keys = {g.key for g in goals}
    if not keys:
        return {}
    found: dict[UUID, list[Referral]] = defaultdict(list)
    case_ids = {g.case_id for g in goals}
    rows = (
        referrals(user)
        .filter(case_id__in=case_ids, goal_key__in=keys)
        .exclude(status=ReferralStatus.CANCELLED)
        .select_related("service", "provider")
        .order_by("-created_at", "-pk")
    )
    for referral in rows:
        if referral.goal_key is not None:
            found[referral.goal_key].append(referral)
    return found


def case_goals(case: Case) -> QuerySet[Goal]:
    """Goals of the case's current plans (approved, or being written), for choosing one."""
    from casework.plans.models import OPEN_PLAN_STATUSES, ActionStep, PlanStatus

    return (
        Goal.objects.filter(case=case, plan__status__in=(PlanStatus.APPROVED, *OPEN_PLAN_STATUSES))
        .select_related("plan")
        .prefetch_related(Prefetch("steps", queryset=ActionStep.objects.order_by("position", "pk")))
        .order_by("-plan__number", "priority", "position", "pk")
    )


def referrals(user: User, case: Case | None = None) -> QuerySet[Referral]:
    if not access.is_staff_member(user) or access.is_partner_staff(user):
        return Referral.objects.none()
    if case is not None:
        if not access.case_allows(user, case, Action.VIEW):
            return Referral.objects.none()
        return Referral.objects.filter(case=case)
    return Referral.objects.filter(
        organization_id=access.organization_id(user), case__in=access.cases(user)
    )


def referral_allows(user: User, referral: Referral, action: Action = Action.VIEW) -> bool:
    if access.is_partner_staff(user):
        return False
    if action != Action.VIEW and user.has_role(Role.AUDITOR):
        return False
    return access.case_allows(user, referral.case, action)

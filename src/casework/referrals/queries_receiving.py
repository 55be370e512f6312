"""Reads for the receiving side: a partner agency's "Referrals to us", and one referral.

Lists start from ``access.partner_referrals`` and never name the client: whether a
referral's client information may be shown is the consent policy's answer, asked per
referral (``viewable_ids``, one query for a whole page) and again on every detail view.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.consent.queries import viewable_ids as viewable_disclosure_ids
from casework.core.errors import NotFound
from casework.core.models import User

from .models import Referral, ReferralEvent, ReferralStatus
from .queries import referral_allows, referrals

#: The inbox's filters: from the receiving side, a referral is new until they answer it,
#: in progress while they work on it, and closed once their part is done.
INBOX_FILTERS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "new": (_("New"), (ReferralStatus.SENT,)),
    "in_progress": (
        _("In progress"),
        (
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.WAITLISTED,
            ReferralStatus.APPOINTMENT,
            ReferralStatus.STARTED,
        ),
    ),
    "closed": (
        _("Closed"),
        (
            ReferralStatus.DECLINED,
            ReferralStatus.COMPLETED,
            ReferralStatus.NOT_COMPLETED,
            ReferralStatus.CLOSED,
        ),
    ),
}

_LIST_RELATED = ("organization", "service", "provider", "disclosure__client")
_DETAIL_RELATED = (
    *_LIST_RELATED,
    "location__location",
    "consent",
    "case__case_manager__staff_profile",
    "created_by__staff_profile",
)


def partner_inbox(user: User, show: str = "") -> QuerySet[Referral]:
    """Referrals sent to the user's partner agency, newest first, optionally one filter's."""
    rows = partner_referrals(user).select_related(*_LIST_RELATED)
    if show in INBOX_FILTERS:
        rows = rows.filter(status__in=INBOX_FILTERS[show][1])
    return rows.order_by("-sent_at", "-pk")


def _events() -> Prefetch[Any]:
    return Prefetch(
        "events",
        queryset=ReferralEvent.objects.select_related("actor").order_by("recorded_at", "pk"),
    )


def get_partner_referral(user: User, pk: int) -> Referral:
    """One referral sent to the user's partner agency; 404 for anything else."""
    referral = (
        partner_referrals(user)
        .filter(pk=pk)
        .select_related(*_DETAIL_RELATED)
        .prefetch_related(_events(), "service__required_documents")
        .first()
    )
    if referral is None:
        raise NotFound(_("No such referral."))
    return referral


def for_link(referral_id: int) -> Referral:
    """The referral of a secure link (the link was checked by ``referral_link_find``)."""
    return (
        Referral.objects.filter(pk=referral_id)
        .select_related(*_DETAIL_RELATED)
        .prefetch_related(_events(), "service__required_documents")
        .get()
    )


def get_staff_referral(user: User, pk: int) -> Referral:
    """A referral the agency's staff member may view (for the letter); 404 otherwise."""
    referral = (
        referrals(user)
        .filter(pk=pk)
        .select_related(*_DETAIL_RELATED, "client", "goal")
        .prefetch_related("service__required_documents", "links", "location__location__addresses")
        .first()
    )
    if referral is None or not referral_allows(user, referral):
        raise NotFound(_("No such referral."))
    return referral


def viewable_ids(rows: list[Referral]) -> set[int]:
    """Of these referrals, those whose client information the consent still allows (one query)."""
    disclosures = [r.disclosure for r in rows if r.disclosure is not None]
    allowed = viewable_disclosure_ids(disclosures)
    return {r.pk for r in rows if r.disclosure_id in allowed}


def partner_referrals(user: User) -> QuerySet[Referral]:
    """Referrals sent to the user's partner agency (never drafts)."""
    if not access.is_partner_staff(user):
        return Referral.objects.none()
    return Referral.objects.filter(recipient_organization_id=user.organization_id).exclude(
        status__in=(ReferralStatus.DRAFT, ReferralStatus.CANCELLED)
    )


def partner_referral_allows(user: User, referral: Referral) -> bool:
    return (
        access.is_partner_staff(user)
        and referral.recipient_organization_id == user.organization_id
        and referral.status not in (ReferralStatus.DRAFT, ReferralStatus.CANCELLED)
    )

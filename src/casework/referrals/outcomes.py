"""Referral outcomes per provider, for the directory: how did our referrals to them go?

Counted over the agency's referrals that were sent (drafts and cancelled ones are not
outcomes). No client is named: these are counts and medians only, shown to every
colleague who reads the directory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Q

from .models import OutcomeKind, Referral, ReferralStatus


@dataclass(frozen=True)
class ProviderOutcome:
    sent: int
    answered: int  # accepted, declined, or waiting on the provider's waitlist
    accepted: int
    declined: int
    completed: int
    not_completed: int
    days_to_first_appointment: float | None  # median, over referrals with one

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.declined
        return self.accepted / decided if decided else None

    @property
    def completion_rate(self) -> float | None:
        ended = self.completed + self.not_completed
        return self.completed / ended if ended else None


def provider_outcomes(
    *, organization_id: int, provider_ids: Collection[int]
) -> dict[int, ProviderOutcome]:
    """Outcomes of the agency's sent referrals to each provider (two queries)."""
    sent = Referral.objects.filter(
        organization_id=organization_id,
        provider_id__in=list(provider_ids),
        sent_at__isnull=False,
    ).exclude(status=ReferralStatus.CANCELLED)
    counts = sent.values("provider_id").annotate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_on__isnull=False)),
        declined=Count("pk", filter=Q(declined_on__isnull=False)),
        waitlisted=Count(
            "pk",
            filter=Q(
                waitlisted_on__isnull=False, accepted_on__isnull=True, declined_on__isnull=True
            ),
        ),
        completed=Count("pk", filter=Q(outcome_kind=OutcomeKind.COMPLETED)),
        not_completed=Count("pk", filter=Q(outcome_kind=OutcomeKind.NOT_COMPLETED)),
    )
    days: dict[int, list[float]] = defaultdict(list)
    for provider_id, sent_at, first in sent.filter(first_appointment_at__isnull=False).values_list(
        "provider_id", "sent_at", "first_appointment_at"
    ):
        if first is not None and sent_at is not None:  # both filtered on; for the type checker
            days[provider_id].append(max(0.0, (first - sent_at).total_seconds() / 86400))
    result = {}
    for row in counts:
        pid = row["provider_id"]
        result[pid] = ProviderOutcome(
            sent=row["sent"],
            answered=row["accepted"] + row["declined"] + row["waitlisted"],
            accepted=row["accepted"],
            declined=row["declined"],
            completed=row["completed"],
            not_completed=row["not_completed"],
            days_to_first_appointment=round(median(days[pid]), 1) if days[pid] else None,
        )
    return result

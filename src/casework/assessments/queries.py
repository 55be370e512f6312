"""Reads of instruments and assessments, already filtered by the access policy.

Assessments, reports and needs belong to a case: whoever may see the case may see
them (``casework.access``); nothing here decides access on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.core.errors import NotFound, PermissionDenied
from casework.core.models import User

from .models import (
    DONE_STATUSES,
    Assessment,
    ExternalAssessment,
    IdentifiedNeed,
    Instrument,
    InstrumentVersion,
    VersionStatus,
)

# --- instruments: agency configuration, readable by all its staff ---------------------------


def instruments(user: User) -> QuerySet[Instrument]:
    return _instruments_base(user)


def get_instrument(user: User, pk: int) -> Instrument:
    instrument = instruments(user).filter(pk=pk).first()
    if instrument is None:
        raise NotFound("No such instrument.")
    return instrument


def get_instrument_version(user: User, pk: int) -> InstrumentVersion:
    version = (
        InstrumentVersion.objects.select_related("instrument", "published_by", "created_by")
        .filter(pk=pk, instrument__in=instruments(user))
        .first()
    )
    if version is None:
        raise NotFound("No such instrument version.")
    return version


def startable_versions(user: User) -> QuerySet[InstrumentVersion]:
    """The published version of each instrument an assessment can start from.

    A Casework instrument that the agency has adapted (and published) gives way to
    the agency's own version.
    """
    mine = instruments(user)
    replaced = Instrument.objects.filter(
        based_on=OuterRef("instrument_id"),
        organization_id=access.organization_id(user),
        versions__status=VersionStatus.PUBLISHED,
    )
    return (
        InstrumentVersion.objects.filter(instrument__in=mine, status=VersionStatus.PUBLISHED)
        .exclude(Exists(replaced))
        .select_related("instrument")
        .order_by("instrument__name")
    )


# --- assessments of a case ---------------------------------------------------------------


def assessments(user: User, case: Case | None = None) -> QuerySet[Assessment]:
    qs = Assessment.objects.filter(case__in=access.cases(user, Action.VIEW))
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("instrument_version__instrument", "assessor", "signed_by")


def get_assessment(user: User, pk: int, action: Action = Action.VIEW) -> Assessment:
    """The assessment, if the user may see its case; 404 otherwise, 403 if seen only."""
    assessment = (
        assessments(user)
        .select_related("case__client", "case__program", "case__team", "case__case_manager")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise NotFound("No such assessment.")
    if action != Action.VIEW and not access.case_allows(user, assessment.case, action):
        raise PermissionDenied("You may view this assessment but not do that.")
    return assessment


def external_assessments(user: User, case: Case | None = None) -> QuerySet[ExternalAssessment]:
    qs = ExternalAssessment.objects.filter(case__in=access.cases(user, Action.VIEW))
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("recorded_by")


def get_external_assessment(
    user: User, pk: int, action: Action = Action.VIEW
) -> ExternalAssessment:
    external = external_assessments(user).select_related("case").filter(pk=pk).first()
    if external is None:
        raise NotFound("No such assessment.")
    if action != Action.VIEW and not access.case_allows(user, external.case, action):
        raise PermissionDenied("You may view this assessment but not do that.")
    return external


def identified_needs(user: User, case: Case | None = None) -> QuerySet[IdentifiedNeed]:
    qs = IdentifiedNeed.objects.filter(case__in=access.cases(user, Action.VIEW))
    if case is not None:
        qs = qs.filter(case=case)
    return qs.select_related("assessment__instrument_version")


# --- reassessment: change since the previous one ---------------------------------------------


@dataclass(frozen=True)
class ScoreChange:
    id: str
    label: str
    previous: float | None
    current: float | None
    maximum: float | None
    kind: str

    @property
    def change(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> str:
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "same"


@dataclass(frozen=True)
class Comparison:
    current: Assessment
    previous: Assessment | None
    rows: list[ScoreChange]

    @property
    def domain_rows(self) -> list[ScoreChange]:
        """Scores of one question each (the domains), without totals."""
        return [r for r in self.rows if r.kind == "value"]

    @property
    def movement(self) -> dict[str, list[str]]:
        """Domain labels by direction ("up", "down", "same"), so a better total cannot hide
        a domain that got worse."""
        moved: dict[str, list[str]] = {"up": [], "down": [], "same": []}
        for row in self.domain_rows:
            if row.direction in moved:
                moved[row.direction].append(row.label)
        return moved


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The latest completed assessment of the same case and instrument before this one."""
    instrument = assessment.instrument_version.instrument
    same_instrument = Q(instrument_version__instrument_id=instrument.pk)
    if instrument.based_on_id is not None:
        same_instrument |= Q(instrument_version__instrument_id=instrument.based_on_id)
    earlier = Q(assessed_on__lt=assessment.assessed_on) | Q(
        assessed_on=assessment.assessed_on, pk__lt=assessment.pk
    )
    return (
        Assessment.objects.filter(
            same_instrument, earlier, case_id=assessment.case_id, status__in=DONE_STATUSES
        )
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-pk")
        .first()
    )


def _value(scores: dict[str, Any], key: str) -> float | None:
    entry = scores.get(key)
    value = entry.get("value") if isinstance(entry, dict) else None
    return float(value) if isinstance(value, int | float) else None


def comparison(assessment: Assessment) -> Comparison:
    """Each score of ``assessment`` next to the same score of the previous one."""
    previous = previous_assessment(assessment)
    before = previous.scores if previous is not None else {}
    rows = []
    for key, entry in assessment.scores.items():
        maximum = entry.get("max")
        rows.append(
            ScoreChange(
                id=key,
                label=str(entry.get("label", key)),
                previous=_value(before, key),
                current=_value(assessment.scores, key),
                maximum=float(maximum) if isinstance(maximum, int | float) else None,
                kind=str(entry.get("kind", "value")),
            )
        )
    return Comparison(current=assessment, previous=previous, rows=rows)


def _instruments_base(user: User) -> QuerySet[Instrument]:
    """Assessment instruments: those Casework ships and the user's agency's own."""
    if not access.is_staff_member(user):
        return Instrument.objects.none()
    return Instrument.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=access.organization_id(user))
    )

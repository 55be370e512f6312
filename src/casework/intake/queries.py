"""Reads of intake: every one starts from the access policy's cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import access
from casework.access import Action
from casework.core.errors import NotFound, PermissionDenied
from casework.core.models import ExpertiseArea, Role, StaffProfile, TeamMembership, User
from casework.core.templatetags.casework_ui import language_name

from .models import (
    DOMAIN_EXPERTISE,
    Application,
    ApplicationDocument,
    ApplicationQuerySet,
    ApplicationStatus,
    IntakeDecision,
)

RECENTLY_DECIDED_DAYS = 30


def applications(user: User, action: Action = Action.VIEW) -> ApplicationQuerySet:
    """Applications whose case the user may act on."""
    visible = ApplicationQuerySet(Application)
    # The agency named on the application too, so its (organization, status, …) indexes
    # serve the queue, the waitlist and their counts.
    return visible.filter(
        case__in=access.cases(user, action).values("pk"),
        organization_id=access.organization_id(user),
    )


def get_application(user: User, pk: int, action: Action = Action.VIEW) -> Application:
    """The application, if its case is visible; 404 otherwise, 403 if seen but not allowed."""
    application = (
        applications(user)
        .select_related(
            "case", "case__team", "case__case_manager", "client", "program", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    if action != Action.VIEW and not access.case_allows(user, application.case, action):
        raise PermissionDenied(_("You may view this application but not do that."))
    return application


def may_decide(user: User, application: Application) -> bool:
    """Waitlist, accept or decline: whoever may assign the case while it is undecided."""
    return application.is_undecided and access.case_allows(user, application.case, Action.ASSIGN)


def screening_queue(user: User) -> QuerySet[Application]:
    return (
        applications(user)
        .filter(status=ApplicationStatus.SCREENING)
        .select_related("client", "program", "case")
        .order_by("received_on", "pk")
    )


def waitlist(user: User) -> QuerySet[Application]:
    """Waitlisted applications with their place in their program's line.

    The line is ordered by priority (1 urgent first), then by when they were waitlisted.
    """
    return (
        applications(user)
        .filter(status=ApplicationStatus.WAITLISTED)
        .select_related("client", "program", "case")
        .with_positions()
        .order_by("program__name", "program_id", "priority", "waitlisted_at", "pk")
    )


def waitlist_position(user: User, application: Application) -> int | None:
    if application.status != ApplicationStatus.WAITLISTED:
        return None
    row = waitlist(user).filter(pk=application.pk).first()
    return row.position if row is not None else None  # type: ignore[attr-defined]


def recent_decisions(user: User) -> QuerySet[IntakeDecision]:
    """Recent decisions on applications the user still sees, and the user's own decisions.

    Once a case is accepted or declined intake no longer sees its content; the
    decision rows of their own work stay listed (by case number) for a while.
    """
    since = timezone.now() - timedelta(days=RECENTLY_DECIDED_DAYS)
    visible = applications(user).values("pk")
    return (
        IntakeDecision.objects.filter(decided_at__gte=since)
        .filter(Q(application__in=visible) | Q(decided_by=user))
        .select_related(
            "application",
            "application__case",
            "application__program",
            "decided_by",
            "case_manager",
        )
        .order_by("-decided_at", "-pk")
    )


def visible_application_ids(user: User, ids: Sequence[int]) -> set[int]:
    return set(applications(user).filter(pk__in=ids).values_list("pk", flat=True))


def documents(user: User) -> QuerySet[ApplicationDocument]:
    return ApplicationDocument.objects.filter(application__in=applications(user).values("pk"))


# --- case-manager suggestions ------------------------------------------------------------


@dataclass
class Suggestion:
    """A possible case manager for an application, with why they rank where they do."""

    user: User
    team_id: int
    team_name: str
    moves_team: bool  # accepting with them moves the case off the screening team
    caseload: int
    capacity: int
    speaks_language: bool
    expertise: list[str]
    score: float
    reasons: list[str]

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def load_percent(self) -> int:
        return round(100 * self.caseload / self.capacity) if self.capacity else 100


#: The screening team's own case managers come first: a case moves to another team only
#: when intake chooses so, knowingly.
SAME_TEAM_WEIGHT = 100.0
LANGUAGE_WEIGHT = 30.0
EXPERTISE_WEIGHT = 10.0
CAPACITY_WEIGHT = 40.0


def suggest_case_managers(user: User, application: Application) -> list[Suggestion]:
    """Members of the program's teams, best match first.

    The screening team's case managers first; then ranked by room in their caseload (open
    cases against their capacity), whether they speak the client's preferred language, and
    expertise that fits the presenting needs. Someone of another team says that accepting
    moves the case to their team.
    """
    staff = access.users(user).filter(is_active=True).values("pk")
    memberships = (
        TeamMembership.objects.filter(
            team__program_id=application.program_id,
            team__is_active=True,
            user__in=staff,
        )
        .select_related("team", "user", "user__staff_profile")
        .order_by("team__name", "pk")
    )
    chosen: dict[int, TeamMembership] = {}
    for membership in memberships:
        try:
            profile: StaffProfile | None = membership.user.staff_profile
        except StaffProfile.DoesNotExist:
            profile = None
        if profile is None or Role.CASE_MANAGER not in profile.roles:
            continue
        # Someone on two teams of the program is offered once, on the case's team if theirs.
        current = chosen.get(membership.user_id)
        if current is None or membership.team_id == application.case.team_id:
            chosen[membership.user_id] = membership
    loads = access.caseload_counts(user, list(chosen))
    language = application.client.preferred_language
    wanted = {e for need in application.presenting_needs for e in DOMAIN_EXPERTISE.get(need, ())}
    suggestions: list[Suggestion] = []
    for user_id, membership in chosen.items():
        profile = membership.user.staff_profile
        caseload = loads.get(user_id, 0)
        capacity = profile.caseload_capacity
        speaks = language in (profile.languages or [])
        matching = [
            str(ExpertiseArea(e).label)
            for e in profile.expertise_areas
            if e in wanted and e in ExpertiseArea.values
        ]
        room = 1 - caseload / capacity if capacity else -1.0
        score = CAPACITY_WEIGHT * room
        moves_team = membership.team_id != application.case.team_id
        if moves_team:
            team_reason = _(
                "On %(team)s, not the screening team (%(screening)s): accepting moves the "
                "case to %(team)s."
            ) % {"team": membership.team.name, "screening": application.case.team.name}
        else:
            score += SAME_TEAM_WEIGHT
            team_reason = _("On the screening team, %(team)s.") % {"team": membership.team.name}
        reasons = [
            team_reason,
            ngettext(
                "%(n)d open case; capacity %(cap)d.",
                "%(n)d open cases; capacity %(cap)d.",
                caseload,
            )
            % {"n": caseload, "cap": capacity},
        ]
        if speaks:
            score += LANGUAGE_WEIGHT
            reasons.append(
                _("Speaks %(lang)s, the client's preferred language.")
                % {"lang": language_name(language)}
            )
        else:
            reasons.append(
                _("Does not speak %(lang)s, the client's preferred language.")
                % {"lang": language_name(language)}
            )
        if matching:
            score += EXPERTISE_WEIGHT * len(matching)
            reasons.append(
                _("Expertise for the presenting needs: %(areas)s.") % {"areas": ", ".join(matching)}
            )
        suggestions.append(
            Suggestion(
                user=membership.user,
                team_id=membership.team_id,
                team_name=membership.team.name,
                moves_team=moves_team,
                caseload=caseload,
                capacity=capacity,
                speaks_language=speaks,
                expertise=matching,
                score=round(score, 1),
                reasons=reasons,
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.caseload, s.name.casefold(), s.user.pk))
    return suggestions

"""Matching a case to services: a ranked list, each with the reasons it fits and does not.

What is known of the client (age, language and interpreter need, where they live,
the needs the latest completed assessment found, the goal in hand) and their
preferences are weighed against each candidate service. A goal that no assessed need
gave a life domain is read from its words, and its objectives' (vocabulary.needs_in):
"I can't keep my apartment while I study" asks for housing and education, not for
whatever is nearest. Services for children and parents (child care, Head Start,
parenting classes) do not fit an adult whose goal and needs are not about children.
Candidates come from search (services of the needed categories near the client, and
our in-house ones), so the work is bounded whatever the directory's size; each is then
scored and explained in plain words ("Serves ages 18–64; the client is 34"). A reason
whose answer the directory cannot give ("fits" None) is a question to ask the provider
by phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import access
from casework.assessments.models import DONE_STATUSES, Assessment, IdentifiedNeed
from casework.clients.models import Case
from casework.core.models import User
from casework.plans.models import Goal
from casework.resources import categories, derived, geo, vocabulary
from casework.resources.models import Accessibility, Language, Service, ServiceAtLocation
from casework.resources.queries import directory_services, ours
from casework.resources.search import (
    DEFAULT_RADIUS_KM,
    DirectoryQuery,
    browse_order,
    filtered,
    locations_for,
    name_order,
    nearest_ids,
    uses_text_index,
    with_details,
)
from casework.resources.words import ages_in_words, days_in_words, km_in_words, language_name

from .outcomes import ProviderOutcome, provider_outcomes

#: Candidates scored per matching: the nearest of the needed categories, and ours.
NEAREST_CANDIDATES = 150
IN_HOUSE_CANDIDATES = 20
UNPLACED_CANDIDATES = 30
#: Outcomes are shown once this many of our referrals to the provider were decided.
OUTCOME_MINIMUM = 3
#: Needs that are about children or parenting, and the categories of services for them.
CHILDREN_DOMAINS = frozenset({"childcare", "youth", "family_support"})
CHILDREN_CATEGORIES = frozenset({"childcare", "youth"})


@dataclass(frozen=True)
class Reason:
    fits: bool | None  # True fits, False does not fit, None unknown / to check by phone
    text: str  # "Serves ages 18–64; the client is 34"


@dataclass(frozen=True)
class Preferences:
    """The client's values and preferences, from the match page form."""

    language: str = ""  # defaults to client's preferred language
    max_km: float | None = None
    free_only: bool = False
    days: tuple[int, ...] = ()  # weekdays the client can go (0 = Monday)
    in_house_first: bool = False
    accessible: bool = False  # needs an accessible location
    words: str = ""


@dataclass(frozen=True)
class Match:
    service: Service
    location: ServiceAtLocation | None  # the nearest location
    distance_km: float | None
    score: float
    fits: list[Reason]  # reasons it fits (and unknowns to check)
    misfits: list[Reason]  # reasons it does not fit

    def reasons_json(self) -> list[dict[str, Any]]:
        """For ``Referral.match_reasons``: [{"fits": bool | None, "text": str}]."""
        return [{"fits": r.fits, "text": r.text} for r in (*self.fits, *self.misfits)]

    @property
    def to_check(self) -> list[Reason]:
        return [r for r in self.fits if r.fits is None]

    @property
    def fitting(self) -> list[Reason]:
        return [r for r in self.fits if r.fits]


@dataclass(frozen=True)
class Profile:
    """What matching knows of the client; nothing here leaves the agency."""

    age: int | None
    language: str
    interpreter_needed: bool
    point: geo.Point | None
    domains: tuple[str, ...]  # the goal's domain first, then the assessed needs
    goal: Goal | None
    preferences: Preferences
    #: The goal or the needs are about children or parenting.
    about_children: bool = False

    @property
    def domain_labels(self) -> list[str]:
        return [categories.label_of(d) for d in self.domains]


# --- the client ---------------------------------------------------------------------------


def goal_text(goal: Goal) -> str:
    """The goal in the client's words, its summary and its objectives, as one text."""
    objectives = goal.objectives.order_by("position", "pk").values_list("description", flat=True)
    return " ".join([goal.client_words, goal.summary, *objectives])


def case_domains(case: Case, goal: Goal | None, words: str = "") -> tuple[str, ...]:
    """The goal's life domain (or, when it has none, the needs its words point at), then
    the needs of the case's latest completed assessment."""
    latest = (
        Assessment.objects.filter(case=case, status__in=DONE_STATUSES)
        .order_by("-assessed_on", "-pk")
        .values("pk")[:1]
    )
    needs = list(
        IdentifiedNeed.objects.filter(case=case, assessment_id__in=latest)
        .order_by("score", "domain")
        .values_list("domain", flat=True)
    )
    first: list[str] = []
    if goal is not None:
        first = [goal.domain] if goal.domain else vocabulary.needs_in(words)
    return tuple(dict.fromkeys(first + needs))


def profile_for(case: Case, goal: Goal | None, preferences: Preferences | None) -> Profile:
    client = case.client
    prefs = preferences or Preferences(language=client.preferred_language)
    words = goal_text(goal) if goal is not None else ""
    domains = case_domains(case, goal, words)
    return Profile(
        age=client.age_on(timezone.localdate()),
        language=(prefs.language or client.preferred_language or "").lower(),
        interpreter_needed=client.interpreter_needed,
        point=geo.locate_client(client),
        domains=domains,
        goal=goal,
        preferences=prefs,
        about_children=bool(CHILDREN_DOMAINS & set(domains))
        or vocabulary.about_children(f"{words} {prefs.words}"),
    )


def _check_access(actor: User, case: Case) -> None:
    if not (access.directory_read_allowed(actor) and access.case_allows(actor, case)):
        raise PermissionDenied(_("You may not match services for this case."))


# --- candidates ---------------------------------------------------------------------------


def _details(services: QuerySet[Service]) -> QuerySet[Service]:
    places = ServiceAtLocation.objects.select_related("location").prefetch_related(
        Prefetch(
            "location__accessibility",
            queryset=Accessibility.objects.order_by("pk"),
            to_attr="_accessibility",
        ),
        Prefetch(
            "location__languages", queryset=Language.objects.order_by("pk"), to_attr="_languages"
        ),
    )
    return with_details(services).prefetch_related(
        Prefetch("at_locations", queryset=places, to_attr="_at_locations")
    )


def candidates(actor: User, profile: Profile) -> list[Service]:
    """The nearest services of the needed categories, ours, and those with no address."""
    query = DirectoryQuery(categories=profile.domains, words=profile.preferences.words)
    narrowed = uses_text_index(query)
    services = filtered(actor=actor, query=query)
    ids: list[int] = []
    point = profile.point
    if point is not None:
        radius = profile.preferences.max_km or DEFAULT_RADIUS_KM
        located = locations_for(actor, query, services)
        ids += nearest_ids(
            located, access.organization_id(actor), point, radius, NEAREST_CANDIDATES
        )[0]
        # The same search, with the token of services that have no map position.
        ids += list(
            filtered(actor=actor, query=query, facets=[[derived.unplaced()]])
            .order_by(*browse_order(True))
            .values_list("pk", flat=True)[:UNPLACED_CANDIDATES]
        )
    else:
        ids += list(
            services.order_by(*browse_order(narrowed)).values_list("pk", flat=True)[
                :NEAREST_CANDIDATES
            ]
        )
    ids += list(
        services.filter(ours(access.organization_id(actor)))
        .order_by(*name_order(narrowed))
        .values_list("pk", flat=True)[:IN_HOUSE_CANDIDATES]
    )
    return list(_details(Service.objects.filter(pk__in=set(ids))))


# --- reasons ------------------------------------------------------------------------------


def _service_categories(service: Service) -> list[str]:
    return [a.taxonomy_term.code for a in service.attribute_list if a.taxonomy_term.code]


def _age_reason(service: Service, age: int | None) -> Reason | None:
    low, high = service.minimum_age, service.maximum_age
    if low is None and high is None:
        return None
    ages = ages_in_words(low, high)
    if age is None:
        return Reason(None, _("Serves %(ages)s; the client's age is not recorded") % {"ages": ages})
    if service.serves_age(age):
        return Reason(
            True, _("Serves %(ages)s; the client is %(age)s") % {"ages": ages, "age": age}
        )
    ages = ages[0].upper() + ages[1:]
    return Reason(False, _("%(ages)s only; the client is %(age)s") % {"ages": ages, "age": age})


def _children_reason(service: Service, profile: Profile) -> Reason | None:
    """A service for children or parents, for an adult whose goal is not about children."""
    if profile.about_children or profile.age is None or profile.age < 18:
        return None
    for_children = bool(CHILDREN_CATEGORIES & set(_service_categories(service))) or (
        vocabulary.about_children(service.name)
    )
    if not for_children:
        return None
    return Reason(
        False, _("For children, youth or parents; the goal and needs are not about children")
    )


def _languages(service: Service) -> dict[str, str]:
    found = {lang.code.lower(): lang.name for lang in service.language_list if lang.code}
    for sal in service.location_list:
        for lang in sal.location.language_list:
            if lang.code:
                found.setdefault(lang.code.lower(), lang.name)
    return found


def _language_reason(service: Service, profile: Profile) -> Reason | None:
    code = profile.language
    if not code:
        return None
    spoken = _languages(service)
    name = language_name(code, spoken.get(code, ""))
    if code in spoken:
        return Reason(True, _("Speaks %(language)s") % {"language": name})
    if service.interpretation_services.strip():
        return Reason(True, _("Offers interpretation (%(language)s)") % {"language": name})
    if not spoken:
        if code == "en" and not profile.interpreter_needed:
            return None
        return Reason(
            None,
            _("Languages not listed: ask whether they speak %(language)s") % {"language": name},
        )
    return Reason(False, _("Does not list %(language)s") % {"language": name})


def _nearest(service: Service, point: geo.Point) -> tuple[ServiceAtLocation | None, float | None]:
    best: tuple[ServiceAtLocation | None, float | None] = (None, None)
    for sal in service.location_list:
        km = geo.distance_km(point, sal.latitude, sal.longitude)
        if km is not None and (best[1] is None or km < best[1]):
            best = (sal, km)
    return best


def _distance_reason(
    km: float | None, point: geo.Point | None, prefs: Preferences, located: bool
) -> Reason:
    if point is None:
        return Reason(None, _("Distance unknown: the client's address could not be placed"))
    if km is None:
        if located:
            return Reason(None, _("No address with a map position: ask where to go"))
        return Reason(None, _("No address listed: may be by phone or online"))
    words = _("%(km)s km from the client (%(how)s)") % {"km": km_in_words(km), "how": point.how}
    if prefs.max_km is not None and km > prefs.max_km:
        return Reason(
            False,
            _("%(distance)s, further than %(max)s km")
            % {"distance": words, "max": km_in_words(prefs.max_km)},
        )
    return Reason(True, words)


def _days_reason(service: Service, prefs: Preferences) -> Reason:
    open_days = {o.weekday for o in service.opening_list}
    if not open_days:
        return Reason(None, _("Opening days not listed: ask when they are open"))
    words = _("Open %(days)s") % {"days": days_in_words(open_days)}
    if prefs.days and not open_days & set(prefs.days):
        return Reason(
            False,
            _("%(open)s; not on the days the client can go (%(days)s)")
            % {"open": words, "days": days_in_words(prefs.days)},
        )
    return Reason(True, words)


def _cost_reason(service: Service, prefs: Preferences) -> Reason:
    if service.is_free:
        return Reason(True, _("No fee"))
    if prefs.free_only:
        return Reason(False, _("Charges a fee"))
    return Reason(None, _("May charge a fee: ask about costs and help with them"))


def _access_reason(location: ServiceAtLocation | None, prefs: Preferences) -> Reason | None:
    if not prefs.accessible:
        return None
    described = [a.description for a in location.location.accessibility_list] if location else []
    if described:
        return Reason(True, _("Accessible: %(what)s") % {"what": "; ".join(described)[:200]})
    return Reason(None, _("Accessibility not recorded: ask before the visit"))


def _outcome_reason(outcome: ProviderOutcome | None) -> Reason | None:
    if outcome is None:
        return None
    decided = outcome.accepted + outcome.declined
    if decided < OUTCOME_MINIMUM or outcome.acceptance_rate is None:
        return None
    text = ngettext(
        "Accepted %(accepted)s of our %(n)s referral",
        "Accepted %(accepted)s of our %(n)s referrals",
        decided,
    ) % {"accepted": outcome.accepted, "n": decided}
    return Reason(outcome.acceptance_rate >= 0.5, text)


def score_service(
    service: Service,
    profile: Profile,
    outcome: ProviderOutcome | None,
) -> Match:
    prefs = profile.preferences
    fits: list[Reason] = []
    misfits: list[Reason] = []
    score = 0.0

    def add(reason: Reason | None, gain: float, loss: float) -> None:
        nonlocal score
        if reason is None:
            return
        if reason.fits is False:
            misfits.append(reason)
            score -= loss
        else:
            fits.append(reason)
            score += gain if reason.fits else 0.0

    own = set(_service_categories(service))
    matched = [d for d in profile.domains if d in own]
    if matched:
        add(
            Reason(
                True,
                _("Helps with %(needs)s")
                % {"needs": ", ".join(categories.label_of(d) for d in matched)},
            ),
            3.0 + (1.0 if profile.goal is not None and matched[0] == profile.domains[0] else 0.0),
            0.0,
        )
    add(_age_reason(service, profile.age), 2.0, 6.0)
    add(_children_reason(service, profile), 0.0, 6.0)
    add(_language_reason(service, profile), 2.0, 3.0)
    location: ServiceAtLocation | None = None
    km: float | None = None
    if profile.point is not None:
        location, km = _nearest(service, profile.point)
    located = bool(service.location_list)
    distance = _distance_reason(km, profile.point, prefs, located)
    radius = prefs.max_km or DEFAULT_RADIUS_KM
    add(distance, 2.0 * max(0.0, 1 - (km or radius) / radius), 2.0)
    add(_days_reason(service, prefs), 1.0, 2.0)
    add(_cost_reason(service, prefs), 1.0, 3.0)
    add(_access_reason(location, prefs), 1.0, 0.0)
    if service.is_in_house:
        program = service.in_house_program
        add(
            Reason(
                True,
                _("Our own program: %(program)s") % {"program": program.name}
                if program
                else _("An in-house service of our agency"),
            ),
            4.0 if prefs.in_house_first else 1.0,
            0.0,
        )
    if not service.accepting_referrals:
        add(Reason(False, _("Not taking new referrals")), 0.0, 4.0)
    if service.is_stale:
        verified = service.last_verified_on or service.provider.last_verified_on
        add(
            Reason(
                None,
                _("Not verified since %(date)s: check the details by phone")
                % {"date": verified.isoformat()}
                if verified
                else _("Never verified: check the details by phone"),
            ),
            0.0,
            0.0,
        )
        score -= 0.5
    outcome_reason = _outcome_reason(outcome)
    if outcome_reason is not None and outcome is not None and outcome.acceptance_rate is not None:
        add(outcome_reason, 0.0, 0.0)
        score += 2.0 * (outcome.acceptance_rate - 0.5)
    return Match(
        service=service,
        location=location,
        distance_km=km,
        score=round(score, 3),
        fits=fits,
        misfits=misfits,
    )


def rank(matches: Sequence[Match], prefs: Preferences) -> list[Match]:
    def key(m: Match) -> tuple[Any, ...]:
        first = prefs.in_house_first and m.service.is_in_house
        return (
            not first,
            -m.score,
            m.distance_km if m.distance_km is not None else 1e9,
            m.service.name,
            m.service.pk,
        )

    return sorted(matches, key=key)


@dataclass
class MatchResult:
    profile: Profile
    matches: list[Match] = field(default_factory=list)


def match_case(
    *,
    actor: User,
    case: Case,
    goal: Goal | None = None,
    preferences: Preferences | None = None,
    limit: int = 20,
) -> MatchResult:
    """The profile used and the ranked matches (for the match page, which shows both)."""
    _check_access(actor, case)
    profile = profile_for(case, goal, preferences)
    found = candidates(actor, profile)
    outcomes = provider_outcomes(
        organization_id=case.organization_id, provider_ids={s.provider_id for s in found}
    )
    scored = [score_service(s, profile, outcomes.get(s.provider_id)) for s in found]
    return MatchResult(profile, rank(scored, profile.preferences)[:limit])


def match_for_case(
    *,
    actor: User,
    case: Case,
    goal: Goal | None = None,
    preferences: Preferences | None = None,
    limit: int = 20,
) -> list[Match]:
    """Services for the case's needs, best first, each with reasons it fits and does not."""
    return match_case(
        actor=actor, case=case, goal=goal, preferences=preferences, limit=limit
    ).matches


def explain(
    *,
    actor: User,
    case: Case,
    service: Service,
    preferences: Preferences | None = None,
    goal: Goal | None = None,
) -> Match:
    """How one service fits the case: the same reasons as in the ranked list."""
    _check_access(actor, case)
    if not directory_services(actor).filter(pk=service.pk).exists():
        raise PermissionDenied(_("You may not read this service."))
    profile = profile_for(case, goal, preferences)
    loaded = _details(Service.objects.filter(pk=service.pk)).get()
    outcome = provider_outcomes(
        organization_id=case.organization_id, provider_ids=[loaded.provider_id]
    ).get(loaded.provider_id)
    return score_service(loaded, profile, outcome)

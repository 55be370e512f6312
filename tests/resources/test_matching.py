"""Matching a case to services: the ranked list and the exact reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.plans import services as plan_services
from casework.plans.models import Goal
from casework.referrals.matching import Preferences, Reason, explain, match_for_case
from casework.resources.models import Service, ServiceAtLocation, ServiceStatus
from casework.resources.words import days_in_words
from tests.personas import Personas

from .conftest import Directory, add_service, assess_needs, place_client

pytestmark = pytest.mark.django_db


def test_it_explains_a_fitting_service_in_plain_words(
    personas: Personas, directory: Directory
) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    match = explain(
        actor=personas.case_manager,
        case=personas.case,
        service=directory.shelter,
        preferences=Preferences(language="es", accessible=True),
    )
    assert [r.text for r in match.fits] == [
        "Helps with Housing",
        "Serves ages 18–64; the client is 34",
        "Speaks Spanish",
        "less than 1 km from the client (by postal code)",
        "Open Tue–Sat",
        "No fee",
        "Accessible: Step-free entrance",
    ]
    assert match.misfits == []
    assert match.reasons_json()[0] == {"fits": True, "text": "Helps with Housing"}


def test_it_says_why_a_service_does_not_fit(personas: Personas, directory: Directory) -> None:
    place_client(personas)
    match = explain(
        actor=personas.case_manager,
        case=personas.case,
        service=directory.seniors,
        preferences=Preferences(language="es", free_only=True, days=(5, 6), max_km=3),
    )
    assert [r.text for r in match.misfits] == [
        "Ages 65 and over only; the client is 34",
        "Does not list Spanish",
        "4 km from the client (by postal code), further than 3 km",
        "Open Mon–Fri; not on the days the client can go (Sat, Sun)",
        "Charges a fee",
    ]


def test_it_flags_what_to_check_by_phone(personas: Personas, directory: Directory) -> None:
    place_client(personas)
    match = explain(actor=personas.case_manager, case=personas.case, service=directory.food)
    assert Reason(None, "Languages not listed: ask whether they speak Spanish") in match.fits
    assert Reason(None, "Never verified: check the details by phone") not in match.fits
    assert any(r.fits is None and r.text.startswith("Not verified since") for r in match.fits)
    assert Reason(False, "Not taking new referrals") in match.misfits


def test_it_ranks_fitting_services_of_the_needs_first(
    personas: Personas, directory: Directory
) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    found = match_for_case(actor=personas.case_manager, case=personas.case)
    names = [m.service.name for m in found]
    assert names[0] in ("Family Shelter", "Housing Stability Coaching")
    assert "Weekend Food Box" not in names
    assert names.index("Senior Housing Help") > names.index("Family Shelter")


def test_in_house_first_puts_our_programs_on_top(personas: Personas, directory: Directory) -> None:
    place_client(personas)
    assess_needs(personas, "housing")
    found = match_for_case(
        actor=personas.case_manager,
        case=personas.case,
        preferences=Preferences(in_house_first=True),
    )
    assert found[0].service == directory.own
    assert Reason(True, "Our own program: Housing Stability") in found[0].fits


def test_without_assessed_needs_every_active_service_near_the_client_is_a_candidate(
    personas: Personas, directory: Directory
) -> None:
    """No needs and no words: the candidates are read by place alone, which leaves out
    inactive services by their status; our own services come in however far they are."""
    place_client(personas)
    Service.objects.filter(pk=directory.seniors.pk).update(status=ServiceStatus.INACTIVE)
    ServiceAtLocation.objects.filter(service=directory.own).update(latitude=0, longitude=0)
    found = match_for_case(
        actor=personas.case_manager, case=personas.case, preferences=Preferences(max_km=10)
    )
    names = {m.service.name for m in found}
    assert names == {"Family Shelter", "Weekend Food Box", "Housing Stability Coaching"}
    own = next(m for m in found if m.service == directory.own)
    assert own.distance_km is not None and own.distance_km > 10
    assert own.misfits[0].text.endswith("further than 10 km")


def test_without_an_address_distance_is_to_check(personas: Personas, directory: Directory) -> None:
    match = explain(actor=personas.case_manager, case=personas.case, service=directory.shelter)
    assert Reason(None, "Distance unknown: the client's address could not be placed") in match.fits


def test_it_refuses_a_case_the_user_may_not_see(personas: Personas, directory: Directory) -> None:
    with pytest.raises(PermissionDenied):
        match_for_case(actor=personas.outsider, case=personas.case)
    with pytest.raises(PermissionDenied):
        match_for_case(actor=personas.partner, case=personas.case)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ((1, 2, 3, 4, 5), "Tue–Sat"),
        ((0, 2, 4), "Mon, Wed, Fri"),
        ((5, 6), "Sat, Sun"),
        (range(7), "every day"),
    ],
)
def test_opening_days_read_as_words(days: tuple[int, ...], words: str) -> None:
    assert days_in_words(days) == words


# --- a goal no assessment gave a need ------------------------------------------------------


@dataclass
class Neighbourhood:
    head_start: Service
    child_care: Service
    parenting: Service
    rent: Service
    college: Service


@pytest.fixture
def neighbourhood(personas: Personas, directory: Directory) -> Neighbourhood:
    """Services for children and parents beside housing and education ones, all near."""
    provider = directory.far.provider

    def near(key: str, name: str, code: str, description: str) -> Service:
        return add_service(
            personas.agency,
            provider,
            key,
            name,
            codes=(code,),
            north_km=0.5,
            languages=("es",),
            description=description,
        )

    return Neighbourhood(
        head_start=near("hs", "Head Start", "childcare", "Preschool for children up to 5."),
        child_care=near("cc", "Drop-in Child Care", "childcare", "Care while you run errands."),
        parenting=near("pc", "Parenting Classes", "family_support", "Evening classes."),
        rent=near("rent", "Rent Assistance", "housing", "Help with rent and deposits."),
        college=near("col", "College Navigation", "education", "Applying and paying for it."),
    )


def goal_of(personas: Personas, words: str, *objectives: str) -> Goal:
    """A goal in the client's words that no assessed need gave a life domain."""
    plan = plan_services.plan_create(actor=personas.case_manager, case=personas.case)
    goal = plan_services.goal_add(actor=personas.case_manager, plan=plan, client_words=words)
    for objective in objectives:
        plan_services.objective_add(
            actor=personas.case_manager,
            goal=goal,
            description=objective,
            target_date=timezone.localdate() + timedelta(days=90),
        )
    assert goal.domain == ""
    return goal


def test_a_goal_without_an_assessed_need_is_matched_by_its_words(
    personas: Personas, directory: Directory, neighbourhood: Neighbourhood
) -> None:
    """A 30-year-old student with no assessment: housing and education, not child care."""
    place_client(personas, age=30)
    goal = goal_of(
        personas,
        "I can't keep my apartment while I study",
        "Find help paying for classes next term",
    )
    found = match_for_case(actor=personas.case_manager, case=personas.case, goal=goal)
    names = [m.service.name for m in found]
    assert names[0] in ("Rent Assistance", "Family Shelter", "Housing Stability Coaching")
    assert "College Navigation" in names
    for_children = {"Head Start", "Drop-in Child Care", "Parenting Classes"}
    assert not for_children & set(names)
    assert "Weekend Food Box" not in names
    rent = next(m for m in found if m.service == neighbourhood.rent)
    assert Reason(True, "Helps with Housing") in rent.fits
    college = next(m for m in found if m.service == neighbourhood.college)
    assert Reason(True, "Helps with Education") in college.fits


def test_services_for_children_do_not_fit_an_adult_unless_the_goal_is_about_children(
    personas: Personas, directory: Directory, neighbourhood: Neighbourhood
) -> None:
    place_client(personas, age=30)
    misfit = Reason(
        False, "For children, youth or parents; the goal and needs are not about children"
    )
    for service in (neighbourhood.head_start, neighbourhood.child_care, neighbourhood.parenting):
        match = explain(actor=personas.case_manager, case=personas.case, service=service)
        assert misfit in match.misfits
    assert (
        misfit
        not in explain(
            actor=personas.case_manager, case=personas.case, service=neighbourhood.rent
        ).misfits
    )
    about_a_son = goal_of(personas, "A safe place for my son after school while I work")
    match = explain(
        actor=personas.case_manager,
        case=personas.case,
        service=neighbourhood.head_start,
        goal=about_a_son,
    )
    assert misfit not in match.misfits


def test_a_goal_whose_words_name_no_need_ranks_services_for_children_last(
    personas: Personas, directory: Directory, neighbourhood: Neighbourhood
) -> None:
    place_client(personas, age=30)
    goal = goal_of(personas, "Things feel hard right now")
    found = match_for_case(actor=personas.case_manager, case=personas.case, goal=goal)
    names = [m.service.name for m in found]
    children = [names.index(n) for n in ("Head Start", "Drop-in Child Care", "Parenting Classes")]
    others = [names.index(n) for n in ("Rent Assistance", "College Navigation", "Family Shelter")]
    assert min(children) > max(others)

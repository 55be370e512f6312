"""Who may make, see and change referrals: the access policy's referral rules."""

from __future__ import annotations

import pytest

from casework import access
from casework.access import Action
from casework.referrals import queries as referrals_queries
from casework.referrals import queries_receiving as referrals_receiving_queries
from casework.referrals.queries import case_referrals, waiting_for_answer
from tests.factories import TeamMembershipFactory
from tests.personas import Personas

from .conftest import Directory, draft, sent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("case_manager", True),
        ("supervisor", True),
        ("colleague", False),
        ("intake", False),
        ("auditor", False),
        ("admin", False),
        ("partner", False),
        ("outsider", False),
    ],
)
def test_who_may_make_a_referral_for_the_case(personas: Personas, who: str, allowed: bool) -> None:
    assert access.referral_create_allowed(getattr(personas, who), personas.case) is allowed


def test_an_auditor_on_the_team_reads_but_never_makes_or_changes(
    personas: Personas, directory: Directory
) -> None:
    TeamMembershipFactory(team=personas.team, user=personas.auditor)
    referral = draft(personas, directory.pantry)
    auditor = personas.auditor
    access.forget_standing(auditor)
    assert not access.referral_create_allowed(auditor, personas.case)
    assert referrals_queries.referral_allows(auditor, referral)
    assert not referrals_queries.referral_allows(auditor, referral, Action.CHANGE)
    assert list(case_referrals(auditor, personas.case)) == [referral]


def test_partner_staff_see_only_referrals_sent_to_their_agency_and_not_through_staff_reads(
    personas: Personas, directory: Directory
) -> None:
    to_them = sent(personas, directory.legal_aid)
    draft_to_them = draft(personas, directory.legal_aid)
    elsewhere = sent(personas, directory.pantry)
    staff = directory.harbor_staff
    assert list(referrals_receiving_queries.partner_referrals(staff)) == [to_them]
    assert not referrals_receiving_queries.partner_referral_allows(staff, draft_to_them)
    assert not referrals_receiving_queries.partner_referral_allows(staff, elsewhere)
    assert list(case_referrals(staff, personas.case)) == []
    assert list(waiting_for_answer(staff)) == []


def test_another_agency_sees_nothing(personas: Personas, directory: Directory) -> None:
    referral = sent(personas, directory.pantry)
    assert not referrals_queries.referral_allows(personas.outsider, referral)
    assert list(referrals_queries.referrals(personas.outsider)) == []

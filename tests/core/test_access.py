"""The access policy: who may see and do what with cases and clients."""

from __future__ import annotations

import pytest

from casework import access
from casework.access import Action
from casework.core.errors import NotFound, PermissionDenied
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def visible(user, action=Action.VIEW):
    return set(access.cases(user, action))


def test_case_manager_sees_own_and_team_cases_only(personas: Personas) -> None:
    p = personas
    assert visible(p.case_manager) == {p.case}


def test_colleague_on_another_team_sees_only_their_team(personas: Personas) -> None:
    p = personas
    assert visible(p.colleague) == {p.colleague_case, p.screening_case}
    assert not access.case_allows(p.colleague, p.case)


def test_supervisor_sees_and_supervises_their_team(personas: Personas) -> None:
    p = personas
    assert visible(p.supervisor) == {p.case}
    assert visible(p.supervisor, Action.SUPERVISE) == {p.case}
    assert access.case_allows(p.supervisor, p.case, Action.ASSIGN)
    assert not access.case_allows(p.supervisor, p.colleague_case)


def test_case_manager_cannot_supervise_or_assign(personas: Personas) -> None:
    p = personas
    assert visible(p.case_manager, Action.SUPERVISE) == set()
    assert visible(p.case_manager, Action.ASSIGN) == set()
    assert not access.case_allows(p.case_manager, p.case, Action.SUPERVISE)
    assert not access.case_allows(p.case_manager, p.case, Action.ASSIGN)
    assert access.case_allows(p.case_manager, p.case, Action.CHANGE)


def test_intake_sees_cases_in_screening_anywhere_in_the_agency(personas: Personas) -> None:
    p = personas
    assert visible(p.intake) == {p.screening_case}
    assert access.case_allows(p.intake, p.screening_case, Action.ASSIGN)
    assert not access.case_allows(p.intake, p.screening_case, Action.SUPERVISE)
    assert not access.case_allows(p.intake, p.case)


@pytest.mark.parametrize("who", ["auditor", "admin", "partner"])
def test_roles_without_a_team_see_no_case_content(personas: Personas, who: str) -> None:
    user = getattr(personas, who)
    assert visible(user) == set()
    assert set(access.clients(user)) == set()
    assert not access.case_allows(user, personas.case)


def test_other_organization_sees_nothing_and_gets_404(personas: Personas) -> None:
    p = personas
    assert visible(p.outsider) == {p.outsider_case}
    assert not access.case_allows(p.outsider, p.case)
    with pytest.raises(NotFound):
        access.get_case(p.outsider, p.case.pk)
    with pytest.raises(NotFound):
        access.get_client(p.outsider, p.case.client_id)


def test_queryset_and_object_answers_agree(personas: Personas) -> None:
    p = personas
    all_cases = [p.case, p.colleague_case, p.screening_case, p.outsider_case]
    users = [p.case_manager, p.supervisor, p.colleague, p.intake, p.auditor, p.admin, p.outsider]
    for user in users:
        for action in Action:
            listed = set(access.cases(user, action))
            for case in all_cases:
                assert (case in listed) == access.case_allows(user, case, action), (
                    user.email,
                    action,
                    case.reference,
                )


def test_get_case_refuses_an_action_the_viewer_lacks(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        access.get_case(personas.case_manager, personas.case.pk, Action.ASSIGN)


def test_clients_follow_cases(personas: Personas) -> None:
    p = personas
    assert set(access.clients(p.case_manager)) == {p.case.client}
    assert set(access.clients(p.supervisor)) == {p.case.client}
    assert p.case.client not in set(access.clients(p.colleague))


def test_deactivated_user_sees_nothing(personas: Personas) -> None:
    p = personas
    p.case_manager.is_active = False
    p.case_manager.save()
    assert visible(p.case_manager) == set()

"""Who sees a restricted record, and how break-glass grants widen that (casework.access)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from casework import access
from casework.access import Action
from casework.clients.models import CaseStatus
from casework.clients.search import ClientQuery, search_clients
from casework.confidentiality import services
from casework.confidentiality.models import BreakGlassGrant
from casework.core.errors import NotFound
from casework.core.models import AuditEvent, User
from casework.monitoring import queries as monitoring_queries
from tests.factories import CaseFactory, TaskFactory, UserFactory
from tests.personas import Personas

from .helpers import restricted_case

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The same person in a new request: nothing cached on the object."""
    return User.objects.get(pk=user.pk)


def test_the_team_serving_a_restricted_client_still_sees_it(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    for user in (p.case_manager, p.supervisor):
        assert access.clients(fresh(user)).filter(pk=case.client_id).exists()
        assert access.cases(fresh(user)).filter(pk=case.pk).exists()
        assert access.case_allows(fresh(user), case)
        assert access.client_allows(fresh(user), case.client)


@pytest.mark.parametrize("who", ["colleague", "intake", "admin", "auditor", "partner", "outsider"])
def test_nobody_else_sees_a_restricted_client_or_its_cases(personas: Personas, who: str) -> None:
    p = personas
    case = restricted_case(p)
    user = fresh(getattr(p, who))
    assert not access.clients(user).filter(pk=case.client_id).exists()
    assert not access.cases(user).filter(pk=case.pk).exists()
    assert not access.case_allows(user, case)
    assert not access.client_allows(user, case.client)
    with pytest.raises(NotFound):
        access.get_client(user, case.client_id)


def test_intake_no_longer_sees_a_restricted_client_even_in_screening(
    personas: Personas,
) -> None:
    p = personas
    case = restricted_case(p)
    screening = CaseFactory(team=p.other_team, client=case.client, status=CaseStatus.SCREENING)
    intake = fresh(p.intake)
    assert not access.cases(intake).filter(pk=screening.pk).exists()
    assert not access.case_allows(intake, screening)
    # The other team now serves the client too: it sees the record and both cases.
    colleague = fresh(p.colleague)
    assert access.clients(colleague).filter(pk=case.client_id).exists()


def test_a_restricted_client_is_seen_only_through_open_cases(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    case.status = CaseStatus.CLOSED
    case.save()
    assert not access.clients(fresh(p.case_manager)).filter(pk=case.client_id).exists()
    assert not access.case_allows(fresh(p.case_manager), case)


def test_another_team_cannot_find_a_restricted_client_in_search(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    query = ClientQuery(name="Quarterfield")
    assert list(search_clients(actor=fresh(p.case_manager), query=query)) == [case.client]
    for user in (p.colleague, p.intake, p.admin):
        assert not search_clients(actor=fresh(user), query=query).exists()


def test_lifting_the_restriction_gives_intake_the_record_back(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    services.client_unrestrict(actor=p.admin, client=case.client)
    assert access.clients(fresh(p.intake)).filter(pk=case.client_id).exists()


def test_tasks_of_a_restricted_case_leave_other_lists_too(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    task = TaskFactory(case=case, organization=p.agency, assignee=p.case_manager)
    assert monitoring_queries.tasks(fresh(p.case_manager)).filter(pk=task.pk).exists()
    assert not monitoring_queries.tasks(fresh(p.intake)).filter(pk=task.pk).exists()


# --- break-glass ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_may_break_glass_into_another_teams_record(
    personas: Personas, who: str
) -> None:
    p = personas
    assert access.break_glass_allows(getattr(p, who), p.colleague_case.client)


def test_program_managers_may_break_glass_too(personas: Personas) -> None:
    p = personas
    manager = UserFactory(organization=p.agency, roles=["program_manager"])
    assert access.break_glass_allows(manager, p.colleague_case.client)


@pytest.mark.parametrize("who", ["case_manager", "colleague", "intake", "auditor", "partner"])
def test_others_may_not_break_glass(personas: Personas, who: str) -> None:
    p = personas
    assert not access.break_glass_allows(getattr(p, who), p.colleague_case.client)
    assert access.break_glass_candidate(getattr(p, who), p.colleague_case.client_id) is None


def test_nobody_breaks_glass_into_another_agency(personas: Personas) -> None:
    p = personas
    assert not access.break_glass_allows(p.admin, p.outsider_case.client)
    assert access.break_glass_candidate(p.admin, p.outsider_case.client_id) is None


def test_only_agency_admins_break_glass_into_a_restricted_record(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    other_supervisor = UserFactory(organization=p.agency, roles=["supervisor"])
    assert not access.break_glass_allows(other_supervisor, case.client)
    assert access.break_glass_candidate(other_supervisor, case.client_id) is None
    assert access.break_glass_allows(p.admin, case.client)


def test_a_grant_opens_the_client_and_its_cases_for_viewing_only(personas: Personas) -> None:
    p = personas
    case = p.colleague_case
    supervisor = fresh(p.supervisor)
    assert not access.case_allows(supervisor, case)
    services.break_glass_open(
        actor=supervisor, client=case.client, reason="Client called the crisis line."
    )
    assert access.clients(supervisor).filter(pk=case.client_id).exists()
    assert access.cases(supervisor).filter(pk=case.pk).exists()
    assert access.case_allows(supervisor, case)
    assert not access.case_allows(supervisor, case, Action.CHANGE)
    assert not access.clients(supervisor, Action.CHANGE).filter(pk=case.client_id).exists()
    # In the next request too (the grant is read from the database with the team roles).
    assert access.case_allows(fresh(p.supervisor), case)
    assert not access.case_allows(fresh(p.intake), case)


def test_a_grant_expires(personas: Personas) -> None:
    p = personas
    case = p.colleague_case
    grant = services.break_glass_open(
        actor=p.supervisor, client=case.client, reason="Client called the crisis line."
    )
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    supervisor = fresh(p.supervisor)
    assert not access.case_allows(supervisor, case)
    assert not access.clients(supervisor).filter(pk=case.client_id).exists()
    assert access.active_grants(supervisor) == {}


def test_an_admin_grant_opens_a_restricted_record(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    admin = fresh(p.admin)
    services.break_glass_open(actor=admin, client=case.client, reason="Police are asking now.")
    assert access.get_client(admin, case.client_id) == case.client
    assert access.case_allows(fresh(p.admin), case)


def test_the_holder_ends_a_grant_early_and_the_record_closes_again(
    personas: Personas, client: DjangoClient
) -> None:
    p = personas
    case = p.colleague_case
    grant = services.break_glass_open(
        actor=p.supervisor, client=case.client, reason="Client called the crisis line."
    )
    client.force_login(p.supervisor)
    page = client.get("/")
    assert f"/clients/{case.client_id}/emergency-access/end/" in page.content.decode()

    response = client.post(f"/clients/{case.client_id}/emergency-access/end/")

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.expires_at <= timezone.now()
    assert not access.case_allows(fresh(p.supervisor), case)
    ended = AuditEvent.objects.filter(action="client.break_glass_end")
    assert [(e.actor_id, e.changes) for e in ended] == [(p.supervisor.pk, {"grant_id": grant.pk})]


def test_ending_someone_elses_grant_changes_nothing(personas: Personas) -> None:
    p = personas
    case = p.colleague_case
    services.break_glass_open(
        actor=p.supervisor, client=case.client, reason="Client called the crisis line."
    )
    assert services.break_glass_end(actor=p.admin, client_id=case.client_id) == 0
    assert access.case_allows(fresh(p.supervisor), case)

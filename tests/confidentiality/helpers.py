"""A restricted client served by the case manager's team, for every confidentiality test."""

from __future__ import annotations

from casework.clients.models import Case, RestrictionReason
from casework.confidentiality import services
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas


def restricted_case(p: Personas) -> Case:
    """An open case on ``team`` (case manager's) of a client the admin restricted."""
    client = ClientFactory(organization=p.agency, first_name="Rosalind", last_name="Quarterfield")
    case: Case = CaseFactory(team=p.team, case_manager=p.case_manager, client=client)
    services.client_restrict(
        actor=p.admin, client=client, reason=RestrictionReason.DOMESTIC_VIOLENCE
    )
    client.refresh_from_db()
    case.refresh_from_db()
    return case

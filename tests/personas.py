"""The people every test can speak of: who may and who may not."""

from __future__ import annotations

from dataclasses import dataclass

from casework.clients.models import Case, CaseStatus
from casework.core.models import Organization, Program, Team, TeamRole, User

from .factories import (
    CaseFactory,
    OrganizationFactory,
    ProgramFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)


@dataclass
class Personas:
    agency: Organization
    program: Program
    team: Team  # the case manager's team
    other_team: Team  # the colleague's team, same program
    case_manager: User
    supervisor: User  # supervises ``team``
    colleague: User  # case manager on ``other_team``
    intake: User
    auditor: User
    admin: User
    partner: User
    outsider: User  # case manager of another organization
    other_agency: Organization
    case: Case  # managed by case_manager on team
    colleague_case: Case  # managed by colleague on other_team
    screening_case: Case  # on other_team, still in screening
    outsider_case: Case


def build_personas() -> Personas:
    agency = OrganizationFactory(name="Riverside Community Services", slug="riverside")
    program = ProgramFactory(organization=agency, name="Housing Stability", code="hs")
    team = TeamFactory(organization=agency, program=program, name="North team")
    other_team = TeamFactory(organization=agency, program=program, name="South team")

    def staff(
        email: str, first: str, last: str, roles: list[str], org: Organization = agency
    ) -> User:
        user: User = UserFactory(
            organization=org, email=email, first_name=first, last_name=last, roles=roles
        )
        return user

    case_manager = staff("cm@riverside.test", "Casey", "Manning", ["case_manager"])
    supervisor = staff("sup@riverside.test", "Sam", "Supervisor", ["supervisor"])
    colleague = staff("colleague@riverside.test", "Colin", "League", ["case_manager"])
    intake = staff("intake@riverside.test", "Ines", "Take", ["intake_coordinator"])
    auditor = staff("auditor@riverside.test", "Audrey", "Tor", ["auditor"])
    admin = staff("admin@riverside.test", "Ada", "Min", ["agency_admin"])
    partner = staff("partner@riverside.test", "Pat", "Ner", ["partner"])
    TeamMembershipFactory(team=team, user=case_manager, role=TeamRole.MEMBER)
    TeamMembershipFactory(team=team, user=supervisor, role=TeamRole.SUPERVISOR)
    TeamMembershipFactory(team=other_team, user=colleague, role=TeamRole.MEMBER)

    other_agency = OrganizationFactory(name="Elsewhere Family Services", slug="elsewhere")
    other_team_elsewhere = TeamFactory(
        organization=other_agency,
        program=ProgramFactory(organization=other_agency, name="Family support", code="fs"),
    )
    outsider = staff("outsider@elsewhere.test", "Otto", "Sider", ["case_manager"], other_agency)
    TeamMembershipFactory(team=other_team_elsewhere, user=outsider)

    return Personas(
        agency=agency,
        program=program,
        team=team,
        other_team=other_team,
        case_manager=case_manager,
        supervisor=supervisor,
        colleague=colleague,
        intake=intake,
        auditor=auditor,
        admin=admin,
        partner=partner,
        outsider=outsider,
        other_agency=other_agency,
        case=CaseFactory(team=team, case_manager=case_manager),
        colleague_case=CaseFactory(team=other_team, case_manager=colleague),
        screening_case=CaseFactory(team=other_team, status=CaseStatus.SCREENING),
        outsider_case=CaseFactory(team=other_team_elsewhere, case_manager=outsider),
    )

"""The access policy: who may see and do what. Nothing else decides access.

It stands just above the client record (``casework.clients.models`` and the
confidentiality app's grants) and below every app that acts on clients and cases:
their services and queries all call it, so it cannot stand above them. It decides on

* people: the agency's own rules (who administers, configures programs, reads the
  audit log) are stated in ``casework.core.permissions``, which the kernel needs
  without knowing clients, and are exported here under the same names, so every app
  asks ``access`` alone;
* clients and cases: two answers that must never drift apart, a queryset function
  (*which* ones may this user act on: lists, search, counts, API pages start from it)
  and an ``allows`` function (may this user act on *this* one: detail pages, services);
* kinds of record, as rules by kind stated on the person and the case: auditors never
  read note text (``note_text_allowed``), partner staff see only what was sent to
  their organization (``is_partner_staff``), whoever documents a case may refer from
  it, flag it and be given work on it, the directory is read by the agency's staff.

Each app's ``queries.py`` derives the lists and checks of its own records from these
functions only (``access.cases(user)``, ``access.case_allows(...)`` and the rules by
kind), so the policy imports no app's models and no app decides on its own.

Rules, for case content:

* nobody sees anything of another organization;
* the case manager of a case, and every member of the case's team (case
  managers and supervisors alike), may view and document it;
* supervisors of the case's team may also assign and supervise it;
* intake coordinators may view, document and assign cases still in screening
  or on the waitlist, in any program of their organization, and find and read
  every client record of their organization (not the case content);
* agency admins, program managers, auditors and partner-agency staff see no
  case content through their role alone (they may still be on a team);
* a *restricted* client (and every case of theirs) is seen only through an open
  case of theirs the user manages or whose team they are on: intake coordinators,
  other teams and everyone else lose sight of it, in lists and search too;
* a *break-glass* grant (confidentiality app) lets its holder view one client and
  their cases, read-only, until it expires; it is the only way around the rules above.

``is_superuser`` grants nothing here: it only opens Django's admin.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.db.models import CharField, Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from casework.clients.models import INTAKE_STATUSES, OPEN_STATUSES, Case, CaseStatus, Client
from casework.confidentiality.models import BreakGlassGrant
from casework.core.errors import NotFound, PermissionDenied
from casework.core.models import OrganizationKind, Program, Role, TeamMembership, TeamRole, User
from casework.core.permissions import (
    audit_events as audit_events,
)
from casework.core.permissions import (
    can_administer as can_administer,
)
from casework.core.permissions import (
    can_configure_programs as can_configure_programs,
)
from casework.core.permissions import (
    can_read_audit_log as can_read_audit_log,
)
from casework.core.permissions import (
    can_use_django_admin as can_use_django_admin,
)
from casework.core.permissions import (
    is_staff_member as is_staff_member,
)
from casework.core.permissions import (
    organization_id as organization_id,
)
from casework.core.permissions import (
    programs as programs,
)
from casework.core.permissions import (
    require as require,
)
from casework.core.permissions import (
    teams as teams,
)
from casework.core.permissions import (
    two_factor_pending as two_factor_pending,
)
from casework.core.permissions import (
    users as users,
)


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    ASSIGN = "assign"
    SUPERVISE = "supervise"


_GRANT = "break_glass"


def _memberships(user: User) -> dict[int, str]:
    """team id → role in that team, loaded once per user object."""
    cached: dict[int, str] | None = getattr(user, "_team_roles_cache", None)
    if cached is None:
        _load_standing(user)
        cached = user._team_roles_cache  # type: ignore[attr-defined]
    return cached


def _grants(user: User) -> dict[int, datetime]:
    """client id → when the user's active break-glass grant to it ends, loaded once."""
    cached: dict[int, datetime] | None = getattr(user, "_grant_clients_cache", None)
    if cached is None:
        _load_standing(user)
        cached = user._grant_clients_cache  # type: ignore[attr-defined]
    return cached


def _grant_client_ids(user: User) -> frozenset[int]:
    return frozenset(_grants(user))


def _load_standing(user: User) -> None:
    """Team roles and active break-glass grants in one query (a UNION): every page needs
    both, and grants are rare, so they must not cost a query of their own."""
    org = organization_id(user)
    memberships = (
        TeamMembership.objects.filter(user=user, organization_id=org)
        .annotate(until=Value(None, output_field=DateTimeField()))
        .values_list("team_id", "role", "until")
        .order_by()
    )
    grants = (
        BreakGlassGrant.objects.filter(
            user=user, organization_id=org, expires_at__gt=timezone.now()
        )
        .annotate(kind=Value(_GRANT, output_field=CharField()))
        .values_list("client_id", "kind", "expires_at")
        .order_by()
    )
    roles: dict[int, str] = {}
    granted: dict[int, datetime] = {}
    for object_id, kind, until in memberships.union(grants, all=True):
        if kind == _GRANT:
            granted[object_id] = max(until, granted.get(object_id, until))
        else:
            roles[object_id] = kind
    user._team_roles_cache = roles  # type: ignore[attr-defined]
    user._grant_clients_cache = granted  # type: ignore[attr-defined]


def forget_standing(user: User) -> None:
    """Drop what was loaded about the user's teams and grants (after a grant is given)."""
    for name in ("_team_roles_cache", "_grant_clients_cache", "_restricted_circle_cache"):
        if hasattr(user, name):
            delattr(user, name)


def team_ids(user: User) -> list[int]:
    return sorted(_memberships(user))


def supervised_team_ids(user: User) -> list[int]:
    return sorted(t for t, role in _memberships(user).items() if role == TeamRole.SUPERVISOR)


def team_supervisors(team_id: int) -> list[User]:
    """The active supervisors of a team: who approves its plans and hears its emergencies."""
    return list(
        User.objects.filter(
            is_active=True,
            team_memberships__team_id=team_id,
            team_memberships__role=TeamRole.SUPERVISOR,
        ).order_by("pk")
    )


# --- Cases ---------------------------------------------------------------------------


def _case_q(user: User, action: Action) -> Q | None:
    """The filter for cases ``user`` may act on, or None for nothing at all."""
    if not is_staff_member(user):
        return None
    intake = user.has_role(Role.INTAKE_COORDINATOR)
    if action in (Action.VIEW, Action.CHANGE):
        teams = team_ids(user)
        q = Q(case_manager=user)
        if teams:
            q |= Q(team_id__in=teams)
    else:
        teams = supervised_team_ids(user)
        q = Q(team_id__in=teams) if teams else Q(pk__in=[])
        if action == Action.SUPERVISE:
            return q if teams else None
    if intake:
        q |= Q(status__in=INTAKE_STATUSES)
    return q


def cases(user: User, action: Action = Action.VIEW) -> QuerySet[Case]:
    q = _case_q(user, action)
    if q is not None:
        q &= _unrestricted_or_serving(user, "client_id")
    q = _with_grants(user, action, q, "client_id")
    if q is None:
        return Case.objects.none()
    return Case.objects.filter(q, organization_id=organization_id(user))


def case_allows(user: User, case: Case, action: Action = Action.VIEW) -> bool:
    if not is_staff_member(user) or case.organization_id != user.organization_id:
        return False
    if _case_rule_allows(user, case, action) and (
        not case.client.is_restricted or _serves_restricted(user, case.client_id)
    ):
        return True
    return action == Action.VIEW and case.client_id in _grant_client_ids(user)


def _case_rule_allows(user: User, case: Case, action: Action) -> bool:
    memberships = _memberships(user)
    team_role = memberships.get(case.team_id)
    intake_case = user.has_role(Role.INTAKE_COORDINATOR) and case.status in INTAKE_STATUSES
    if intake_case and action != Action.SUPERVISE:
        return True
    if action in (Action.VIEW, Action.CHANGE):
        return case.case_manager_id == user.pk or team_role is not None
    return team_role == TeamRole.SUPERVISOR


def get_case(user: User, pk: int, action: Action = Action.VIEW) -> Case:
    """The case, if the user may see it; 404 otherwise, 403 if seen but not allowed."""
    case = (
        cases(user, Action.VIEW)
        .select_related("client", "program", "team", "case_manager")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound("No such case.")
    if action != Action.VIEW and not case_allows(user, case, action):
        raise PermissionDenied("You may view this case but not do that.")
    return case


# --- Clients -------------------------------------------------------------------------


def clients(user: User, action: Action = Action.VIEW) -> QuerySet[Client]:
    """Clients with at least one case the user may act on.

    Intake coordinators are the agency's front door: they may *find and read*
    every client record of their agency (to recognise a returning person and
    avoid duplicates), and change those still in intake or without any case.
    Case content stays behind ``cases()``.
    """
    q = _case_q(user, action)
    condition: Q | None = None
    if q is not None:
        intake = user.has_role(Role.INTAKE_COORDINATOR)
        if intake and action == Action.VIEW:
            condition = _unrestricted_or_serving(user)
        else:
            condition = Q(Exists(Case.objects.filter(q, client=OuterRef("pk"))))
            if intake and action == Action.CHANGE:
                condition |= ~Q(Exists(Case.objects.filter(client=OuterRef("pk"))))
            condition &= _unrestricted_or_serving(user)
    condition = _with_grants(user, action, condition, "pk")
    if condition is None:
        return Client.objects.none()
    return Client.objects.filter(condition, organization_id=organization_id(user))


def can_merge_clients(user: User) -> bool:
    """Agency admins and supervisors merge duplicate records."""
    return is_staff_member(user) and user.has_role(Role.AGENCY_ADMIN, Role.SUPERVISOR)


def can_unmerge_clients(user: User) -> bool:
    """Only agency admins undo a merge."""
    return can_administer(user)


def mergeable_clients(user: User) -> QuerySet[Client]:
    """Records the user may merge: admins across the agency, supervisors what they see."""
    if can_administer(user):
        base = Client.objects.filter(
            _unrestricted_or_serving(user), organization_id=organization_id(user)
        )
    elif can_merge_clients(user):
        base = clients(user)
    else:
        return Client.objects.none()
    return base.filter(merged_into__isnull=True)


def client_allows(user: User, client: Client, action: Action = Action.VIEW) -> bool:
    if not is_staff_member(user) or client.organization_id != user.organization_id:
        return False
    return clients(user, action).filter(pk=client.pk).exists()


def get_client(user: User, pk: int, action: Action = Action.VIEW) -> Client:
    client = clients(user, Action.VIEW).filter(pk=pk).first()
    if client is None:
        raise NotFound("No such client.")
    if action != Action.VIEW and not client_allows(user, client, action):
        raise PermissionDenied("You may view this client but not do that.")
    return client


# --- Agency configuration and oversight ---------------------------------------------------


def caseload_counts(user: User, staff_ids: list[int]) -> dict[int, int]:
    """Open cases (active or on hold) each of these staff members manages.

    Numbers only, for balancing caseloads (supervisors, intake suggestions): no
    case content is read, and only staff of the user's own agency are counted.
    """
    if not is_staff_member(user):
        return {}
    rows = (
        Case.objects.filter(
            organization_id=organization_id(user),
            case_manager_id__in=staff_ids,
            status__in=(CaseStatus.ACTIVE, CaseStatus.ON_HOLD),
        )
        .order_by()
        .values_list("case_manager_id")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def active_case_count(user: User, program: Program) -> int:
    """How many active cases a program of the user's agency has (capacity checks)."""
    if not is_staff_member(user) or program.organization_id != user.organization_id:
        return 0
    return Case.objects.filter(program=program, status=CaseStatus.ACTIVE).count()


def can_receive_applications(user: User) -> bool:
    """Intake coordinators take applications and incoming referrals."""
    return is_staff_member(user) and user.has_role(Role.INTAKE_COORDINATOR)


def can_use_intake_queue(user: User) -> bool:
    """Intake coordinators run intake; supervisors decide for their teams."""
    return is_staff_member(user) and user.has_role(Role.INTAKE_COORDINATOR, Role.SUPERVISOR)


# --- monitoring: tasks, appointments, alerts ----------------------------------------------
#
# A task or appointment is seen by whoever it is for (assignee, organizer, attendees) and,
# when it is about a case, by whoever may see that case; changed by whoever it is for and
# by whoever may document the case. One without a case belongs to its people alone.


def can_be_assigned_work(user: User, case: Case | None, organization: int) -> bool:
    """May ``user`` be given a task or appointment (on ``case``)? Active staff of the agency
    who may see the case: work must never hand someone a case they cannot open."""
    if not is_staff_member(user) or user.organization_id != organization:
        return False
    return case is None or case_allows(user, case, Action.VIEW)


def can_set_case_flags(user: User, case: Case) -> bool:
    """Legal, CPS/APS and high-risk flags: whoever documents the case."""
    return case_allows(user, case, Action.CHANGE)


# --- Service plans (plans app) ------------------------------------------------------------


def can_approve_plans(user: User) -> bool:
    """Supervisors of at least one team decide on their teams' plans."""
    return is_staff_member(user) and bool(supervised_team_ids(user))


# --- Case notes (notes app) ---------------------------------------------------------------
#
# Who may write notes on a case is who may change it; who may read them is who may view
# it. A draft is the author's own until signed: nobody else lists or opens it. Auditors
# never read what a note says (pages, API, attachments), whatever team they are on.


def note_text_allowed(user: User) -> bool:
    return is_staff_member(user) and not user.has_role(Role.AUDITOR)


def note_write_allowed(user: User, case: Case) -> bool:
    """Write a new note on the case."""
    return note_text_allowed(user) and case_allows(user, case, Action.CHANGE)


def can_configure_note_formats(user: User) -> bool:
    """Which note formats each program uses: program managers and agency admins."""
    return can_configure_programs(user)


# --- Consent and disclosures (consent app) ------------------------------------------------
#
# Whoever may see a client sees the client's consents and disclosures; auditors (the
# privacy officer) read every one of their agency's. Whoever documents the client
# (may change one of their cases) records and revokes consents and shares information.
# A partner agency's staff see the disclosures made to their organization, and nothing
# else; whether the content may still be shown is the consent policy's answer
# (consent/policy.py), asked on every view.


def consent_read_allowed(user: User, client: Client) -> bool:
    if not is_staff_member(user) or client.organization_id != user.organization_id:
        return False
    return can_read_audit_log(user) or client_allows(user, client)


def consent_write_allowed(user: User, client: Client) -> bool:
    """Record or revoke a consent, and share information under one."""
    return (
        is_staff_member(user)
        and not user.has_role(Role.AUDITOR, Role.PARTNER)
        and client_allows(user, client, Action.CHANGE)
    )


def is_partner_staff(user: User) -> bool:
    """A member of a partner agency (an Organization of kind "partner")."""
    organization = user.organization if is_staff_member(user) else None
    return organization is not None and organization.kind == OrganizationKind.PARTNER


# --- Restricted records and break-glass (confidentiality app) -----------------------------
#
# A restricted client is seen only by the staff serving them: the case manager or a team
# member (supervisors included) of one of the client's *open* cases. Everyone else, intake
# coordinators too, loses sight of the record and its cases. The filter is a cheap column
# test first, so search and lists keep using their indexes; the correlated subquery only
# runs for the few restricted rows.
#
# Break-glass: supervisors, program managers and agency admins (the people who answer
# for a client's safety when the team serving them cannot be reached) may open a record
# they do not normally see, read-only, for CASEWORK_BREAK_GLASS_HOURS, after giving a
# reason; restricted records only by agency admins. Case managers and intake coordinators
# may not: they should ask a supervisor, which keeps the circle of people who can
# reach every record small. Grants are honoured in ``cases()``, ``clients()`` and
# ``case_allows`` only, through ``_with_grants`` / ``_grant_client_ids``.


def _serving_cases(user: User) -> QuerySet[Case]:
    """Open cases through which the user sees a restricted client's record."""
    teams = team_ids(user)
    q = Q(case_manager=user)
    if teams:
        q |= Q(team_id__in=teams)
    return Case.objects.filter(q, organization_id=organization_id(user), status__in=OPEN_STATUSES)


def _unrestricted_or_serving(user: User, field: str = "pk") -> Q:
    """Rows whose client is not restricted or is served by the user: ``field`` is "pk"
    on clients, "client_id" on cases.

    Written as "not one of the restricted clients the user does not serve". Restricted
    records are few (a partial index holds them), so the database lists them once;
    "not restricted, or served" joined every case to its client instead, and the intake
    queue's counts read all of 100,000 clients for it (about 100 ms each)."""
    hidden = Client.objects.filter(
        organization_id=organization_id(user), is_restricted=True
    ).exclude(Exists(_serving_cases(user).filter(client_id=OuterRef("pk"))))
    return ~Q(**{f"{field}__in": hidden.values("pk")})


def _serves_restricted(user: User, client_id: int) -> bool:
    cache: dict[int, bool] | None = getattr(user, "_restricted_circle_cache", None)
    if cache is None:
        cache = {}
        user._restricted_circle_cache = cache  # type: ignore[attr-defined]
    if client_id not in cache:
        cache[client_id] = _serving_cases(user).filter(client_id=client_id).exists()
    return cache[client_id]


def _with_grants(user: User, action: Action, q: Q | None, field: str) -> Q | None:
    """Add the clients of the user's active break-glass grants (viewing only)."""
    if action != Action.VIEW or not is_staff_member(user):
        return q
    granted = _grant_client_ids(user)
    if not granted:
        return q
    grant_q = Q(**{f"{field}__in": sorted(granted)})
    return grant_q if q is None else q | grant_q


def can_restrict_clients(user: User) -> bool:
    """Mark a record restricted, or lift the restriction: agency admins only."""
    return can_administer(user)


def restrict_allows(user: User, client: Client) -> bool:
    return (
        can_restrict_clients(user)
        and client.organization_id == user.organization_id
        and not client.is_merged
    )


def can_break_glass(user: User) -> bool:
    return is_staff_member(user) and user.has_role(
        Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.AGENCY_ADMIN
    )


def break_glass_allows(user: User, client: Client) -> bool:
    """May the user open this record in an emergency? Restricted ones: agency admins only."""
    if not can_break_glass(user) or client.organization_id != user.organization_id:
        return False
    if client.is_merged:
        return False
    return not client.is_restricted or user.has_role(Role.AGENCY_ADMIN)


def break_glass_candidate(user: User, client_id: int) -> Client | None:
    """The record behind a 404 that the user could break glass into, else None.

    Callers show the break-glass offer only when this returns a client: for anyone
    else the 404 stays a plain 404 that says nothing about whether the record exists.
    """
    if not can_break_glass(user):
        return None
    client = Client.objects.filter(pk=client_id, organization_id=organization_id(user)).first()
    if client is None or not break_glass_allows(user, client):
        return None
    return client


def active_grants(user: User) -> dict[int, datetime]:
    """client id → end of the user's active break-glass grant to it (for the banner)."""
    return dict(_grants(user)) if is_staff_member(user) else {}


def holds_break_glass(user: User, client_id: int) -> bool:
    return is_staff_member(user) and client_id in _grant_client_ids(user)


def duplicate_check_clients(user: User) -> QuerySet[Client]:
    """Every record of the user's agency, for the duplicate check alone.

    A second record must not be made for a person the agency already has, whoever serves
    them; so the check looks at them all. What it may tell a user about one they do not
    see (``clients(user)``) is only that a record *may* match, never which, and whether
    it is restricted (then an agency admin decides) or another team's (then intake or a
    supervisor does).
    """
    if not is_staff_member(user):
        return Client.objects.none()
    return Client.objects.filter(organization_id=organization_id(user), merged_into__isnull=True)


def can_read_access_report(user: User) -> bool:
    """Who has seen a client's record: privacy officers (the auditor role)."""
    return can_read_audit_log(user)


# --- Resource directory (resources app) ---------------------------------------------------
#
# The directory is the agency's shared knowledge: every staff member of the agency reads
# it (partner-agency staff do not: it is another agency's), and every staff member who
# works with clients may write provider notes and mark a service verified. Program
# managers and agency admins keep it: edit what the agency adds (accepting referrals,
# in-house program, partner link), archive notes, import and export HSDS files.


def directory_read_allowed(user: User) -> bool:
    return is_staff_member(user) and not user.has_role(Role.PARTNER) and not is_partner_staff(user)


def directory_contribute_allowed(user: User) -> bool:
    """Write a provider note, mark a service verified."""
    return directory_read_allowed(user) and not user.has_role(Role.AUDITOR)


def directory_manage_allowed(user: User) -> bool:
    """Edit the agency's settings of a service or provider, import and export files."""
    return directory_read_allowed(user) and user.has_role(Role.PROGRAM_MANAGER, Role.AGENCY_ADMIN)


# --- Referrals (referrals app) --------------------------------------------------------------
#
# A referral is case content: who may view or change the case may view or make and
# follow its referrals (auditors view, never change). The receiving partner agency's
# staff see the referrals *sent* to their organization and nothing else of the case;
# what of the client they may read is the consent policy's answer, asked on every view
# (the referral's disclosure, as in "Shared with us"). A provider without an account
# reaches one referral through its secure link (referrals.services, not a user at all).


def referral_create_allowed(user: User, case: Case) -> bool:
    """Make a referral from this case: whoever may change it, never auditors or partner staff."""
    return (
        not is_partner_staff(user)
        and not user.has_role(Role.AUDITOR, Role.PARTNER)
        and case_allows(user, case, Action.CHANGE)
    )

"""The agency's part of the access policy: who may run the agency, read its setup and its log.

``casework.access`` is the policy every app calls; it builds on these rules and exports
them under the same names, so outside the kernel ``access.can_administer(user)`` is the
one spelling. They live here, below every domain app, because the kernel's own pages and
services (programs, teams, staff, the audit log, sign-in) need them and the kernel
imports no app; the rules about clients and cases need the client record, so they stand
just above it in ``casework.access``. Each rule is stated once, in one of the two.

``is_superuser`` grants nothing here: it only opens Django's admin.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .errors import PermissionDenied
from .models import AuditEvent, Program, Role, Team, User


def is_staff_member(user: User) -> bool:
    """Signed in, active and of an organization: nobody else is granted anything."""
    return bool(user.is_authenticated and user.is_active and user.organization_id)


def organization_id(user: User) -> int:
    """The user's organization; -1 (matches nothing) for users without one."""
    return user.organization_id if user.organization_id is not None else -1


def can_administer(user: User) -> bool:
    """Users, teams and agency settings."""
    return is_staff_member(user) and user.has_role(Role.AGENCY_ADMIN)


def can_configure_programs(user: User) -> bool:
    return is_staff_member(user) and user.has_role(Role.AGENCY_ADMIN, Role.PROGRAM_MANAGER)


def can_read_audit_log(user: User) -> bool:
    return is_staff_member(user) and user.has_role(Role.AUDITOR)


def can_use_django_admin(user: User) -> bool:
    return bool(user.is_active and user.is_staff and can_administer(user))


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def programs(user: User) -> QuerySet[Program]:
    """Programs of the user's agency: every staff member may read its configuration."""
    if not is_staff_member(user):
        return Program.objects.none()
    return Program.objects.filter(organization_id=organization_id(user))


def teams(user: User) -> QuerySet[Team]:
    """Teams of the user's agency: who works where is known to all its staff."""
    if not is_staff_member(user):
        return Team.objects.none()
    return Team.objects.filter(organization_id=organization_id(user))


def audit_events(user: User) -> QuerySet[AuditEvent]:
    """The agency's audit log, for auditors only."""
    if not can_read_audit_log(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(organization_id=organization_id(user))


def two_factor_pending(user: User) -> bool:
    """The agency requires two-factor sign-in and this person has not set it up yet."""
    organization = user.organization if user.organization_id else None
    return bool(organization and organization.require_two_factor and not user.has_two_factor)


def users(user: User) -> QuerySet[User]:
    """Staff of the user's own organization, for pickers and the admin area."""
    if not is_staff_member(user):
        return User.objects.none()
    return User.objects.filter(organization_id=organization_id(user))

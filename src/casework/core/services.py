"""Every change to agency configuration and staff goes through these functions.

Each one checks permission, validates, writes inside one transaction and
records the audit event. Views, the API, commands and tests all call them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pyotp
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import audit, eligibility, permissions
from .errors import ConflictError, PermissionDenied
from .models import (
    TOKEN_PREFIX_LENGTH,
    ApiToken,
    ExpertiseArea,
    Organization,
    OrganizationKind,
    Program,
    Role,
    StaffProfile,
    Team,
    TeamMembership,
    TeamRole,
    User,
)
from .tasks import send_password_link as password_link_task

# --- shared helpers -----------------------------------------------------------------


def check_version(obj: Any, expected_version: int | None, noun: str) -> None:
    """Refuse a save based on an out-of-date copy of ``obj``."""
    if expected_version is not None and expected_version != obj.version:
        raise ConflictError(
            _(
                "Someone else saved this %(noun)s while you were editing it. "
                "Reload to see their changes, then make yours again."
            )
            % {"noun": noun},
            current_version=obj.version,
        )


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude)


def _changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``fields`` on ``obj`` and return {field: [old, new]} for what differs."""
    changed: dict[str, list[Any]] = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    return changed


def _bump_version(obj: Any) -> None:
    type(obj).objects.filter(pk=obj.pk).update(version=F("version") + 1)
    obj.version += 1


def _save_unique(obj: models.Model, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError({field: message}) from exc


# --- organization ---------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "agency"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def organization_bootstrap(
    *,
    organization_name: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    kind: str = OrganizationKind.AGENCY,
) -> User:
    """Create the organization (unless one has this name) and an agency admin in it.

    The one change with no actor: when an agency starts there is nobody to act
    yet. It writes the same audit events a service would, with no actor.
    """
    organization_name = organization_name.strip()
    if not organization_name:
        raise ValidationError({"organization": _("Name the agency.")})
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone already signs in with this email address.")})
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_staff=True,
    )
    for field in ("first_name", "last_name"):
        if not getattr(user, field):
            raise ValidationError({field: _("This field is required.")})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    with transaction.atomic():
        organization = Organization.objects.filter(name__iexact=organization_name).first()
        if organization is None:
            organization = Organization(
                name=organization_name, slug=_unique_slug(organization_name), kind=kind
            )
            organization.full_clean()
            organization.save()
            audit.record(
                action="organization.create",
                actor=None,
                organization=organization,
                target=organization,
                changes={"name": organization.name, "via": "createadmin"},
            )
        user.organization = organization
        user.full_clean(exclude=["password"])
        user.save()
        profile = StaffProfile(
            organization=organization, user=user, roles=[Role.AGENCY_ADMIN.value], languages=["en"]
        )
        profile.full_clean()
        profile.save()
        audit.record(
            action="staff.create",
            actor=None,
            organization=organization,
            target=user,
            changes={"roles": profile.roles, "via": "createadmin"},
        )
    return user


def organization_update(
    *, actor: User, name: str, require_two_factor: bool, store_full_ssn: bool = False
) -> Organization:
    """Agency settings. Turning full SSN storage off erases the full numbers kept so far."""
    permissions.require(permissions.can_administer(actor))
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=permissions.organization_id(actor))
        changes = _changes(
            org,
            {
                "name": name.strip(),
                "require_two_factor": require_two_factor,
                "store_full_ssn": store_full_ssn,
            },
        )
        _full_clean(org)
        org.save()
        if changes.get("store_full_ssn") == [True, False]:
            # Through the client records' reverse relation: the kernel imports no app.
            erased = org.clients.exclude(ssn="").update(ssn="")
            changes["full_ssns_erased"] = [0, erased]
        audit.record(action="organization.update", actor=actor, target=org, changes=changes)
    return org


# --- programs ------------------------------------------------------------------------------


def _check_program_unique(program: Program) -> None:
    others = Program.objects.filter(organization_id=program.organization_id).exclude(pk=program.pk)
    errors = {}
    if others.filter(code=program.code).exists():
        errors["code"] = _("Another program already uses this code.")
    if others.filter(name__iexact=program.name).exists():
        errors["name"] = _("Another program already has this name.")
    if errors:
        raise ValidationError(errors)


def program_create(
    *,
    actor: User,
    name: str,
    code: str,
    description: str = "",
    capacity: int | None = None,
    eligibility_rules: list[dict[str, Any]] | None = None,
    review_interval_days: int = 90,
    no_contact_alert_days: int = 30,
) -> Program:
    permissions.require(permissions.can_configure_programs(actor))
    program = Program(
        organization_id=permissions.organization_id(actor),
        name=name.strip(),
        code=code.strip().lower(),
        description=description.strip(),
        capacity=capacity,
        eligibility_rules=eligibility.validate_rules(eligibility_rules or []),
        review_interval_days=review_interval_days,
        no_contact_alert_days=no_contact_alert_days,
    )
    _check_program_unique(program)
    program.full_clean()
    with transaction.atomic():
        program.save()
        audit.record(
            action="program.create",
            actor=actor,
            target=program,
            changes={"name": program.name, "code": program.code},
        )
    return program


def program_update(
    *,
    actor: User,
    program: Program,
    expected_version: int | None,
    **fields: Any,
) -> Program:
    permissions.require(permissions.can_configure_programs(actor))
    allowed = {
        "name",
        "code",
        "description",
        "capacity",
        "eligibility_rules",
        "review_interval_days",
        "no_contact_alert_days",
        "is_active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if "eligibility_rules" in fields:
        fields["eligibility_rules"] = eligibility.validate_rules(fields["eligibility_rules"])
    for key in ("name", "description"):
        if key in fields:
            fields[key] = fields[key].strip()
    if "code" in fields:
        fields["code"] = fields["code"].strip().lower()
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(
            pk=program.pk, organization_id=permissions.organization_id(actor)
        )
        check_version(locked, expected_version, _("program"))
        changes = _changes(locked, fields)
        _check_program_unique(locked)
        locked.full_clean()
        if changes:
            locked.save()
            _bump_version(locked)
            audit.record(action="program.update", actor=actor, target=locked, changes=changes)
    return locked


# --- teams ---------------------------------------------------------------------------------


def _check_team_unique(team: Team) -> None:
    others = Team.objects.filter(organization_id=team.organization_id).exclude(pk=team.pk)
    if others.filter(name__iexact=team.name).exists():
        raise ValidationError({"name": _("Another team already has this name.")})


def team_create(*, actor: User, name: str, program: Program, description: str = "") -> Team:
    permissions.require(permissions.can_administer(actor))
    if program.organization_id != actor.organization_id:
        raise ValidationError({"program": _("Choose a program of your agency.")})
    team = Team(
        organization_id=permissions.organization_id(actor),
        program=program,
        name=name.strip(),
        description=description.strip(),
    )
    _check_team_unique(team)
    team.full_clean()
    with transaction.atomic():
        team.save()
        audit.record(action="team.create", actor=actor, target=team, changes={"name": team.name})
    return team


def team_update(
    *,
    actor: User,
    team: Team,
    expected_version: int | None,
    name: str,
    program: Program,
    description: str = "",
    is_active: bool = True,
) -> Team:
    permissions.require(permissions.can_administer(actor))
    if program.organization_id != actor.organization_id:
        raise ValidationError({"program": _("Choose a program of your agency.")})
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(
            pk=team.pk, organization_id=permissions.organization_id(actor)
        )
        check_version(locked, expected_version, _("team"))
        changes = _changes(
            locked,
            {
                "name": name.strip(),
                "program": program,
                "description": description.strip(),
                "is_active": is_active,
            },
        )
        if "program" in changes:
            changes["program"] = [changes["program"][0].pk, program.pk]
        _check_team_unique(locked)
        locked.full_clean()
        if changes:
            locked.save()
            _bump_version(locked)
            audit.record(action="team.update", actor=actor, target=locked, changes=changes)
    return locked


def team_member_set(*, actor: User, team: Team, user: User, role: str) -> TeamMembership:
    """Add ``user`` to ``team`` in ``role``, or change their role there."""
    permissions.require(permissions.can_administer(actor))
    if role not in TeamRole.values:
        raise ValidationError({"role": _("Choose member or supervisor.")})
    if (
        team.organization_id != actor.organization_id
        or user.organization_id != actor.organization_id
    ):
        raise ValidationError({"user": _("Choose a staff member of your agency.")})
    with transaction.atomic():
        membership, created = TeamMembership.objects.update_or_create(
            team=team,
            user=user,
            defaults={"role": role, "organization_id": team.organization_id},
        )
        audit.record(
            action="team.member_add" if created else "team.member_role",
            actor=actor,
            target=team,
            changes={"user_id": user.pk, "role": role},
        )
    return membership


def team_member_remove(*, actor: User, team: Team, user: User) -> None:
    permissions.require(permissions.can_administer(actor))
    with transaction.atomic():
        deleted, _count = TeamMembership.objects.filter(
            team=team, user=user, organization_id=permissions.organization_id(actor)
        ).delete()
        if deleted:
            audit.record(
                action="team.member_remove", actor=actor, target=team, changes={"user_id": user.pk}
            )


# --- staff ---------------------------------------------------------------------------------


def _clean_choices(values: list[str], choices: list[str], field: str) -> list[str]:
    unknown = [v for v in values if v not in choices]
    if unknown:
        raise ValidationError({field: _("Unknown value(s): %(v)s.") % {"v": ", ".join(unknown)}})
    return sorted(set(values), key=values.index)


def _clean_languages(values: list[str]) -> list[str]:
    cleaned = []
    for value in values:
        code = value.strip().lower()
        if not code:
            continue
        if not (2 <= len(code) <= 12) or not all(c.isalpha() or c == "-" for c in code):
            raise ValidationError(
                {
                    "languages": _("%(v)r is not a language code such as en, es or zh-hant.")
                    % {"v": value}
                }
            )
        cleaned.append(code)
    return sorted(set(cleaned), key=cleaned.index)


def staff_create(
    *,
    actor: User,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    job_title: str = "",
    phone: str = "",
    languages: list[str] | None = None,
    expertise_areas: list[str] | None = None,
    credentials: str = "",
    caseload_capacity: int = 30,
    password: str | None = None,
    send_invitation: bool = True,
) -> User:
    """Create a staff account. Without a password, the person is emailed a link to set one."""
    permissions.require(permissions.can_administer(actor))
    email = User.objects.normalize_email(email.strip()).lower()
    if not roles:
        raise ValidationError({"roles": _("Give the person at least one role.")})
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organization_id=permissions.organization_id(actor),
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone already signs in with this email address.")})
    user.full_clean(exclude=["password"])
    profile = StaffProfile(
        organization_id=permissions.organization_id(actor),
        roles=_clean_choices(roles, Role.values, "roles"),
        job_title=job_title.strip(),
        phone=phone.strip(),
        languages=_clean_languages(languages or []),
        expertise_areas=_clean_choices(
            expertise_areas or [], ExpertiseArea.values, "expertise_areas"
        ),
        credentials=credentials.strip(),
        caseload_capacity=caseload_capacity,
    )
    with transaction.atomic():
        _save_unique(user, "email", _("Someone already signs in with this email address."))
        profile.user = user
        profile.full_clean()
        profile.save()
        audit.record(
            action="staff.create",
            actor=actor,
            target=user,
            changes={"roles": profile.roles},
        )
        if send_invitation and not password:
            enqueue_password_link(user=user, invitation=True)
    return user


def staff_update(
    *,
    actor: User,
    user: User,
    expected_version: int | None,
    first_name: str,
    last_name: str,
    roles: list[str],
    job_title: str = "",
    phone: str = "",
    languages: list[str] | None = None,
    expertise_areas: list[str] | None = None,
    credentials: str = "",
    caseload_capacity: int = 30,
) -> User:
    permissions.require(permissions.can_administer(actor))
    if user.organization_id != actor.organization_id:
        raise PermissionDenied
    if not roles:
        raise ValidationError({"roles": _("Give the person at least one role.")})
    if user.pk == actor.pk and Role.AGENCY_ADMIN not in roles:
        raise ValidationError(
            {"roles": _("You cannot remove your own agency admin role; ask another admin.")}
        )
    with transaction.atomic():
        profile = StaffProfile.objects.select_for_update().get(user=user)
        check_version(profile, expected_version, _("staff member"))
        user_changes = _changes(
            user, {"first_name": first_name.strip(), "last_name": last_name.strip()}
        )
        profile_changes = _changes(
            profile,
            {
                "roles": _clean_choices(roles, Role.values, "roles"),
                "job_title": job_title.strip(),
                "phone": phone.strip(),
                "languages": _clean_languages(languages or []),
                "expertise_areas": _clean_choices(
                    expertise_areas or [], ExpertiseArea.values, "expertise_areas"
                ),
                "credentials": credentials.strip(),
                "caseload_capacity": caseload_capacity,
            },
        )
        user.full_clean(exclude=["password"])
        profile.full_clean()
        user.save()
        if user_changes or profile_changes:
            profile.save()
            _bump_version(profile)
            audit.record(
                action="staff.update",
                actor=actor,
                target=user,
                changes={**user_changes, **profile_changes},
            )
    user.__dict__.pop("_roles_cache", None)
    return user


def staff_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account; its API tokens stop working too."""
    permissions.require(permissions.can_administer(actor))
    if user.organization_id != actor.organization_id:
        raise PermissionDenied
    if user.pk == actor.pk and not active:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        audit.record(
            action="staff.activate" if active else "staff.deactivate", actor=actor, target=user
        )
    return user


def staff_reset_two_factor(*, actor: User, user: User) -> None:
    """An admin clears a lost authenticator; the person sets up a new one at next sign-in."""
    permissions.require(permissions.can_administer(actor))
    if user.organization_id != actor.organization_id:
        raise PermissionDenied
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        audit.record(action="staff.two_factor_reset", actor=actor, target=user)


def enqueue_password_link(*, user: User, invitation: bool = False, base_url: str = "") -> None:
    """Send the link from the background worker once the surrounding transaction commits."""
    transaction.on_commit(
        lambda: password_link_task.enqueue(
            user_id=user.pk, invitation=invitation, base_url=base_url
        )
    )


# --- two-factor sign-in ---------------------------------------------------------------------


def two_factor_begin(*, user: User) -> str:
    """Start (or restart) enrolment: a new secret that is not active until confirmed."""
    if user.has_two_factor:
        raise ValidationError({"code": _("Two-factor sign-in is already set up.")})
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    return secret


def two_factor_verify_code(user: User, code: str) -> bool:
    """Check a code from the authenticator (one step of clock drift either way).

    Each accepted code is spent: replaying a code seen over someone's shoulder,
    or reusing the one just typed, fails.
    """
    if not user.totp_secret:
        return False
    code = "".join(ch for ch in code if ch.isdigit())
    if not code:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    current = totp.timecode(now)
    for offset in (-1, 0, 1):
        step = current + offset
        if step > user.totp_last_step and constant_time_compare(code, totp.generate_otp(step)):
            spent = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
                totp_last_step=step
            )
            user.totp_last_step = step
            return spent == 1
    return False


def two_factor_confirm(*, user: User, code: str) -> None:
    if not two_factor_verify_code(user, code):
        raise ValidationError(
            {
                "code": _(
                    "That code did not match. Check the time on your phone and try the newest code."
                )
            }
        )
    with transaction.atomic():
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
        audit.record(action="auth.two_factor_enabled", actor=user, target=user)


def two_factor_disable(*, user: User, code: str) -> None:
    if user.organization and user.organization.require_two_factor:
        raise ValidationError({"code": _("Your agency requires two-factor sign-in.")})
    if not two_factor_verify_code(user, code):
        raise ValidationError({"code": _("That code did not match.")})
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        audit.record(action="auth.two_factor_disabled", actor=user, target=user)


# --- API tokens ----------------------------------------------------------------------------------


def api_token_create(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token after where you will use it.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    if actor.organization_id is None:
        raise PermissionDenied(_("Only staff of an agency can have API tokens."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a date in the future.")})
    if expires_at is not None and expires_at > timezone.now() + timedelta(days=366):
        raise ValidationError({"expires_at": _("Tokens last at most one year.")})
    raw = ApiToken.new_secret()
    token = ApiToken(
        organization_id=permissions.organization_id(actor),
        user=actor,
        name=name,
        prefix=raw[3 : 3 + TOKEN_PREFIX_LENGTH],
        token_hash=ApiToken.hash(raw),
        expires_at=expires_at,
    )
    with transaction.atomic():
        token.save()
        audit.record(action="api_token.create", actor=actor, target=token, changes={"name": name})
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not permissions.can_administer(actor):
        raise PermissionDenied
    if token.organization_id != actor.organization_id:
        raise PermissionDenied
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(action="api_token.revoke", actor=actor, target=token)
    return token

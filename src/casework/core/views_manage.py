"""The agency admin area (/manage/): organization, programs, teams and staff.

Every page checks the access policy first; every change goes through a service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, services
from .errors import ConflictError
from .forms import (
    RULES_HELP,
    OrganizationForm,
    ProgramForm,
    StaffCreateForm,
    StaffFilterForm,
    StaffForm,
    TeamForm,
    TeamMemberForm,
    add_service_errors,
    rules_formset,
    rules_from_formset,
)
from .models import Organization, Program, Team, TeamMembership, TeamRole, User
from .web import AuthenticatedRequest, organization_of, paginate


def _administrator(request: AuthenticatedRequest) -> User:
    permissions.require(permissions.can_administer(request.user))
    return request.user


def _program_manager(request: AuthenticatedRequest) -> User:
    permissions.require(permissions.can_configure_programs(request.user))
    return request.user


@login_required
def manage_home(request: AuthenticatedRequest) -> HttpResponse:
    user = _administrator(request)
    counts = {
        "programs": permissions.programs(user).filter(is_active=True).count(),
        "teams": permissions.teams(user).filter(is_active=True).count(),
        "staff": permissions.users(user).filter(is_active=True).count(),
    }
    return render(request, "manage/home.html", {"counts": counts})


# --- organization ----------------------------------------------------------------------


@login_required
def organization_edit(request: AuthenticatedRequest) -> HttpResponseBase:
    user = _administrator(request)
    org = get_object_or_404(Organization, pk=user.organization_id)
    status = 200
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.organization_update(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The agency settings are saved."))
                return redirect("manage-organization")
    else:
        form = OrganizationForm(
            initial={
                "name": org.name,
                "require_two_factor": org.require_two_factor,
                "store_full_ssn": org.store_full_ssn,
            }
        )
    return render(request, "manage/organization.html", {"form": form, "org": org}, status=status)


# --- programs ------------------------------------------------------------------------------


@login_required
def program_list(request: AuthenticatedRequest) -> HttpResponse:
    user = _program_manager(request)
    programs = (
        permissions.programs(user)
        .annotate(team_count=Count("teams", distinct=True))
        .order_by("-is_active", "name")
    )
    return render(request, "manage/programs.html", {"page": paginate(request, programs)})


def _program_page(
    request: AuthenticatedRequest,
    *,
    program: Program | None,
    form: ProgramForm,
    rules: Any,
    rule_errors: list[str] | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "manage/program_form.html",
        {
            "program": program,
            "form": form,
            "rules": rules,
            "rules_help": RULES_HELP,
            "rule_errors": rule_errors or [],
            "conflict": conflict,
        },
        status=status,
    )


@login_required
def program_new(request: AuthenticatedRequest) -> HttpResponseBase:
    user = _program_manager(request)
    if request.method != "POST":
        return _program_page(
            request, program=None, form=ProgramForm(creating=True), rules=rules_formset()
        )
    form = ProgramForm(request.POST, creating=True)
    rules = rules_formset(request.POST)
    rule_errors: dict[str, list[str]] = {}
    if form.is_valid() and rules.is_valid():
        try:
            program = services.program_create(
                actor=user, eligibility_rules=rules_from_formset(rules), **form.cleaned_data
            )
        except ValidationError as exc:
            rule_errors = add_service_errors(form, exc, elsewhere=("eligibility_rules",))
        else:
            messages.success(request, _("Program “%(name)s” created.") % {"name": program.name})
            return redirect("manage-programs")
    return _program_page(
        request,
        program=None,
        form=form,
        rules=rules,
        rule_errors=rule_errors.get("eligibility_rules"),
        status=400,
    )


@login_required
def program_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = _program_manager(request)
    program = get_object_or_404(permissions.programs(user), pk=pk)
    if request.method != "POST":
        return _program_page(
            request,
            program=program,
            form=ProgramForm(initial=ProgramForm.initial_for(program)),
            rules=rules_formset(rules=program.eligibility_rules),
        )
    form = ProgramForm(request.POST)
    rules = rules_formset(request.POST, rules=program.eligibility_rules)
    rule_errors: dict[str, list[str]] = {}
    conflict = ""
    status = 400
    if form.is_valid() and rules.is_valid():
        fields = dict(form.cleaned_data)
        expected_version = fields.pop("expected_version")
        try:
            services.program_update(
                actor=user,
                program=program,
                expected_version=expected_version,
                eligibility_rules=rules_from_formset(rules),
                **fields,
            )
        except ConflictError as exc:
            conflict, status = exc.message, 409
        except ValidationError as exc:
            rule_errors = add_service_errors(form, exc, elsewhere=("eligibility_rules",))
        else:
            messages.success(request, _("Program “%(name)s” saved.") % {"name": fields["name"]})
            return redirect("manage-programs")
    return _program_page(
        request,
        program=program,
        form=form,
        rules=rules,
        rule_errors=rule_errors.get("eligibility_rules"),
        conflict=conflict,
        status=status,
    )


# --- teams -----------------------------------------------------------------------------------


@login_required
def team_list(request: AuthenticatedRequest) -> HttpResponse:
    user = _administrator(request)
    teams = (
        permissions.teams(user)
        .select_related("program")
        .annotate(
            member_count=Count("memberships", distinct=True),
            supervisor_count=Count(
                "memberships", filter=Q(memberships__role=TeamRole.SUPERVISOR), distinct=True
            ),
        )
        .order_by("-is_active", "name")
    )
    return render(request, "manage/teams.html", {"page": paginate(request, teams)})


@login_required
def team_new(request: AuthenticatedRequest) -> HttpResponseBase:
    user = _administrator(request)
    status = 200
    if request.method == "POST":
        form = TeamForm(request.POST, viewer=user, creating=True)
        status = 400
        if form.is_valid():
            try:
                team = services.team_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Team “%(name)s” created. Now add its members.") % {"name": team.name},
                )
                return redirect("manage-team-edit", pk=team.pk)
    else:
        form = TeamForm(viewer=user, creating=True)
    return render(request, "manage/team_form.html", {"form": form, "team": None}, status=status)


def _members_context(
    user: User, team: Team, add_form: TeamMemberForm | None = None
) -> dict[str, Any]:
    memberships = (
        TeamMembership.objects.filter(team=team, organization_id=organization_of(user))
        .select_related("user")
        .order_by("-role", "user__last_name", "user__first_name", "pk")
    )
    return {
        "team": team,
        "memberships": memberships,
        "add_form": add_form or TeamMemberForm(actor=user, not_in_team=team),
    }


@login_required
def team_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = _administrator(request)
    team = get_object_or_404(permissions.teams(user).select_related("program"), pk=pk)
    conflict = ""
    status = 200
    if request.method == "POST":
        form = TeamForm(request.POST, viewer=user)
        status = 400
        if form.is_valid():
            fields = dict(form.cleaned_data)
            expected_version = fields.pop("expected_version")
            try:
                services.team_update(
                    actor=user, team=team, expected_version=expected_version, **fields
                )
            except ConflictError as exc:
                conflict, status = exc.message, 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Team “%(name)s” saved.") % {"name": fields["name"]})
                return redirect("manage-team-edit", pk=team.pk)
    else:
        form = TeamForm(initial=TeamForm.initial_for(team), viewer=user)
    context = {"form": form, "conflict": conflict, **_members_context(user, team)}
    return render(request, "manage/team_form.html", context, status=status)


def _members_response(
    request: AuthenticatedRequest,
    team: Team,
    *,
    notice: str = "",
    add_form: TeamMemberForm | None = None,
    error: str = "",
) -> HttpResponseBase:
    """The members panel for htmx; a redirect back to the team page otherwise."""
    problems = [error] if error else []
    if add_form is not None:
        problems += [str(message) for errors in add_form.errors.values() for message in errors]
    if request.htmx:
        context = {
            **_members_context(request.user, team, add_form),
            "notice": notice,
            "error": error,
        }
        return render(
            request, "manage/_team_members.html", context, status=400 if problems else 200
        )
    for problem in problems:
        messages.error(request, problem)
    if notice and not problems:
        messages.success(request, notice)
    return redirect("manage-team-edit", pk=team.pk)


@login_required
@require_POST
def team_member_set(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Add a member, or change a member's role in the team."""
    user = _administrator(request)
    team = get_object_or_404(permissions.teams(user), pk=pk)
    form = TeamMemberForm(request.POST, actor=user)
    if not form.is_valid():
        return _members_response(request, team, add_form=form)
    member: User = form.cleaned_data["user"]
    try:
        services.team_member_set(actor=user, team=team, user=member, role=form.cleaned_data["role"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _members_response(request, team, add_form=form)
    notice = _("%(name)s is on the team as %(role)s.") % {
        "name": member.get_full_name() or member.email,
        "role": TeamRole(form.cleaned_data["role"]).label,
    }
    return _members_response(request, team, notice=notice)


@login_required
@require_POST
def team_member_remove(request: AuthenticatedRequest, pk: int, user_pk: int) -> HttpResponseBase:
    user = _administrator(request)
    team = get_object_or_404(permissions.teams(user), pk=pk)
    member = get_object_or_404(permissions.users(user), pk=user_pk)
    try:
        services.team_member_remove(actor=user, team=team, user=member)
    except ValidationError as exc:
        return _members_response(request, team, error=" ".join(exc.messages))
    notice = _("%(name)s is no longer on the team.") % {
        "name": member.get_full_name() or member.email
    }
    return _members_response(request, team, notice=notice)


# --- staff -----------------------------------------------------------------------------------


@login_required
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    user = _administrator(request)
    form = StaffFilterForm(request.GET or None)
    staff = permissions.users(user).select_related("staff_profile")
    status = "active"
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or "active"
        if form.cleaned_data["role"]:
            # Roles are a JSON list; a quoted match works on SQLite and PostgreSQL alike.
            staff = staff.filter(staff_profile__roles__icontains=f'"{form.cleaned_data["role"]}"')
    if status == "active":
        staff = staff.filter(is_active=True)
    elif status == "inactive":
        staff = staff.filter(is_active=False)
    staff = staff.prefetch_related(
        Prefetch(
            "team_memberships",
            queryset=TeamMembership.objects.select_related("team").order_by("team__name"),
        )
    ).order_by("last_name", "first_name", "pk")
    return render(
        request, "manage/staff_list.html", {"form": form, "page": paginate(request, staff)}
    )


@login_required
def staff_new(request: AuthenticatedRequest) -> HttpResponseBase:
    user = _administrator(request)
    status = 200
    if request.method == "POST":
        form = StaffCreateForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.staff_create(
                    actor=user,
                    email=data["email"],
                    send_invitation=data["send_invitation"],
                    **form.service_fields(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if data["send_invitation"]:
                    note = _(
                        "%(name)s is added. An email with a link to set a password is on its way."
                    )
                else:
                    note = _("%(name)s is added. They set a password with “Forgot your password?”.")
                messages.success(request, note % {"name": person.get_full_name()})
                return redirect("manage-staff-edit", pk=person.pk)
    else:
        form = StaffCreateForm()
    return render(request, "manage/staff_form.html", {"form": form, "person": None}, status=status)


def _staff_member(user: User, pk: int) -> User:
    return get_object_or_404(permissions.users(user).select_related("staff_profile"), pk=pk)


@login_required
def staff_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = _administrator(request)
    person = _staff_member(user, pk)
    conflict = ""
    status = 200
    if request.method == "POST":
        form = StaffForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.staff_update(
                    actor=user,
                    user=person,
                    expected_version=form.cleaned_data["expected_version"],
                    **form.service_fields(),
                )
            except ConflictError as exc:
                conflict, status = exc.message, 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("%(name)s’s details are saved.") % {"name": person.get_full_name()}
                )
                return redirect("manage-staff-edit", pk=person.pk)
        # The service may have set names on the in-memory copy before refusing.
        person.refresh_from_db(fields=["first_name", "last_name"])
    else:
        form = StaffForm(initial=StaffForm.initial_for(person))
    memberships = person.team_memberships.select_related("team").order_by("team__name")
    return render(
        request,
        "manage/staff_form.html",
        {"form": form, "person": person, "memberships": memberships, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def staff_set_active(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = _administrator(request)
    person = _staff_member(user, pk)
    active = request.POST.get("active") == "1"
    try:
        services.staff_set_active(actor=user, user=person, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if active:
            messages.success(
                request, _("%(name)s can sign in again.") % {"name": person.get_full_name()}
            )
        else:
            messages.success(
                request,
                _("%(name)s can no longer sign in; their API tokens are revoked.")
                % {"name": person.get_full_name()},
            )
    return redirect("manage-staff-edit", pk=person.pk)


@login_required
@require_POST
def staff_reset_two_factor(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = _administrator(request)
    person = _staff_member(user, pk)
    services.staff_reset_two_factor(actor=user, user=person)
    messages.success(
        request,
        _(
            "Two-factor sign-in is reset for %(name)s. "
            "They set up a new authenticator at their next sign-in."
        )
        % {"name": person.get_full_name()},
    )
    return redirect("manage-staff-edit", pk=person.pk)

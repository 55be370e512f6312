"""The case page: the case and its assignment, then a section from every app that has
something on a case (assessments, plan, notes, tasks and appointments, referrals).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.access import Action
from casework.assessments.views import case_section_context as assessments_section_context
from casework.clients import services
from casework.clients.forms import CaseAssignForm
from casework.clients.models import Case
from casework.confidentiality.views import case_break_glass_offer
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.web import AuthenticatedRequest
from casework.monitoring.views import case_section_context as monitoring_section_context
from casework.notes.views import case_section_context as notes_section_context
from casework.plans.views import case_section_context as plans_section_context
from casework.referrals.views import case_section_context as referrals_section_context


def _render_case(
    request: AuthenticatedRequest,
    case: Case,
    *,
    assign_form: CaseAssignForm | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_assign = case.is_open and access.case_allows(user, case, Action.ASSIGN)
    if can_assign and assign_form is None:
        assign_form = CaseAssignForm(
            case=case,
            initial={"case_manager": case.case_manager_id, "expected_version": case.version},
        )
    assignments = case.assignments.select_related("case_manager", "assigned_by", "team").order_by(
        "-started_at", "-pk"
    )
    return render(
        request,
        "clients/case_detail.html",
        {
            "case": case,
            "assignments": assignments,
            "assign_form": assign_form if can_assign else None,
            "conflict": conflict,
            **assessments_section_context(user, case),
            **plans_section_context(user, case),
            **notes_section_context(user, case),
            **monitoring_section_context(user, case),
            **referrals_section_context(user, case),
        },
        status=status,
    )


@login_required
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        case = access.get_case(request.user, pk)
    except NotFound:
        offer = case_break_glass_offer(request, pk)
        if offer is None:
            raise
        return offer
    services.case_viewed(actor=request.user, case=case, via="web")
    return _render_case(request, case)


@login_required
@require_POST
def case_assign(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, pk, Action.ASSIGN)
    form = CaseAssignForm(request.POST, case=case)
    if not form.is_valid():
        return _render_case(request, case, assign_form=form, status=400)
    data = form.cleaned_data
    try:
        moved = services.case_assign(
            actor=user,
            case=case,
            case_manager=data["case_manager"],
            expected_version=data["expected_version"],
            reason=data["reason"],
            team=form.team(),
        )
    except ConflictError as exc:
        return _render_case(request, case, assign_form=form, conflict=exc.message, status=409)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_case(request, case, assign_form=form, status=400)
    name = data["case_manager"].get_full_name()
    if form.team().pk != case.team_id:
        messages.success(
            request,
            _("Case %(ref)s is now managed by %(name)s, on %(team)s.")
            % {"ref": case.reference, "name": name, "team": form.team().name},
        )
    else:
        messages.success(
            request,
            _("Case %(ref)s is now managed by %(name)s.") % {"ref": case.reference, "name": name},
        )
    if not access.case_allows(user, moved):
        # Moved to a team the user does not serve: its page is no longer theirs to open.
        return redirect("home")
    return redirect("case-detail", pk=case.pk)

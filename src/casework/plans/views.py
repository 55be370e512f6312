"""Plan pages: a case's plan with its goals, objectives and steps (edited in place with
htmx), the approval workflow, the supervisors' queue, versions, reviews and the
plain-language print version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import retarget

from casework import access
from casework.access import Action
from casework.clients.models import Case, CaseStatus
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import Role, User
from casework.core.web import AuthenticatedRequest, HomeSection, is_partial, paginate
from casework.referrals.queries import goals_referrals

from . import queries, services
from .forms import (
    DecisionForm,
    GoalForm,
    ObjectiveForm,
    ObjectiveProgressForm,
    ParticipationForm,
    PlanForm,
    ReviewForm,
    StepForm,
    VersionForm,
)
from .models import OPEN_PLAN_STATUSES, Goal, PlanStatus, ServicePlan
from .queries import plan_decision_allows, plan_is_own
from .snapshot import agreement_state, plan_diff

# --- the case page's section ------------------------------------------------------------------


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's plans section (``plans/_case_section.html``)."""
    active, open_plan = queries.current_plans(case)
    return {
        "plan_section": {
            "active": active,
            "open": open_plan,
            "can_start": (
                active is None
                and open_plan is None
                and case.status == CaseStatus.ACTIVE
                and access.case_allows(user, case, Action.CHANGE)
            ),
        }
    }


# --- the plan page -----------------------------------------------------------------------------


def _latest_needs(user: User, case: Case) -> list[Any]:
    """Needs from the newest completed assessment that found any: starting points for goals."""
    from casework.assessments.queries import identified_needs

    needs = identified_needs(user, case).order_by(
        "-assessment__assessed_on", "-assessment_id", "score", "domain_label"
    )
    latest: list[Any] = []
    for need in needs[:50]:
        if latest and need.assessment_id != latest[0].assessment_id:
            break
        latest.append(need)
    return latest


def _plan_context(user: User, plan: ServicePlan) -> dict[str, Any]:
    """What ``plans/_plan.html`` needs to show one plan and offer what the user may do."""
    case = plan.case
    can_change = case.is_open and access.case_allows(user, case, Action.CHANGE)
    can_decide = plan.status == PlanStatus.SUBMITTED and plan_decision_allows(user, plan)
    own_waiting = (
        plan.status == PlanStatus.SUBMITTED
        and access.case_allows(user, case, Action.SUPERVISE)
        and plan_is_own(user, plan)
    )
    can_review = can_change and plan.status == PlanStatus.APPROVED
    # Each goal's referrals (matched by goal key, across plan versions): one query.
    goals = list(plan.goals.all())
    by_key = goals_referrals(user, goals)
    for goal in goals:
        goal.referral_list = by_key.get(goal.key, [])  # type: ignore[attr-defined]
    can_revise = (
        can_review
        and not ServicePlan.objects.filter(case_id=case.pk, status__in=OPEN_PLAN_STATUSES).exists()
    )
    return {
        "plan": plan,
        "case": case,
        "agreement": agreement_state(plan),
        "can_review": can_review,
        "can_revise": can_revise,
        "editable": can_change and plan.is_editable,
        "can_change": can_change,
        "can_decide": can_decide,
        "own_waiting": own_waiting,
        "decision_form": DecisionForm(initial={"expected_version": plan.version})
        if can_decide
        else None,
    }


def _render_panel(request: AuthenticatedRequest, plan: ServicePlan) -> HttpResponse:
    plan = queries.plan_with_detail(plan)
    response = render(request, "plans/_plan.html", _plan_context(request.user, plan))
    return retarget(response, f"#plan-{plan.pk}")


@login_required
def case_plan(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """The case's active plan, the version being written, and the latest reviews."""
    user = request.user
    case = access.get_case(user, case_id)
    services.plan_viewed(actor=user, case=case, via="web")
    active, open_plan = queries.current_plans(case)
    panels = [_plan_context(user, queries.plan_with_detail(p)) for p in (open_plan, active) if p]
    reviews = list(queries.case_reviews(user, case).order_by("-reviewed_on", "-pk")[:3])
    can_change = case.is_open and access.case_allows(user, case, Action.CHANGE)
    return render(
        request,
        "plans/case_plan.html",
        {
            "case": case,
            "active": active,
            "open_plan": open_plan,
            "panels": panels,
            "reviews": reviews,
            "can_change": can_change,
            "can_start": can_change and active is None and open_plan is None,
            "has_versions": active is not None or (open_plan is not None and open_plan.number > 1),
        },
    )


@login_required
def plan_panel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One plan's panel, for htmx to put back after an edit is cancelled."""
    plan = queries.get_plan(request.user, pk)
    return _render_panel(request, plan)


@login_required
@require_POST
def plan_start(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    user = request.user
    case = access.get_case(user, case_id, Action.CHANGE)
    try:
        services.plan_create(actor=user, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The plan is started. Add the client's goals."))
    return redirect("case-plan", case_id=case.pk)


# --- forms for the plan's parts: in place with htmx, or as a page without it -------------------


def _form_response(
    request: AuthenticatedRequest,
    *,
    plan: ServicePlan,
    form: forms.Form,
    title: str,
    action: str,
    slot: str,
    submit: str,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    # Several forms can be open on one page: each gets its own element ids.
    form.auto_id = f"id_{slot.replace('-', '_')}_%s"
    context = {
        "plan": plan,
        "case": plan.case,
        "form": form,
        "title": title,
        "action": action,
        "slot": slot,
        "submit": submit,
        "conflict": conflict,
        "reload_url": reverse("case-plan", kwargs={"case_id": plan.case_id}),
    }
    if is_partial(request):
        response = render(request, "plans/_item_form.html", context, status=status)
        return retarget(response, f"#{slot}")
    return render(request, "plans/item_form.html", context, status=status)


def _saved(request: AuthenticatedRequest, plan: ServicePlan, message: str) -> HttpResponseBase:
    if is_partial(request):
        return _render_panel(request, plan)
    messages.success(request, message)
    return redirect("case-plan", case_id=plan.case_id)


def _edit(
    request: AuthenticatedRequest,
    *,
    plan: ServicePlan,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    title: str,
    slot: str,
    submit: str,
    saved_message: str,
) -> HttpResponseBase:
    """GET shows the form; POST validates it and calls ``save`` with the cleaned data."""
    if request.method != "POST":
        return _form_response(
            request,
            plan=plan,
            form=form,
            title=title,
            action=request.path,
            slot=slot,
            submit=submit,
        )
    conflict = ""
    status = 400
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ConflictError as exc:
            conflict = exc.message
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, plan, saved_message)
    return _form_response(
        request,
        plan=plan,
        form=form,
        title=title,
        action=request.path,
        slot=slot,
        submit=submit,
        conflict=conflict,
        status=status,
    )


def _data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
def plan_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    form = PlanForm(
        _data(request),
        initial={
            "expected_version": plan.version,
            "strengths": plan.strengths,
            "supports": plan.supports,
        },
    )
    return _edit(
        request,
        plan=plan,
        form=form,
        save=lambda d: services.plan_update(actor=user, plan=plan, **_renamed(d)),
        title=_("Strengths and supports"),
        slot=f"plan-fields-{plan.pk}",
        submit=_("Save"),
        saved_message=_("Saved."),
    )


def _renamed(data: dict[str, Any]) -> dict[str, Any]:
    """Form data as service arguments (the model-choice fields become ids)."""
    out = dict(data)
    if "need" in out:
        out["need_id"] = out.pop("need")
    if "owner_user" in out:
        owner = out.pop("owner_user")
        out["owner_user_id"] = owner.pk if owner is not None else None
    return out


@login_required
def plan_participation(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    form = ParticipationForm(
        _data(request),
        initial={
            "expected_version": plan.version,
            "reviewed_with_client_on": plan.reviewed_with_client_on,
            "client_agreement": plan.client_agreement,
            "client_comments": plan.client_comments,
            "acknowledgement": plan.acknowledgement,
            "acknowledged_on": plan.acknowledged_on,
            "signature_name": plan.signature_name,
        },
    )
    return _edit(
        request,
        plan=plan,
        form=form,
        save=lambda d: services.plan_participation_record(actor=user, plan=plan, **d),
        title=_("The client's part"),
        slot=f"participation-{plan.pk}",
        submit=_("Save"),
        saved_message=_("The client's part is recorded."),
    )


@login_required
def goal_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    form = GoalForm(_data(request), needs=_latest_needs(user, plan.case))
    return _edit(
        request,
        plan=plan,
        form=form,
        save=lambda d: services.goal_add(actor=user, plan=plan, **_renamed(d)),
        title=_("Add a goal"),
        slot=f"new-goal-{plan.pk}",
        submit=_("Add the goal"),
        saved_message=_("The goal is added."),
    )


@login_required
def goal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    goal = queries.get_goal(user, pk, Action.CHANGE)
    plan = goal.plan
    form = GoalForm(
        _data(request),
        needs=_latest_needs(user, plan.case),
        goal=goal,
        initial={
            "expected_version": goal.version,
            "need": goal.need_id,
            "client_words": goal.client_words,
            "summary": goal.summary,
            "priority": goal.priority,
            "strengths_used": goal.strengths_used,
        },
    )
    return _edit(
        request,
        plan=plan,
        form=form,
        save=lambda d: services.goal_update(actor=user, goal=goal, **_renamed(d)),
        title=_("Change the goal"),
        slot=f"goal-{goal.pk}",
        submit=_("Save the goal"),
        saved_message=_("The goal is saved."),
    )


def _remove(
    request: AuthenticatedRequest,
    plan: ServicePlan,
    remove: Callable[[int], None],
    message: str,
) -> HttpResponseBase:
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The page is out of date; reload it and try again."))
        return redirect("case-plan", case_id=plan.case_id)
    try:
        remove(form.cleaned_data["expected_version"])
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        return _saved(request, plan, message)
    if is_partial(request):
        # Show the refusal above the plan, where the messages are.
        response = _render_panel(request, plan)
        response.status_code = 409
        return response
    return redirect("case-plan", case_id=plan.case_id)


@login_required
@require_POST
def goal_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    goal = queries.get_goal(user, pk, Action.CHANGE)
    return _remove(
        request,
        goal.plan,
        lambda v: services.goal_remove(actor=user, goal=goal, expected_version=v),
        _("The goal is removed."),
    )


@login_required
def objective_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    goal = queries.get_goal(user, pk, Action.CHANGE)
    form = ObjectiveForm(_data(request))
    return _edit(
        request,
        plan=goal.plan,
        form=form,
        save=lambda d: services.objective_add(actor=user, goal=goal, **d),
        title=_("Add an objective"),
        slot=f"new-objective-{goal.pk}",
        submit=_("Add the objective"),
        saved_message=_("The objective is added."),
    )


@login_required
def objective_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    objective = queries.get_objective(user, pk, Action.CHANGE)
    form = ObjectiveForm(
        _data(request),
        editing=True,
        initial={
            "expected_version": objective.version,
            "description": objective.description,
            "measure": objective.measure,
            "target_date": objective.target_date,
        },
    )
    return _edit(
        request,
        plan=objective.goal.plan,
        form=form,
        save=lambda d: services.objective_update(actor=user, objective=objective, **d),
        title=_("Change the objective"),
        slot=f"objective-{objective.pk}",
        submit=_("Save the objective"),
        saved_message=_("The objective is saved."),
    )


@login_required
def objective_progress(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    objective = queries.get_objective(user, pk, Action.CHANGE)
    form = ObjectiveProgressForm(
        _data(request),
        initial={
            "expected_version": objective.version,
            "status": objective.status,
            "achieved_on": objective.achieved_on,
        },
    )
    return _edit(
        request,
        plan=objective.goal.plan,
        form=form,
        save=lambda d: services.objective_progress(actor=user, objective=objective, **d),
        title=_("Progress on the objective"),
        slot=f"objective-{objective.pk}",
        submit=_("Save the progress"),
        saved_message=_("The progress is saved."),
    )


@login_required
@require_POST
def objective_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    objective = queries.get_objective(user, pk, Action.CHANGE)
    return _remove(
        request,
        objective.goal.plan,
        lambda v: services.objective_remove(actor=user, objective=objective, expected_version=v),
        _("The objective is removed."),
    )


@login_required
def step_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    goal = queries.get_goal(user, pk, Action.CHANGE)
    form = StepForm(_data(request), viewer=user)
    return _edit(
        request,
        plan=goal.plan,
        form=form,
        save=lambda d: services.step_add(actor=user, goal=goal, **_renamed(d)),
        title=_("Add an action step"),
        slot=f"new-step-{goal.pk}",
        submit=_("Add the step"),
        saved_message=_("The action step is added."),
    )


@login_required
def step_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    step = queries.get_step(user, pk, Action.CHANGE)
    form = StepForm(
        _data(request),
        viewer=user,
        editing=True,
        initial={
            "expected_version": step.version,
            "description": step.description,
            "owner_kind": step.owner_kind,
            "owner_user": step.owner_user_id,
            "owner_name": step.owner_name,
            "due_date": step.due_date,
        },
    )
    return _edit(
        request,
        plan=step.goal.plan,
        form=form,
        save=lambda d: services.step_update(actor=user, step=step, **_renamed(d)),
        title=_("Change the action step"),
        slot=f"step-{step.pk}",
        submit=_("Save the step"),
        saved_message=_("The action step is saved."),
    )


@login_required
@require_POST
def step_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    step = queries.get_step(user, pk, Action.CHANGE)
    return _remove(
        request,
        step.goal.plan,
        lambda v: services.step_remove(actor=user, step=step, expected_version=v),
        _("The action step is removed."),
    )


# --- workflow ------------------------------------------------------------------------------------


def _workflow_error(request: AuthenticatedRequest, exc: Exception) -> None:
    if isinstance(exc, ConflictError):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def plan_submit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.plan_submit(
                actor=user, plan=plan, expected_version=form.cleaned_data["expected_version"]
            )
        except (ConflictError, ValidationError) as exc:
            _workflow_error(request, exc)
        else:
            messages.success(request, _("The plan is sent to your supervisor for approval."))
    return redirect("case-plan", case_id=plan.case_id)


@login_required
@require_POST
def plan_revise(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    try:
        services.plan_revise(actor=user, plan=plan)
    except ValidationError as exc:
        _workflow_error(request, exc)
    else:
        messages.success(
            request,
            _("A new version is started from the approved plan, which stays in force meanwhile."),
        )
    return redirect("case-plan", case_id=plan.case_id)


@login_required
@require_POST
def plan_decide(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Approve or return a plan (the button pressed says which)."""
    user = request.user
    plan = queries.get_plan(user, pk, Action.SUPERVISE)
    access.require(
        plan_decision_allows(user, plan),
        _("You can't approve or return a plan you wrote; another supervisor decides on it."),
    )
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if form.is_valid() and decision in ("approve", "return"):
        data = form.cleaned_data
        try:
            if decision == "approve":
                services.plan_approve(
                    actor=user,
                    plan=plan,
                    expected_version=data["expected_version"],
                    comment=data["comment"],
                )
                messages.success(request, _("The plan is approved and now in force."))
            else:
                services.plan_return(
                    actor=user,
                    plan=plan,
                    expected_version=data["expected_version"],
                    comment=data["comment"],
                )
                messages.success(request, _("The plan is returned to the case manager."))
        except ConflictError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("case-plan", case_id=plan.case_id)
    # Show the decision form again with its problems, on the plan page.
    case = plan.case
    active, open_plan = queries.current_plans(case)
    panels = []
    for p in (open_plan, active):
        if p is None:
            continue
        context = _plan_context(user, queries.plan_with_detail(p))
        if p.pk == plan.pk:
            context["decision_form"] = form
        panels.append(context)
    return render(
        request,
        "plans/case_plan.html",
        {"case": case, "active": active, "open_plan": open_plan, "panels": panels},
        status=400,
    )


@login_required
def plan_approvals(request: AuthenticatedRequest) -> HttpResponse:
    """Plans waiting for a decision on the teams the user supervises."""
    user = request.user
    access.require(access.can_approve_plans(user))
    page = paginate(request, queries.approval_queue(user))
    return render(request, "plans/approvals.html", {"page": page})


# --- versions, reviews, print ------------------------------------------------------------------


@login_required
def plan_versions(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Every approved version, and the difference between two of them."""
    user = request.user
    case = access.get_case(user, case_id)
    versions = queries.versions(user, case)
    page = paginate(request, versions)

    def number(name: str) -> int | None:
        try:
            return int(request.GET.get(name, ""))
        except ValueError:
            return None

    wanted = {n for n in (number("from"), number("to")) if n is not None}
    chosen = {v.number: v for v in versions.filter(number__in=wanted)} if wanted else {}
    before = chosen.get(number("from") or 0)
    after = chosen.get(number("to") or 0)
    if before is None or after is None:
        latest = list(versions[:2])
        if len(latest) == 2 and not wanted:
            after, before = latest
    diff = plan_diff(before.snapshot, after.snapshot) if before and after else None
    all_numbers = list(versions.values_list("number", flat=True)[:200])
    return render(
        request,
        "plans/versions.html",
        {
            "case": case,
            "page": page,
            "before": before,
            "after": after,
            "diff": diff,
            "numbers": all_numbers,
        },
    )


@login_required
def plan_review(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Rate each goal of the active plan; the next review date follows."""
    user = request.user
    plan = queries.get_plan(user, pk, Action.CHANGE)
    if plan.status != PlanStatus.APPROVED:
        raise NotFound("Only the active plan is reviewed.")
    goals = list(plan.goals.all())
    form = ReviewForm(_data(request), goals=goals)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            ratings = [
                services.Rating(
                    goal_id=g.pk,
                    attainment=data[f"attainment_{g.pk}"],
                    status=data[f"status_{g.pk}"],
                    comment=data[f"comment_{g.pk}"],
                )
                for g in goals
            ]
            try:
                services.plan_review_record(
                    actor=user,
                    plan=plan,
                    ratings=ratings,
                    reviewed_on=data["reviewed_on"],
                    summary=data["summary"],
                    outcome=data["outcome"],
                )
            except ValidationError as exc:
                _review_errors(form, exc)
            else:
                messages.success(request, _("The review is recorded."))
                return redirect("case-plan", case_id=plan.case_id)
    return render(
        request,
        "plans/review_form.html",
        {"plan": plan, "case": plan.case, "form": form},
        status=status,
    )


def _review_errors(form: ReviewForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, problems in exc.message_dict.items():
        if name.startswith("goal_"):
            form.add_error(f"attainment_{name.removeprefix('goal_')}", problems)
        elif name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, problems)
        else:
            form.add_error(None, problems)


@login_required
def plan_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plan in plain language, for the client: their words first, no jargon."""
    user = request.user
    plan = queries.plan_with_detail(queries.get_plan(user, pk))
    goals: list[Goal] = list(plan.goals.all())
    return render(
        request,
        "plans/print.html",
        {
            "plan": plan,
            "case": plan.case,
            "client": plan.case.client,
            "goals": goals,
            "agreement": agreement_state(plan),
        },
    )


# --- home page panels ("my work") ---------------------------------------------------------------

HOME_LIST_SIZE = 8


def home_returned(user: User) -> HomeSection | None:
    """Plans returned for revision on the user's own cases."""
    if not user.has_role(Role.CASE_MANAGER):
        return None
    plans = list(queries.returned_plans(user)[: HOME_LIST_SIZE + 1])
    if not plans:
        return None
    return HomeSection(
        "plans/home_returned.html",
        {"plans": plans[:HOME_LIST_SIZE], "more": len(plans) > HOME_LIST_SIZE},
    )


def home_waiting(user: User) -> HomeSection | None:
    """Plans waiting for the supervisor's decision, oldest first."""
    if not access.can_approve_plans(user):
        return None
    queue = queries.approval_queue(user)
    rows = list(queue[: HOME_LIST_SIZE + 1])
    return HomeSection(
        "plans/home_waiting.html",
        {
            "plans": rows[:HOME_LIST_SIZE],
            "more": len(rows) > HOME_LIST_SIZE,
        },
    )

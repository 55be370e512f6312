"""Every change to service plans goes through these functions.

Audit events name ids, field names and statuses only: what a client wants from
their life is not for the audit log.

Concurrency: the plan's own fields and its workflow carry the plan's ``version``;
each goal, objective and step carries its own, so two people adding different goals
do not get in each other's way, but two people changing the same one do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.access import Action
from casework.clients.models import Case, CaseStatus
from casework.core import audit
from casework.core.errors import PermissionDenied
from casework.core.models import User
from casework.core.services import check_version
from casework.monitoring.alerts import alert_raise, alerts_settle, case_supervisors
from casework.monitoring.models import AlertKind

from .models import (
    OPEN_PLAN_STATUSES,
    Acknowledgement,
    ActionStep,
    ClientAgreement,
    Goal,
    GoalRating,
    Objective,
    PlanEvent,
    PlanEventKind,
    PlanItem,
    PlanReview,
    PlanStatus,
    PlanVersion,
    Priority,
    Progress,
    ReviewOutcome,
    ServicePlan,
    StepOwner,
)
from .queries import plan_is_own
from .snapshot import content_digest, plan_snapshot

Item = TypeVar("Item", bound=PlanItem)

# --- shared checks -------------------------------------------------------------------------


def _require_change(actor: User, case: Case) -> None:
    access.require(
        access.case_allows(actor, case, Action.CHANGE),
        _("You may view this case but not change its plan."),
    )
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: _("This case is closed; its plan can't change.")})


def _require_editable(plan: ServicePlan) -> None:
    if not plan.is_editable:
        message = {
            PlanStatus.SUBMITTED: _(
                "This plan is waiting for approval and can't change until the supervisor "
                "decides. Ask them to return it if something must change."
            ),
            PlanStatus.APPROVED: _(
                "This plan is approved. Start a revision to change it; the approved plan "
                "stays in force until the revision is approved."
            ),
        }.get(
            PlanStatus(plan.status),
            _("This version of the plan was replaced and can no longer change."),
        )
        raise ValidationError({NON_FIELD_ERRORS: message})


def _lock_plan(plan: ServicePlan) -> ServicePlan:
    """The plan's row, locked until the transaction ends, with ``plan.case`` kept."""
    locked = ServicePlan.objects.select_for_update().get(pk=plan.pk)
    locked.case = plan.case
    return locked


def _bump(obj: models.Model, fields: list[str]) -> None:
    """Save ``fields`` and one more version, reading the new version back."""
    obj.version = F("version") + 1  # type: ignore[attr-defined]
    if hasattr(obj, "updated_at"):
        obj.updated_at = timezone.now()
        fields = [*fields, "updated_at"]
    obj.save(update_fields=[*fields, "version"])
    obj.refresh_from_db(fields=["version"])


def _set(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _clean(obj: models.Model, exclude: list[str]) -> None:
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _record(action: str, actor: User, target: models.Model, case: Case, **changes: Any) -> None:
    audit.record(
        action=action, actor=actor, target=target, client_id=case.client_id, changes=changes
    )


def _plan_link(plan: ServicePlan) -> str:
    return reverse("case-plan", kwargs={"case_id": plan.case_id})


# --- the plan --------------------------------------------------------------------------------


def plan_create(*, actor: User, case: Case, strengths: str = "", supports: str = "") -> ServicePlan:
    """The case's first plan, as a draft. A case with a plan is revised instead."""
    _require_change(actor, case)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError({NON_FIELD_ERRORS: _("A plan is written once the case is active.")})
    plan = ServicePlan(
        organization_id=case.organization_id,
        case=case,
        number=1,
        strengths=strengths.strip(),
        supports=supports.strip(),
        created_by=actor,
    )
    _clean(plan, exclude=["organization", "case", "created_by", "based_on"])
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if ServicePlan.objects.filter(case=case).exists():
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "This case already has a plan. Open it, or start a revision of the "
                        "approved one."
                    )
                }
            )
        plan.save()
        PlanEvent.objects.create(
            organization_id=plan.organization_id, plan=plan, kind=PlanEventKind.CREATED, actor=actor
        )
        _record("plan.create", actor, plan, case, number=plan.number)
    return plan


def plan_update(
    *,
    actor: User,
    plan: ServicePlan,
    expected_version: int | None,
    strengths: str,
    supports: str,
) -> ServicePlan:
    """The client's strengths and supports the plan builds on."""
    _require_change(actor, plan.case)
    with transaction.atomic():
        locked = _lock_plan(plan)
        check_version(locked, expected_version, _("plan"))
        _require_editable(locked)
        changed = _set(locked, _strip({"strengths": strengths, "supports": supports}))
        if changed:
            _clean(locked, exclude=["organization", "case", "created_by", "based_on"])
            _bump(locked, changed)
            _record("plan.update", actor, locked, plan.case, fields=changed)
    return locked


def plan_participation_record(
    *,
    actor: User,
    plan: ServicePlan,
    expected_version: int | None,
    reviewed_with_client_on: date | None,
    client_agreement: str,
    client_comments: str,
    acknowledgement: str,
    acknowledged_on: date | None,
    signature_name: str = "",
) -> ServicePlan:
    """That the plan was gone through with the client, what they said, and how they signed."""
    _require_change(actor, plan.case)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if client_agreement and client_agreement not in ClientAgreement.values:
        errors["client_agreement"] = _("Choose one of the answers.")
    if acknowledgement and acknowledgement not in Acknowledgement.values:
        errors["acknowledgement"] = _("Choose how the client signed or agreed.")
    if reviewed_with_client_on is not None and reviewed_with_client_on > today:
        errors["reviewed_with_client_on"] = _("This date is in the future.")
    if acknowledged_on is not None and acknowledged_on > today:
        errors["acknowledged_on"] = _("This date is in the future.")
    if (client_agreement or acknowledgement) and reviewed_with_client_on is None:
        errors["reviewed_with_client_on"] = _("Say when the plan was reviewed with the client.")
    if client_agreement in (ClientAgreement.PARTLY, ClientAgreement.DISAGREES) and not (
        client_comments.strip()
    ):
        errors["client_comments"] = _(
            "Write down, in the client's words, what they do not agree with."
        )
    if acknowledgement and acknowledged_on is None:
        errors["acknowledged_on"] = _("Say when the client signed or agreed.")
    if acknowledgement == Acknowledgement.SIGNED_SCREEN and not signature_name.strip():
        errors["signature_name"] = _("Ask the client to type their name to sign.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_plan(plan)
        check_version(locked, expected_version, _("plan"))
        if locked.status == PlanStatus.SUPERSEDED:
            _require_editable(locked)
        changed = _set(
            locked,
            {
                "reviewed_with_client_on": reviewed_with_client_on,
                "client_agreement": client_agreement,
                "client_comments": client_comments.strip(),
                "acknowledgement": acknowledgement,
                "acknowledged_on": acknowledged_on if acknowledgement else None,
                "signature_name": (
                    signature_name.strip()
                    if acknowledgement == Acknowledgement.SIGNED_SCREEN
                    else ""
                ),
                # What the client agreed to is the plan as it is now.
                "agreed_content": (
                    content_digest(locked) if client_agreement or acknowledgement else ""
                ),
            },
        )
        if changed:
            _bump(locked, changed)
            _record(
                "plan.participation",
                actor,
                locked,
                plan.case,
                fields=changed,
                client_agreement=client_agreement,
                acknowledgement=acknowledgement,
            )
    return locked


def _copy_items(source: ServicePlan, target: ServicePlan) -> None:
    """Copy goals, objectives and steps, keeping their keys so versions can be compared."""
    goals = list(source.goals.prefetch_related("objectives", "steps"))
    for goal in goals:
        objectives = list(goal.objectives.all())
        steps = list(goal.steps.all())
        goal.pk = None
        goal.plan = target
        goal.version = 1
        goal.save(force_insert=True)
        for objective in objectives:
            objective.pk = None
            objective.goal = goal
            objective.version = 1
        Objective.objects.bulk_create(objectives)
        for step in steps:
            step.pk = None
            step.goal = goal
            step.version = 1
        ActionStep.objects.bulk_create(steps)


def plan_revise(*, actor: User, plan: ServicePlan) -> ServicePlan:
    """A new draft version copied from the approved plan, which stays in force meanwhile."""
    _require_change(actor, plan.case)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError({NON_FIELD_ERRORS: _("Only the approved plan can be revised.")})
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=plan.case_id).first()
        existing = ServicePlan.objects.filter(
            case_id=plan.case_id, status__in=OPEN_PLAN_STATUSES
        ).first()
        if existing is not None:
            return existing
        number = (
            ServicePlan.objects.filter(case_id=plan.case_id).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        draft = ServicePlan.objects.create(
            organization_id=plan.organization_id,
            case=plan.case,
            number=number,
            based_on=plan,
            strengths=plan.strengths,
            supports=plan.supports,
            created_by=actor,
        )
        _copy_items(plan, draft)
        PlanEvent.objects.create(
            organization_id=draft.organization_id,
            plan=draft,
            kind=PlanEventKind.CREATED,
            actor=actor,
        )
        _record("plan.revise", actor, draft, plan.case, number=number, based_on_id=plan.pk)
    return draft


# --- workflow ---------------------------------------------------------------------------------


def _submission_problems(plan: ServicePlan) -> list[str]:
    goals = list(plan.goals.prefetch_related("objectives"))
    if not goals:
        return [_("Add at least one goal before submitting the plan.")]
    return [
        _("The goal “%(goal)s” needs at least one measurable objective.")
        % {"goal": goal.client_words[:60]}
        for goal in goals
        if not goal.objectives.all()
    ]


def plan_submit(*, actor: User, plan: ServicePlan, expected_version: int | None) -> ServicePlan:
    """Send the plan to the team's supervisors for approval."""
    _require_change(actor, plan.case)
    with transaction.atomic():
        locked = _lock_plan(plan)
        check_version(locked, expected_version, _("plan"))
        _require_editable(locked)
        problems = _submission_problems(locked)
        if problems:
            raise ValidationError({NON_FIELD_ERRORS: problems})
        resubmitted = locked.status == PlanStatus.RETURNED
        locked.status = PlanStatus.SUBMITTED
        locked.submitted_by = actor
        locked.submitted_at = timezone.now()
        _bump(locked, ["status", "submitted_by", "submitted_at"])
        PlanEvent.objects.create(
            organization_id=locked.organization_id,
            plan=locked,
            kind=PlanEventKind.SUBMITTED,
            actor=actor,
        )
        _record(
            "plan.submit", actor, locked, plan.case, number=locked.number, resubmitted=resubmitted
        )

        alerts_settle(key_prefix=f"plan_returned:plan:{locked.pk}:")
        alert_raise(
            recipients=[u for u in case_supervisors(plan.case) if u.pk != actor.pk],
            kind=AlertKind.PLAN_SUBMITTED,
            key=f"plan_submitted:plan:{locked.pk}:v{locked.version}",
            message=_("The plan for case %(case)s is waiting for your approval.")
            % {"case": plan.case.reference},
            case=plan.case,
            link=_plan_link(locked),
        )
    return locked


def _require_decision(actor: User, plan: ServicePlan) -> None:
    if not access.case_allows(actor, plan.case, Action.SUPERVISE):
        raise PermissionDenied(_("Only a supervisor of the case's team decides on its plan."))
    if plan_is_own(actor, plan):
        raise PermissionDenied(
            _("You can't approve or return a plan you wrote; another supervisor decides on it.")
        )


def plan_return(
    *, actor: User, plan: ServicePlan, expected_version: int | None, comment: str
) -> ServicePlan:
    """Send the plan back to the case manager with the supervisor's comments."""
    _require_decision(actor, plan)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change before it can be approved.")})
    with transaction.atomic():
        locked = _lock_plan(plan)
        check_version(locked, expected_version, _("plan"))
        if locked.status != PlanStatus.SUBMITTED:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Only a plan waiting for approval can be returned.")}
            )
        locked.status = PlanStatus.RETURNED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.return_comment = comment.strip()
        _bump(locked, ["status", "decided_by", "decided_at", "return_comment"])
        PlanEvent.objects.create(
            organization_id=locked.organization_id,
            plan=locked,
            kind=PlanEventKind.RETURNED,
            actor=actor,
            comment=comment.strip(),
        )
        _record("plan.return", actor, locked, plan.case, number=locked.number)

        # decided: the other supervisors' "waiting for approval" alerts are settled too
        alerts_settle(key_prefix=f"plan_submitted:plan:{locked.pk}:")

        recipients = [
            u
            for u in (plan.case.case_manager, locked.submitted_by)
            if u is not None and u.pk != actor.pk
        ]
        alert_raise(
            recipients=recipients,
            kind=AlertKind.PLAN_RETURNED,
            key=f"plan_returned:plan:{locked.pk}:v{locked.version}",
            message=_("The plan for case %(case)s was returned for revision.")
            % {"case": plan.case.reference},
            case=plan.case,
            link=_plan_link(locked),
        )
    return locked


def next_review_date(case: Case, start: date) -> date:
    return start + timedelta(days=case.program.review_interval_days)


def plan_approve(
    *, actor: User, plan: ServicePlan, expected_version: int | None, comment: str = ""
) -> ServicePlan:
    """Make the plan the case's active plan; the one it revises is superseded.

    The approved content is frozen in a ``PlanVersion`` snapshot, and the case's next
    review date is set from the program's review interval.
    """
    _require_decision(actor, plan)
    with transaction.atomic():
        locked = _lock_plan(plan)
        check_version(locked, expected_version, _("plan"))
        if locked.status != PlanStatus.SUBMITTED:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Only a plan waiting for approval can be approved.")}
            )
        now = timezone.now()
        today = timezone.localdate(now)
        previous = (
            ServicePlan.objects.select_for_update()
            .filter(case_id=plan.case_id, status=PlanStatus.APPROVED)
            .first()
        )
        if previous is not None:
            previous.status = PlanStatus.SUPERSEDED
            previous.superseded_at = now
            _bump(previous, ["status", "superseded_at"])
        locked.status = PlanStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = now
        locked.approved_on = today
        locked.return_comment = ""
        _bump(locked, ["status", "decided_by", "decided_at", "approved_on", "return_comment"])
        PlanEvent.objects.create(
            organization_id=locked.organization_id,
            plan=locked,
            kind=PlanEventKind.APPROVED,
            actor=actor,
            comment=comment.strip(),
        )
        PlanVersion.objects.create(
            organization_id=locked.organization_id,
            case_id=locked.case_id,
            plan=locked,
            number=locked.number,
            snapshot=plan_snapshot(locked),
            approved_by=actor,
            approved_at=now,
        )
        case = plan.case
        case.next_review_on = next_review_date(case, today)
        Case.objects.filter(pk=case.pk).update(next_review_on=case.next_review_on)
        _record(
            "plan.approve",
            actor,
            locked,
            case,
            number=locked.number,
            superseded_id=previous.pk if previous is not None else None,
            next_review_on=case.next_review_on,
        )

        alerts_settle(key_prefix=f"plan_submitted:plan:{locked.pk}:")
    return locked


# --- goals, objectives and steps --------------------------------------------------------------


def _editable_plan_of(actor: User, plan: ServicePlan) -> ServicePlan:
    """Check the actor may change ``plan`` now; the plan row stays locked meanwhile."""
    _require_change(actor, plan.case)
    locked = _lock_plan(plan)
    _require_editable(locked)
    return locked


def _next_position(qs: models.QuerySet[Any]) -> int:
    return int(qs.aggregate(n=Max("position"))["n"] or 0) + 1


def _goal_values(
    *,
    plan: ServicePlan,
    client_words: str,
    summary: str,
    priority: int,
    strengths_used: str,
    need_id: int | None,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not client_words.strip():
        errors["client_words"] = _("Write the goal the way the client said it.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose high, medium or low.")
    values: dict[str, Any] = _strip(
        {
            "client_words": client_words,
            "summary": summary,
            "priority": priority,
            "strengths_used": strengths_used,
        }
    )
    if need_id is not None:
        from casework.assessments.models import IdentifiedNeed

        need = IdentifiedNeed.objects.filter(pk=need_id, case_id=plan.case_id).first()
        if need is None:
            errors["need"] = _("Choose one of this case's assessed needs.")
        else:
            values.update(need_id=need.pk, domain=need.domain, domain_label=need.domain_label)
    else:
        values.update(need_id=None)
    if errors:
        raise ValidationError(errors)
    return values


def goal_add(
    *,
    actor: User,
    plan: ServicePlan,
    client_words: str,
    summary: str = "",
    priority: int = Priority.MEDIUM,
    strengths_used: str = "",
    need_id: int | None = None,
) -> Goal:
    """A goal in the client's words, optionally starting from an assessed need."""
    values = _goal_values(
        plan=plan,
        client_words=client_words,
        summary=summary,
        priority=priority,
        strengths_used=strengths_used,
        need_id=need_id,
    )
    if values.get("need_id") is None:
        values.pop("need_id", None)
    with transaction.atomic():
        locked = _editable_plan_of(actor, plan)
        goal = Goal(
            organization_id=locked.organization_id,
            plan=locked,
            case_id=locked.case_id,
            position=_next_position(locked.goals.all()),
            **values,
        )
        _clean(goal, exclude=["organization", "plan", "case", "need"])
        goal.save()
        _record("goal.add", actor, goal, plan.case, plan_id=plan.pk, need_id=goal.need_id)
    return goal


def _lock_item(item: Item, expected_version: int | None, noun: str) -> Item:
    locked: Item = type(item)._default_manager.select_for_update().get(pk=item.pk)
    check_version(locked, expected_version, noun)
    return locked


def goal_update(
    *,
    actor: User,
    goal: Goal,
    expected_version: int | None,
    client_words: str,
    summary: str,
    priority: int,
    strengths_used: str,
    need_id: int | None = None,
) -> Goal:
    plan = goal.plan
    values = _goal_values(
        plan=plan,
        client_words=client_words,
        summary=summary,
        priority=priority,
        strengths_used=strengths_used,
        need_id=need_id,
    )
    if need_id is None:
        values.pop("need_id")
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        locked = _lock_item(goal, expected_version, _("goal"))
        changed = _set(locked, values)
        if changed:
            _clean(locked, exclude=["organization", "plan", "case", "need"])
            _bump(locked, changed)
            _record("goal.update", actor, locked, plan.case, plan_id=plan.pk, fields=changed)
    locked.plan = plan
    return locked


def goal_remove(*, actor: User, goal: Goal, expected_version: int | None) -> None:
    plan = goal.plan
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        locked = _lock_item(goal, expected_version, _("goal"))
        if locked.ratings.exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This goal was rated in a review and can't be removed.")}
            )
        pk = locked.pk
        locked.delete()
        audit.record(
            action="goal.remove",
            actor=actor,
            object_type="plans.goal",
            object_id=pk,
            client_id=plan.case.client_id,
            changes={"plan_id": plan.pk},
        )


def _objective_values(
    *, description: str, measure: str, target_date: date | None, today: date
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = _("Say what will be achieved.")
    if target_date is None:
        errors["target_date"] = _("Give a target date: an objective must be time-bound.")
    if errors:
        raise ValidationError(errors)
    return _strip({"description": description, "measure": measure, "target_date": target_date})


def objective_add(
    *,
    actor: User,
    goal: Goal,
    description: str,
    target_date: date | None,
    measure: str = "",
) -> Objective:
    """A measurable, time-bound objective toward a goal."""
    today = timezone.localdate()
    values = _objective_values(
        description=description, measure=measure, target_date=target_date, today=today
    )
    if target_date is not None and target_date < today:
        raise ValidationError({"target_date": _("The target date has already passed.")})
    plan = goal.plan
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        objective = Objective(
            organization_id=goal.organization_id,
            goal=goal,
            position=_next_position(goal.objectives.all()),
            **values,
        )
        _clean(objective, exclude=["organization", "goal"])
        objective.save()
        _record("objective.add", actor, objective, plan.case, goal_id=goal.pk)
    return objective


def objective_update(
    *,
    actor: User,
    objective: Objective,
    expected_version: int | None,
    description: str,
    target_date: date | None,
    measure: str = "",
) -> Objective:
    goal = objective.goal
    plan = goal.plan
    values = _objective_values(
        description=description,
        measure=measure,
        target_date=target_date,
        today=timezone.localdate(),
    )
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        locked = _lock_item(objective, expected_version, _("objective"))
        changed = _set(locked, values)
        if changed:
            _clean(locked, exclude=["organization", "goal"])
            _bump(locked, changed)
            _record("objective.update", actor, locked, plan.case, goal_id=goal.pk, fields=changed)
    locked.goal = goal
    return locked


def objective_progress(
    *,
    actor: User,
    objective: Objective,
    expected_version: int | None,
    status: str,
    achieved_on: date | None = None,
) -> Objective:
    """Record progress on an objective, also on the approved plan (it is work, not content)."""
    goal = objective.goal
    plan = goal.plan
    _require_change(actor, plan.case)
    errors: dict[str, str] = {}
    if status not in Progress.values:
        errors["status"] = _("Choose the progress from the list.")
    if status == Progress.ACHIEVED and achieved_on is None:
        achieved_on = timezone.localdate()
    if achieved_on is not None and achieved_on > timezone.localdate():
        errors["achieved_on"] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)
    if plan.status == PlanStatus.SUPERSEDED:
        _require_editable(plan)
    with transaction.atomic():
        locked = _lock_item(objective, expected_version, _("objective"))
        changed = _set(
            locked,
            {
                "status": status,
                "achieved_on": achieved_on if status == Progress.ACHIEVED else None,
            },
        )
        if changed:
            _bump(locked, changed)
            _record("objective.progress", actor, locked, plan.case, goal_id=goal.pk, status=status)
    locked.goal = goal
    return locked


def _goal_item_remove(
    *,
    actor: User,
    item: Objective | ActionStep,
    expected_version: int | None,
    label: str,
    action: str,
) -> None:
    """Remove an objective or a step of a goal, on a plan the actor may still change."""
    goal = item.goal
    plan = goal.plan
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        locked = _lock_item(item, expected_version, label)
        pk = locked.pk
        locked.delete()
        audit.record(
            action=action,
            actor=actor,
            object_type=item._meta.label_lower,
            object_id=pk,
            client_id=plan.case.client_id,
            changes={"goal_id": goal.pk},
        )


def objective_remove(*, actor: User, objective: Objective, expected_version: int | None) -> None:
    _goal_item_remove(
        actor=actor,
        item=objective,
        expected_version=expected_version,
        label=_("objective"),
        action="objective.remove",
    )


def _step_values(
    *,
    plan: ServicePlan,
    description: str,
    owner_kind: str,
    owner_user_id: int | None,
    owner_name: str,
    due_date: date | None,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = _("Say what will be done.")
    if owner_kind not in StepOwner.values:
        errors["owner_kind"] = _("Choose who does it.")
    if owner_kind == StepOwner.COLLEAGUE:
        if (
            owner_user_id is None
            or not User.objects.filter(
                pk=owner_user_id, organization_id=plan.organization_id, is_active=True
            ).exists()
        ):
            errors["owner_user"] = _("Choose the colleague who does it.")
    else:
        owner_user_id = None
    if owner_kind in (StepOwner.FAMILY, StepOwner.PROVIDER) and not owner_name.strip():
        errors["owner_name"] = (
            _("Name the family member.")
            if owner_kind == StepOwner.FAMILY
            else _("Name the provider.")
        )
    if owner_kind in (StepOwner.CLIENT, StepOwner.CASE_MANAGER):
        owner_name = ""
    if errors:
        raise ValidationError(errors)
    return _strip(
        {
            "description": description,
            "owner_kind": owner_kind,
            "owner_user_id": owner_user_id,
            "owner_name": owner_name,
            "due_date": due_date,
        }
    )


def step_add(
    *,
    actor: User,
    goal: Goal,
    description: str,
    owner_kind: str,
    owner_user_id: int | None = None,
    owner_name: str = "",
    due_date: date | None = None,
) -> ActionStep:
    """Who does what toward a goal: the client, family, the case manager, a colleague or a
    provider."""
    plan = goal.plan
    values = _step_values(
        plan=plan,
        description=description,
        owner_kind=owner_kind,
        owner_user_id=owner_user_id,
        owner_name=owner_name,
        due_date=due_date,
    )
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        step = ActionStep(
            organization_id=goal.organization_id,
            goal=goal,
            position=_next_position(goal.steps.all()),
            **values,
        )
        _clean(step, exclude=["organization", "goal", "owner_user"])
        step.save()
        _record("step.add", actor, step, plan.case, goal_id=goal.pk, owner_kind=owner_kind)
    return step


def step_update(
    *,
    actor: User,
    step: ActionStep,
    expected_version: int | None,
    description: str,
    owner_kind: str,
    owner_user_id: int | None = None,
    owner_name: str = "",
    due_date: date | None = None,
) -> ActionStep:
    goal = step.goal
    plan = goal.plan
    values = _step_values(
        plan=plan,
        description=description,
        owner_kind=owner_kind,
        owner_user_id=owner_user_id,
        owner_name=owner_name,
        due_date=due_date,
    )
    with transaction.atomic():
        _editable_plan_of(actor, plan)
        locked = _lock_item(step, expected_version, _("action step"))
        changed = _set(locked, values)
        if changed:
            _clean(locked, exclude=["organization", "goal", "owner_user"])
            _bump(locked, changed)
            _record("step.update", actor, locked, plan.case, goal_id=goal.pk, fields=changed)
    locked.goal = goal
    return locked


def step_remove(*, actor: User, step: ActionStep, expected_version: int | None) -> None:
    _goal_item_remove(
        actor=actor,
        item=step,
        expected_version=expected_version,
        label=_("action step"),
        action="step.remove",
    )


def step_mark_done(
    *,
    actor: User | None,
    step: ActionStep,
    done_on: date,
    expected_version: int | None = None,
    referral_id: int | None = None,
) -> ActionStep:
    """Record that an action step was done, also on the approved plan (progress, not content).

    Staff need to be allowed to change the case. A completed referral marks its step
    done whoever reported the completion (a partner agency, a provider's secure link):
    the referrals service has checked that reporter's right, and passes ``referral_id``.
    """
    goal = step.goal
    plan = goal.plan
    if referral_id is None:
        if actor is None:
            raise PermissionDenied(_("You may not change this plan."))
        _require_change(actor, plan.case)
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("This date is in the future.")})
    if plan.status == PlanStatus.SUPERSEDED:
        _require_editable(plan)
    with transaction.atomic():
        locked = _lock_item(step, expected_version, _("action step"))
        if locked.done_on is None:
            locked.done_on = done_on
            _bump(locked, ["done_on"])
            audit.record(
                action="step.done",
                actor=actor,
                organization=locked.organization_id,
                target=locked,
                client_id=plan.case.client_id,
                changes={"goal_id": goal.pk, "done_on": done_on, "referral_id": referral_id},
            )
    locked.goal = goal
    return locked


# --- periodic review ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """One goal's rating as a review form or the API sends it."""

    goal_id: int
    attainment: int
    status: str
    comment: str = ""


def plan_review_record(
    *,
    actor: User,
    plan: ServicePlan,
    ratings: list[Rating],
    reviewed_on: date | None = None,
    summary: str = "",
    outcome: str = ReviewOutcome.CONTINUE,
) -> PlanReview:
    """Rate every goal of the active plan; set the next review; maybe start a revision."""
    _require_change(actor, plan.case)
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    errors: dict[str, Any] = {}
    if plan.status != PlanStatus.APPROVED:
        errors[NON_FIELD_ERRORS] = _("Only the active (approved) plan is reviewed.")
    if reviewed_on > today:
        errors["reviewed_on"] = _("This date is in the future.")
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = _("Choose what happens next.")
    goals = {g.pk: g for g in plan.goals.all()}
    by_goal = {r.goal_id: r for r in ratings}
    rating_errors: dict[str, str] = {}
    for goal_id in goals:
        rating = by_goal.get(goal_id)
        if rating is None:
            rating_errors[f"goal_{goal_id}"] = _("Rate this goal.")
        elif rating.attainment not in range(-2, 3):
            rating_errors[f"goal_{goal_id}"] = _("Goal attainment runs from −2 to +2.")
        elif rating.status not in Progress.values:
            rating_errors[f"goal_{goal_id}"] = _("Choose the progress from the list.")
    unknown = set(by_goal) - set(goals)
    if unknown:
        errors["ratings"] = _("Rate the goals of this plan only.")
    errors.update(rating_errors)
    if errors:
        raise ValidationError(errors)
    case = plan.case
    with transaction.atomic():
        locked = _lock_plan(plan)
        if locked.status != PlanStatus.APPROVED:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Only the active (approved) plan is reviewed.")}
            )
        next_review = next_review_date(case, reviewed_on)
        review = PlanReview.objects.create(
            organization_id=locked.organization_id,
            case_id=case.pk,
            plan=locked,
            reviewed_on=reviewed_on,
            reviewed_by=actor,
            summary=summary.strip(),
            outcome=outcome,
            next_review_on=next_review,
        )
        GoalRating.objects.bulk_create(
            GoalRating(
                organization_id=locked.organization_id,
                review=review,
                goal_id=goal_id,
                attainment=by_goal[goal_id].attainment,
                status=by_goal[goal_id].status,
                comment=by_goal[goal_id].comment.strip(),
            )
            for goal_id in goals
        )
        for goal_id, goal in goals.items():
            if goal.status != by_goal[goal_id].status:
                Goal.objects.filter(pk=goal_id).update(
                    status=by_goal[goal_id].status, version=F("version") + 1
                )
        case.next_review_on = next_review
        Case.objects.filter(pk=case.pk).update(next_review_on=next_review)
        _record(
            "plan.review",
            actor,
            review,
            case,
            plan_id=locked.pk,
            outcome=outcome,
            next_review_on=next_review,
        )
        if outcome == ReviewOutcome.REVISE:
            plan_revise(actor=actor, plan=locked)
    return review


def plan_viewed(*, actor: User, case: Case, via: str) -> None:
    """Log that someone read a case's service plan (access is checked by the caller): the
    privacy officer's "who has seen this record" report lists it."""
    audit.record(
        action="plan.view",
        actor=actor,
        target=case,
        client_id=case.client_id,
        changes={"via": via},
    )

"""Approved plans frozen as plain data, and the difference between two of them in words.

Goals, objectives and steps keep their ``key`` from one version to the next, so a
goal that was reworded shows as changed rather than as one removed and one added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .models import ActionStep, Goal, Objective, ServicePlan

SNAPSHOT_FORMAT = 1


def _date(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _objective(objective: Objective) -> dict[str, Any]:
    return {
        "key": str(objective.key),
        "description": objective.description,
        "measure": objective.measure,
        "target_date": _date(objective.target_date),
        "status": objective.status,
        "status_label": str(objective.get_status_display()),
    }


def _step(step: ActionStep) -> dict[str, Any]:
    owner = str(step.get_owner_kind_display())
    if step.owner_user is not None:
        owner = f"{owner}: {step.owner_user.get_full_name() or step.owner_user.email}"
    elif step.owner_name:
        owner = f"{owner}: {step.owner_name}"
    return {
        "key": str(step.key),
        "description": step.description,
        "owner_kind": step.owner_kind,
        "owner": owner,
        "due_date": _date(step.due_date),
    }


def _goal(goal: Goal) -> dict[str, Any]:
    return {
        "key": str(goal.key),
        "domain_label": goal.domain_label,
        "client_words": goal.client_words,
        "summary": goal.summary,
        "priority": goal.priority,
        "priority_label": str(goal.get_priority_display()),
        "strengths_used": goal.strengths_used,
        "objectives": [_objective(o) for o in goal.objectives.all()],
        "steps": [_step(s) for s in goal.steps.all()],
    }


def plan_snapshot(plan: ServicePlan) -> dict[str, Any]:
    """Everything the plan says, as it says it now."""
    goals = plan.goals.prefetch_related("objectives", "steps__owner_user").order_by(
        "priority", "position", "pk"
    )
    return {
        "format": SNAPSHOT_FORMAT,
        "number": plan.number,
        "strengths": plan.strengths,
        "supports": plan.supports,
        "goals": [_goal(g) for g in goals],
    }


def content_digest(plan: ServicePlan) -> str:
    """A fingerprint of what the plan asks of everyone: its strengths and supports, and each
    goal with its objectives and steps. Progress (an objective's status) is not content.

    The client's agreement is kept with the fingerprint of what they went through, so a
    change afterwards shows that their agreement is to an earlier version. Reads
    ``plan.goals.all()`` and each goal's objectives and steps, prefetched or not.
    """
    goals = [(g, g.objectives.all(), g.steps.all()) for g in plan.goals.all()]
    return digest_of(strengths=plan.strengths, supports=plan.supports, goals=goals)


def digest_of(
    *,
    strengths: str,
    supports: str,
    goals: Iterable[tuple[Goal, Iterable[Objective], Iterable[ActionStep]]],
) -> str:
    """``content_digest`` of a plan given as its parts (saved or not: the generator's)."""

    def by_key(rows: Iterable[Any]) -> list[Any]:
        return sorted(rows, key=lambda row: str(row.key))

    content = {
        "strengths": strengths,
        "supports": supports,
        "goals": sorted(
            (
                {
                    "key": str(goal.key),
                    "domain": goal.domain_label,
                    "client_words": goal.client_words,
                    "summary": goal.summary,
                    "priority": goal.priority,
                    "strengths_used": goal.strengths_used,
                    "objectives": [
                        [str(o.key), o.description, o.measure, _date(o.target_date)]
                        for o in by_key(objectives)
                    ],
                    "steps": [
                        [
                            str(s.key),
                            s.description,
                            s.owner_kind,
                            s.owner_user_id,
                            s.owner_name,
                            _date(s.due_date),
                        ]
                        for s in by_key(steps)
                    ],
                }
                for goal, objectives, steps in goals
            ),
            key=lambda g: str(g["key"]),
        ),
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def agreement_state(plan: ServicePlan) -> str:
    """ "current" when the client agreed to the plan as it is now, "outdated" when it has
    changed since, "none" when they have not agreed to any version (reviewed or not)."""
    if not (plan.client_agreement or plan.acknowledgement):
        return "none"
    if plan.agreed_content and plan.agreed_content == content_digest(plan):
        return "current"
    return "outdated"


# --- comparing two versions ------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ItemChange:
    """An objective or step that was added, removed or changed."""

    kind: str  # "objective" or "step"
    change: str  # "added", "removed", "changed"
    text: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class GoalChange:
    change: str  # "added", "removed", "changed", "same"
    text: str
    fields: list[FieldChange] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)


@dataclass
class PlanDiff:
    fields: list[FieldChange]
    goals: list[GoalChange]

    @property
    def has_changes(self) -> bool:
        return bool(self.fields) or any(g.change != "same" for g in self.goals)


def _field_changes(
    before: dict[str, Any], after: dict[str, Any], labels: dict[str, str]
) -> list[FieldChange]:
    return [
        FieldChange(label, str(before.get(name, "")), str(after.get(name, "")))
        for name, label in labels.items()
        if before.get(name, "") != after.get(name, "")
    ]


def _goal_labels() -> dict[str, str]:
    return {
        "client_words": _("In the client's words"),
        "summary": _("Professional summary"),
        "priority_label": _("Priority"),
        "domain_label": _("Life domain"),
        "strengths_used": _("Strengths and supports used"),
    }


def _item_labels(kind: str) -> dict[str, str]:
    if kind == "objective":
        return {
            "description": _("Objective"),
            "measure": _("How we will know"),
            "target_date": _("Target date"),
        }
    return {
        "description": _("Action step"),
        "owner": _("Who does it"),
        "due_date": _("By when"),
    }


def _items(
    kind: str, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[ItemChange]:
    labels = _item_labels(kind)
    old = {i["key"]: i for i in before}
    new = {i["key"]: i for i in after}
    changes = []
    for key, item in new.items():
        if key not in old:
            changes.append(ItemChange(kind, "added", item["description"]))
            continue
        fields = _field_changes(old[key], item, labels)
        if fields:
            changes.append(ItemChange(kind, "changed", item["description"], fields))
    changes.extend(
        ItemChange(kind, "removed", item["description"])
        for key, item in old.items()
        if key not in new
    )
    return changes


def plan_diff(before: dict[str, Any], after: dict[str, Any]) -> PlanDiff:
    """What changed from ``before`` to ``after`` (two snapshots), in readable pieces."""
    plan_fields = _field_changes(
        before, after, {"strengths": _("Strengths"), "supports": _("Supports")}
    )
    old = {g["key"]: g for g in before.get("goals", [])}
    goals: list[GoalChange] = []
    labels = _goal_labels()
    for goal in after.get("goals", []):
        previous = old.get(goal["key"])
        if previous is None:
            goals.append(
                GoalChange(
                    "added",
                    goal["client_words"],
                    items=_items("objective", [], goal["objectives"])
                    + _items("step", [], goal["steps"]),
                )
            )
            continue
        fields = _field_changes(previous, goal, labels)
        items = _items("objective", previous["objectives"], goal["objectives"]) + _items(
            "step", previous["steps"], goal["steps"]
        )
        goals.append(
            GoalChange(
                "changed" if fields or items else "same", goal["client_words"], fields, items
            )
        )
    new_keys = {g["key"] for g in after.get("goals", [])}
    goals.extend(
        GoalChange("removed", goal["client_words"])
        for key, goal in old.items()
        if key not in new_keys
    )
    return PlanDiff(plan_fields, goals)

"""Eligibility rules of a program, stored as data (a JSON list on ``Program``).

A rule reads: *criterion* *operator* *value*, with a plain-language label that
intake staff see while screening. Example::

    {"criterion": "age", "operator": "between", "value": [18, 64],
     "label": "Adults 18 to 64"}

The intake issue evaluates these against an application; this module only
defines the vocabulary and validates a rule list, naming each problem.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CRITERIA: dict[str, str] = {
    "age": "number",
    "household_income_percent_fpl": "number",
    "monthly_income": "number",
    "county": "text",
    "zip_code": "text",
    "diagnosis": "text",
    "need": "text",
    "veteran": "boolean",
    "homeless": "boolean",
    "household_has_children": "boolean",
    "other": "text",
}

OPERATORS: dict[str, set[str]] = {
    "number": {"between", "at_least", "at_most", "equals"},
    "text": {"in", "equals", "documented"},
    "boolean": {"equals"},
}


def _value_problem(kind: str, operator: str, value: Any) -> str | None:
    if operator == "documented":
        return None
    if kind == "number":
        if operator == "between":
            if (
                not isinstance(value, list)
                or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            ):
                return _("needs two numbers, lowest and highest")
            if value[0] > value[1]:
                return _("the lowest number is above the highest")
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            return _("needs a number")
        return None
    if kind == "boolean":
        return None if isinstance(value, bool) else _("needs yes or no (true/false)")
    if operator == "in":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return _("needs a list of one or more words")
        return None
    return None if isinstance(value, str) and value.strip() else _("needs a value")


def validate_rules(rules: Any) -> list[dict[str, Any]]:
    """Return the rules cleaned, or raise ValidationError naming every problem."""
    if not isinstance(rules, list):
        raise ValidationError({"eligibility_rules": _("Must be a list of rules.")})
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    for index, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            problems.append(_("Rule %(n)d: must be an object.") % {"n": index})
            continue
        criterion = rule.get("criterion")
        operator = rule.get("operator")
        label = str(rule.get("label", "")).strip()
        if criterion not in CRITERIA:
            problems.append(
                _("Rule %(n)d: unknown criterion %(c)r; use one of %(all)s.")
                % {"n": index, "c": criterion, "all": ", ".join(sorted(CRITERIA))}
            )
            continue
        kind = CRITERIA[criterion]
        if operator not in OPERATORS[kind]:
            problems.append(
                _("Rule %(n)d: operator %(o)r does not apply to %(c)s; use one of %(all)s.")
                % {
                    "n": index,
                    "o": operator,
                    "c": criterion,
                    "all": ", ".join(sorted(OPERATORS[kind])),
                }
            )
            continue
        problem = _value_problem(kind, operator, rule.get("value"))
        if problem:
            problems.append(
                _("Rule %(n)d (%(c)s): value %(p)s.") % {"n": index, "c": criterion, "p": problem}
            )
            continue
        if not label:
            problems.append(_("Rule %(n)d: needs a label staff will read.") % {"n": index})
            continue
        cleaned.append(
            {
                "criterion": criterion,
                "operator": operator,
                "value": rule.get("value"),
                "label": label,
            }
        )
    if problems:
        raise ValidationError({"eligibility_rules": problems})
    return cleaned

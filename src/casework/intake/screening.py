"""The screening engine: a program's eligibility rules (data) against what intake knows.

Answers are keyed by criterion (``core.eligibility.CRITERIA``): a number for number
criteria, a word or a list of words for text criteria, ``True``/``False`` for yes-or-no
criteria and for rules that ask that something is *documented*. A missing answer is
not a failure: it means intake still needs that information. Age comes from the
client's date of birth on the day the application was received; only when the record
has no date of birth does an ``age`` answer count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casework.core.eligibility import CRITERIA


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    NEEDS_INFO = "needs_info"

    @property
    def label(self) -> str:
        return {
            Outcome.PASS: _("Meets"),
            Outcome.FAIL: _("Does not meet"),
            Outcome.NEEDS_INFO: _("Needs information"),
        }[self]


@dataclass(frozen=True)
class RuleResult:
    criterion: str
    label: str
    outcome: Outcome
    explanation: str


@dataclass(frozen=True)
class ScreeningResult:
    results: list[RuleResult] = field(default_factory=list)

    @property
    def outcome(self) -> Outcome:
        outcomes = {r.outcome for r in self.results}
        if Outcome.FAIL in outcomes:
            return Outcome.FAIL
        if Outcome.NEEDS_INFO in outcomes:
            return Outcome.NEEDS_INFO
        return Outcome.PASS

    @property
    def summary(self) -> str:
        if not self.results:
            return _("This program has no eligibility rules: everyone may apply.")
        return {
            Outcome.PASS: _("Meets every eligibility rule."),
            Outcome.FAIL: _("Does not meet at least one eligibility rule."),
            Outcome.NEEDS_INFO: _("No rule failed yet, but some need more information."),
        }[self.outcome]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def _number_rule(rule: Mapping[str, Any], answer: float, what: str) -> RuleResult:
    op, value = rule["operator"], rule["value"]
    shown = _fmt(answer)
    if op == "between":
        low, high = value
        ok = low <= answer <= high
        text = (
            _("%(what)s %(v)s is between %(lo)s and %(hi)s.")
            if ok
            else _("%(what)s %(v)s is outside %(lo)s to %(hi)s.")
        ) % {"what": what, "v": shown, "lo": _fmt(low), "hi": _fmt(high)}
    elif op == "at_least":
        ok = answer >= value
        text = (
            _("%(what)s %(v)s is at least %(limit)s.")
            if ok
            else _("%(what)s %(v)s is below %(limit)s.")
        ) % {"what": what, "v": shown, "limit": _fmt(value)}
    elif op == "at_most":
        ok = answer <= value
        text = (
            _("%(what)s %(v)s is at most %(limit)s.")
            if ok
            else _("%(what)s %(v)s is above %(limit)s.")
        ) % {"what": what, "v": shown, "limit": _fmt(value)}
    else:
        ok = answer == value
        text = (
            _("%(what)s is %(v)s, as required.") if ok else _("%(what)s is %(v)s, not %(limit)s.")
        ) % {"what": what, "v": shown, "limit": _fmt(value)}
    return RuleResult(rule["criterion"], rule["label"], Outcome.PASS if ok else Outcome.FAIL, text)


def _text_rule(rule: Mapping[str, Any], answer: Any) -> RuleResult:
    criterion, op, value = rule["criterion"], rule["operator"], rule["value"]
    if op == "documented":
        if answer is True:
            return RuleResult(criterion, rule["label"], Outcome.PASS, _("Documented."))
        return RuleResult(
            criterion,
            rule["label"],
            Outcome.FAIL,
            _("Recorded as not documented (%(what)s).") % {"what": value},
        )
    given = _words(answer)
    wanted = [value] if op == "equals" else list(value)
    wanted_folded = {w.casefold(): w for w in wanted}
    matches = [w for w in given if w.strip().casefold() in wanted_folded]
    if matches:
        return RuleResult(
            criterion,
            rule["label"],
            Outcome.PASS,
            _("%(answer)s is one of the accepted answers.") % {"answer": ", ".join(matches)},
        )
    return RuleResult(
        criterion,
        rule["label"],
        Outcome.FAIL,
        _("%(answer)s is not among: %(accepted)s.")
        % {"answer": ", ".join(given), "accepted": ", ".join(wanted)},
    )


def _missing(rule: Mapping[str, Any], text: str) -> RuleResult:
    return RuleResult(rule["criterion"], rule["label"], Outcome.NEEDS_INFO, text)


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def evaluate_rule(
    rule: Mapping[str, Any],
    answers: Mapping[str, Any],
    *,
    date_of_birth: date | None,
    on: date,
) -> RuleResult:
    criterion = rule["criterion"]
    kind = CRITERIA[criterion]
    answer: Any = answers.get(criterion)
    if criterion == "age" and date_of_birth is not None:
        born = date_of_birth
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return _number_rule(rule, age, _("Age on the day received,"))
    if not _answered(answer):
        if criterion == "age":
            return _missing(rule, _("No date of birth on record and no age given."))
        if rule["operator"] == "documented":
            return _missing(rule, _("Not yet known whether this is documented."))
        return _missing(rule, _("No answer yet."))
    if kind == "number":
        if not _is_number(answer):
            return _missing(rule, _("The answer is not a number."))
        return _number_rule(rule, answer, _("The answer"))
    if kind == "boolean":
        if not isinstance(answer, bool):
            return _missing(rule, _("The answer is not yes or no."))
        ok = answer == rule["value"]
        yes_no = _("yes") if answer else _("no")
        text = (
            _("Answered %(a)s, as required.")
            if ok
            else _("Answered %(a)s; the program needs %(w)s.")
        ) % {"a": yes_no, "w": _("yes") if rule["value"] else _("no")}
        return RuleResult(criterion, rule["label"], Outcome.PASS if ok else Outcome.FAIL, text)
    if rule["operator"] == "documented" and not isinstance(answer, bool):
        return _missing(rule, _("The answer should say whether it is documented (yes or no)."))
    return _text_rule(rule, answer)


def evaluate(
    rules: Iterable[Mapping[str, Any]],
    answers: Mapping[str, Any],
    *,
    date_of_birth: date | None,
    on: date,
) -> ScreeningResult:
    """Each rule's outcome with a plain-language explanation, in the rules' order."""
    return ScreeningResult(
        [evaluate_rule(r, answers, date_of_birth=date_of_birth, on=on) for r in rules]
    )


def _clean_answer(criterion: str, documented: bool, value: Any) -> Any:
    kind = CRITERIA[criterion]
    if documented or kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(_("Answer yes (true) or no (false)."))
        return value
    if kind == "number":
        if not _is_number(value):
            raise ValueError(_("Enter a number."))
        if value < 0:
            raise ValueError(_("Enter a number of zero or more."))
        return value
    if isinstance(value, str):
        if len(value) > 200:
            raise ValueError(_("Keep the answer under 200 characters."))
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) and len(v) <= 200 for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ValueError(_("Enter a word or a list of words."))


def clean_answers(rules: Iterable[Mapping[str, Any]], answers: Any) -> dict[str, Any]:
    """The answers, typed and limited to the program's criteria; errors name each answer.

    Empty answers are dropped: not knowing yet is allowed while screening.
    """
    if not isinstance(answers, Mapping):
        raise ValidationError({"screening_answers": _("Send the answers as an object.")})
    criteria: dict[str, bool] = {}
    for rule in rules:
        documented = rule["operator"] == "documented"
        criteria[rule["criterion"]] = criteria.get(rule["criterion"], False) or documented
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for criterion, value in answers.items():
        name = f"screening_answers.{criterion}"
        if criterion not in criteria:
            errors[name] = _("This program has no eligibility rule about %(c)s.") % {"c": criterion}
            continue
        if not _answered(value):
            continue
        try:
            cleaned[criterion] = _clean_answer(criterion, criteria[criterion], value)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def questions(rules: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(criterion, kind of answer, labels) for each criterion the rules ask about, once.

    The kind is ``number``, ``text`` or ``yes_no`` (booleans and ``documented`` rules).
    """
    seen: dict[str, tuple[str, list[str]]] = {}
    for rule in rules:
        criterion = rule["criterion"]
        kind = CRITERIA[criterion]
        answer_kind = "yes_no" if kind == "boolean" or rule["operator"] == "documented" else kind
        entry = seen.setdefault(criterion, (answer_kind, []))
        entry[1].append(rule["label"])
    return [(c, kind, "; ".join(labels)) for c, (kind, labels) in seen.items()]

"""Instrument definitions: their shape, the validator, answers, visibility and scores.

A definition is JSON data, edited by program managers::

    {"sections": [{"id", "title", "description"?, "questions": [
        {"id", "kind", "label", "help"?, "required"?, "min"?, "max"?, "choices"?,
         "scale"?, "show_when"?}]}],
     "scoring": [{"id", "label", "kind": "value" | "sum", "question"? , "questions"?,
                  "bands"?, "need_at_or_below"?, "note_question"?}]}

``validate`` names every problem by its path (``sections[2].questions[4].kind``) so
that a person editing the JSON can find it. Everything else here assumes a valid
definition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

TEXT = "text"
LONG_TEXT = "long_text"
NUMBER = "number"
DATE = "date"
SINGLE_CHOICE = "single_choice"
MULTI_CHOICE = "multi_choice"
SCALE = "scale"
YES_NO = "yes_no"
SIGNATURE = "signature"

KINDS = (TEXT, LONG_TEXT, NUMBER, DATE, SINGLE_CHOICE, MULTI_CHOICE, SCALE, YES_NO, SIGNATURE)
CHOICE_KINDS = (SINGLE_CHOICE, MULTI_CHOICE)
NUMERIC_KINDS = (NUMBER, SCALE)
TEXT_LIMITS = {TEXT: 500, LONG_TEXT: 10_000}

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")

_SECTION_KEYS = {"id", "title", "description", "questions"}
_QUESTION_KEYS = {"id", "kind", "label", "help", "required", "min", "max", "choices", "scale"}
_QUESTION_KEYS |= {"show_when"}
_SCORE_KEYS = {"id", "label", "kind", "question", "questions", "bands", "need_at_or_below"}
_SCORE_KEYS |= {"note_question"}


# --- the validator --------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.items.setdefault(path, []).append(message)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(problems: _Problems, obj: dict[str, Any], key: str, path: str, *, needed: bool) -> None:
    value = obj.get(key)
    if value is None:
        if needed:
            problems.add(f"{path}.{key}", _("This is required."))
    elif not isinstance(value, str) or (needed and not value.strip()):
        problems.add(f"{path}.{key}", _("Write this as text."))


def _unknown_keys(problems: _Problems, obj: dict[str, Any], known: set[str], path: str) -> None:
    for key in sorted(set(obj) - known):
        problems.add(f"{path}.{key}", _("Not a known setting here; check the spelling."))


def _check_id(problems: _Problems, value: Any, path: str, seen: set[str], noun: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        problems.add(
            path,
            _("Use lower-case letters, digits and underscores, starting with a letter."),
        )
    elif value in seen:
        problems.add(path, _("Another %(noun)s already uses this id.") % {"noun": noun})
    else:
        seen.add(value)


def _check_choices(problems: _Problems, question: dict[str, Any], path: str) -> None:
    choices = question.get("choices")
    if not isinstance(choices, list) or not choices:
        problems.add(f"{path}.choices", _("List at least one choice."))
        return
    values: set[str] = set()
    for n, choice in enumerate(choices):
        cpath = f"{path}.choices[{n}]"
        if not isinstance(choice, dict):
            problems.add(cpath, _("Each choice needs a value and a label."))
            continue
        _unknown_keys(problems, choice, {"value", "label"}, cpath)
        value = choice.get("value")
        if not isinstance(value, str) or not value.strip():
            problems.add(f"{cpath}.value", _("Give the choice a value (text)."))
        elif value in values:
            problems.add(f"{cpath}.value", _("Another choice already has this value."))
        else:
            values.add(value)
        _text(problems, choice, "label", cpath, needed=True)


def _check_scale(problems: _Problems, question: dict[str, Any], path: str) -> None:
    scale = question.get("scale")
    if not isinstance(scale, dict):
        problems.add(f"{path}.scale", _("Give the scale its lowest and highest points."))
        return
    _unknown_keys(problems, scale, {"min", "max", "labels"}, f"{path}.scale")
    low, high = scale.get("min"), scale.get("max")
    if not _is_int(low):
        problems.add(f"{path}.scale.min", _("Give the lowest point as a whole number."))
    if not _is_int(high):
        problems.add(f"{path}.scale.max", _("Give the highest point as a whole number."))
    if _is_int(low) and _is_int(high):
        if low >= high:
            problems.add(f"{path}.scale.max", _("The highest point must be above the lowest."))
        elif high - low > 20:
            problems.add(f"{path}.scale.max", _("A scale has at most 21 points."))
    labels = scale.get("labels", {})
    if not isinstance(labels, dict):
        problems.add(f"{path}.scale.labels", _('Map points to labels, e.g. {"1": "Crisis"}.'))
        return
    for key, label in labels.items():
        lpath = f"{path}.scale.labels.{key}"
        try:
            point = int(key)
        except ValueError:
            problems.add(lpath, _("Label a point by its number."))
            continue
        if _is_int(low) and _is_int(high) and not low <= point <= high:
            problems.add(lpath, _("This point is outside the scale."))
        if not isinstance(label, str) or not label.strip():
            problems.add(lpath, _("Write the label as text."))


def _check_number_limits(problems: _Problems, question: dict[str, Any], path: str) -> None:
    low, high = question.get("min"), question.get("max")
    if low is not None and not _is_number(low):
        problems.add(f"{path}.min", _("Give the smallest allowed number."))
    if high is not None and not _is_number(high):
        problems.add(f"{path}.max", _("Give the largest allowed number."))
    if _is_number(low) and _is_number(high) and low > high:
        problems.add(f"{path}.max", _("The largest allowed number is below the smallest."))


def _check_condition(
    problems: _Problems,
    question: dict[str, Any],
    path: str,
    earlier: dict[str, dict[str, Any]],
) -> None:
    condition = question.get("show_when")
    if condition is None:
        return
    cpath = f"{path}.show_when"
    if not isinstance(condition, dict):
        problems.add(cpath, _('Write the condition as {"question": …, "equals": …}.'))
        return
    _unknown_keys(problems, condition, {"question", "equals", "contains"}, cpath)
    target_id = condition.get("question")
    target = earlier.get(target_id) if isinstance(target_id, str) else None
    if target is None:
        problems.add(f"{cpath}.question", _("Name a question that comes before this one (its id)."))
        return
    operators = [op for op in ("equals", "contains") if op in condition]
    if len(operators) != 1:
        problems.add(cpath, _('Use exactly one of "equals" or "contains".'))
        return
    operator = operators[0]
    value = condition[operator]
    if operator == "contains" and target.get("kind") != MULTI_CHOICE:
        problems.add(f"{cpath}.contains", _('"contains" works with multiple-choice questions.'))
        return
    if operator == "equals" and target.get("kind") == MULTI_CHOICE:
        problems.add(f"{cpath}.equals", _('Use "contains" with a multiple-choice question.'))
        return
    if target.get("kind") == YES_NO and not isinstance(value, bool):
        problems.add(f"{cpath}.{operator}", _("Write true (yes) or false (no)."))
        return
    try:
        cleaned, error = clean_answer(target, [value] if operator == "contains" else value)
    except (KeyError, TypeError, ValueError):
        return  # the question named is itself broken; its own problems are reported
    if error or cleaned is None:
        problems.add(
            f"{cpath}.{operator}", _("This is not a possible answer to the question named.")
        )


def _check_question(
    problems: _Problems,
    question: Any,
    path: str,
    seen: set[str],
    earlier: dict[str, dict[str, Any]],
) -> None:
    if not isinstance(question, dict):
        problems.add(path, _("Each question is an object with an id, a kind and a label."))
        return
    _unknown_keys(problems, question, _QUESTION_KEYS, path)
    _check_id(problems, question.get("id"), f"{path}.id", seen, _("question"))
    kind = question.get("kind")
    if kind not in KINDS:
        problems.add(f"{path}.kind", _("Use one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    _text(problems, question, "label", path, needed=True)
    _text(problems, question, "help", path, needed=False)
    if "required" in question and not isinstance(question["required"], bool):
        problems.add(f"{path}.required", _("Write true or false."))
    if kind in CHOICE_KINDS:
        _check_choices(problems, question, path)
    elif "choices" in question:
        problems.add(f"{path}.choices", _("Only choice questions have choices."))
    if kind == SCALE:
        _check_scale(problems, question, path)
    elif "scale" in question:
        problems.add(f"{path}.scale", _("Only scale questions have a scale."))
    if kind == NUMBER:
        _check_number_limits(problems, question, path)
    else:
        for key in ("min", "max"):
            if key in question:
                problems.add(f"{path}.{key}", _("Only number questions have limits."))
    _check_condition(problems, question, path, earlier)
    if isinstance(question.get("id"), str):
        earlier[question["id"]] = question


def _check_bands(problems: _Problems, bands: Any, path: str) -> None:
    if not isinstance(bands, list):
        problems.add(path, _("List the bands, each with min, max and label."))
        return
    for n, band in enumerate(bands):
        bpath = f"{path}[{n}]"
        if not isinstance(band, dict):
            problems.add(bpath, _("Each band needs min, max and label."))
            continue
        _unknown_keys(problems, band, {"min", "max", "label"}, bpath)
        low, high = band.get("min"), band.get("max")
        if not _is_number(low):
            problems.add(f"{bpath}.min", _("Give the band's lowest score."))
        if not _is_number(high):
            problems.add(f"{bpath}.max", _("Give the band's highest score."))
        if _is_number(low) and _is_number(high) and low > high:
            problems.add(f"{bpath}.max", _("The highest score is below the lowest."))
        _text(problems, band, "label", bpath, needed=True)


def _check_score(
    problems: _Problems, rule: Any, path: str, seen: set[str], questions: dict[str, Any]
) -> None:
    if not isinstance(rule, dict):
        problems.add(path, _("Each score is an object with an id, a label and a kind."))
        return
    _unknown_keys(problems, rule, _SCORE_KEYS, path)
    _check_id(problems, rule.get("id"), f"{path}.id", seen, _("score"))
    _text(problems, rule, "label", path, needed=True)
    kind = rule.get("kind")

    def numeric(qid: Any, qpath: str) -> None:
        question = questions.get(qid) if isinstance(qid, str) else None
        if question is None:
            problems.add(qpath, _("Name a question of this instrument (its id)."))
        elif question.get("kind") not in NUMERIC_KINDS:
            problems.add(qpath, _("Only number and scale questions can be scored."))

    if kind == "value":
        numeric(rule.get("question"), f"{path}.question")
    elif kind == "sum":
        listed = rule.get("questions")
        if not isinstance(listed, list) or not listed:
            problems.add(f"{path}.questions", _("List the questions to add up."))
        else:
            for n, qid in enumerate(listed):
                numeric(qid, f"{path}.questions[{n}]")
    else:
        problems.add(f"{path}.kind", _('Use "value" (one answer) or "sum" (several added up).'))
    if "bands" in rule:
        _check_bands(problems, rule["bands"], f"{path}.bands")
    if "need_at_or_below" in rule and not _is_number(rule["need_at_or_below"]):
        problems.add(f"{path}.need_at_or_below", _("Give the score at or below which a need is."))
    if "note_question" in rule and rule["note_question"] not in questions:
        problems.add(f"{path}.note_question", _("Name a question of this instrument (its id)."))


def validate(definition: Any) -> dict[str, list[str]]:
    """Every problem of ``definition``, keyed by its path; empty when it is valid."""
    problems = _Problems()
    if not isinstance(definition, dict):
        problems.add("definition", _('A definition is an object with "sections".'))
        return problems.items
    _unknown_keys(problems, definition, {"sections", "scoring"}, "definition")
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.add("sections", _("Add at least one section."))
        sections = []
    section_ids: set[str] = set()
    question_ids: set[str] = set()
    questions: dict[str, dict[str, Any]] = {}
    for s, section in enumerate(sections):
        spath = f"sections[{s}]"
        if not isinstance(section, dict):
            problems.add(spath, _("Each section is an object with an id, a title and questions."))
            continue
        _unknown_keys(problems, section, _SECTION_KEYS, spath)
        _check_id(problems, section.get("id"), f"{spath}.id", section_ids, _("section"))
        _text(problems, section, "title", spath, needed=True)
        _text(problems, section, "description", spath, needed=False)
        items = section.get("questions")
        if not isinstance(items, list) or not items:
            problems.add(f"{spath}.questions", _("Add at least one question."))
            continue
        for q, question in enumerate(items):
            _check_question(problems, question, f"{spath}.questions[{q}]", question_ids, questions)
    scoring = definition.get("scoring", [])
    if not isinstance(scoring, list):
        problems.add("scoring", _("List the scores, or leave scoring out."))
        scoring = []
    score_ids: set[str] = set()
    for n, rule in enumerate(scoring):
        _check_score(problems, rule, f"scoring[{n}]", score_ids, questions)
    return problems.items


# --- reading a valid definition --------------------------------------------------------------


def iter_questions(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in definition["sections"]:
        yield from section["questions"]


def questions_by_id(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in iter_questions(definition)}


def scale_bounds(question: dict[str, Any]) -> tuple[int, int]:
    scale = question["scale"]
    return int(scale["min"]), int(scale["max"])


def scale_points(question: dict[str, Any]) -> list[tuple[int, str]]:
    """(point, label) from the lowest point up; unlabelled points have an empty label."""
    low, high = scale_bounds(question)
    labels = question["scale"].get("labels", {})
    return [(p, str(labels.get(str(p), ""))) for p in range(low, high + 1)]


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value is False


def clean_answer(question: dict[str, Any], value: Any) -> tuple[Any, str]:
    """(the answer as stored, "") or (None, the problem). An empty value is no answer.

    Accepts typed JSON values (from the API) and the strings a form sends.
    """
    kind = question["kind"]
    if isinstance(value, str):
        value = value.strip()
    if kind == YES_NO:
        if isinstance(value, str) and value in ("yes", "no"):
            return value == "yes", ""
        if value is None or value == "":
            return None, ""
        if isinstance(value, bool):
            return value, ""
        return None, _("Answer yes or no.")
    if is_empty(value):
        return None, ""
    if kind in TEXT_LIMITS:
        if not isinstance(value, str):
            return None, _("Write the answer as text.")
        if len(value) > TEXT_LIMITS[kind]:
            return None, _("Keep the answer under %(n)s characters.") % {"n": TEXT_LIMITS[kind]}
        return value, ""
    if kind in NUMERIC_KINDS:
        number = _to_number(value)
        if number is None:
            return None, _("Enter a number.")
        if kind == SCALE:
            low, high = scale_bounds(question)
            if number != int(number) or not low <= number <= high:
                return None, _("Choose a point from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
            return int(number), ""
        low_limit, high_limit = question.get("min"), question.get("max")
        if low_limit is not None and number < low_limit:
            return None, _("Enter %(n)s or more.") % {"n": low_limit}
        if high_limit is not None and number > high_limit:
            return None, _("Enter %(n)s or less.") % {"n": high_limit}
        return (int(number) if number == int(number) else number), ""
    if kind == DATE:
        if isinstance(value, date):
            return value.isoformat(), ""
        try:
            return date.fromisoformat(str(value)).isoformat(), ""
        except ValueError:
            return None, _("Enter a date as YYYY-MM-DD.")
    if kind == SINGLE_CHOICE:
        allowed = {c["value"] for c in question["choices"]}
        if value not in allowed:
            return None, _("Choose one of the options given.")
        return value, ""
    if kind == MULTI_CHOICE:
        allowed_values = [c["value"] for c in question["choices"]]
        if not isinstance(value, list) or any(v not in allowed_values for v in value):
            return None, _("Choose from the options given.")
        return [v for v in allowed_values if v in value], ""
    if kind == SIGNATURE:
        if value is True or value in ("on", "true", "yes"):
            return True, ""
        return None, _("Tick the box to acknowledge.")
    return None, _("This question cannot be answered.")


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def visible_question_ids(definition: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    """Questions to ask given ``answers``: a conditional one shows when its condition holds."""
    visible: set[str] = set()
    for question in iter_questions(definition):
        condition = question.get("show_when")
        if condition is None or _holds(condition, visible, answers):
            visible.add(question["id"])
    return visible


def _holds(condition: dict[str, Any], visible: set[str], answers: dict[str, Any]) -> bool:
    target = condition["question"]
    if target not in visible:
        return False
    answer = answers.get(target)
    if "contains" in condition:
        return isinstance(answer, list) and condition["contains"] in answer
    return bool(answer == condition["equals"])


def describe_condition(definition: dict[str, Any], question: dict[str, Any]) -> str:
    """'Only if "Do you have a place to stay tonight?" is No', for people without scripts."""
    condition = question.get("show_when")
    if condition is None:
        return ""
    target = questions_by_id(definition)[condition["question"]]
    expected = condition.get("equals", condition.get("contains"))
    shown = answer_label(target, expected)
    if "contains" in condition:
        return _('Answer only if "%(q)s" includes %(a)s.') % {"q": target["label"], "a": shown}
    return _('Answer only if "%(q)s" is %(a)s.') % {"q": target["label"], "a": shown}


def answer_label(question: dict[str, Any], value: Any) -> str:
    """An answer as a person reads it."""
    kind = question["kind"]
    if value is None:
        return ""
    if kind == YES_NO:
        return _("Yes") if value else _("No")
    if kind == SIGNATURE:
        return _("Acknowledged") if value else ""
    if kind in CHOICE_KINDS:
        labels = {c["value"]: c["label"] for c in question["choices"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if kind == SCALE:
        label = dict(scale_points(question)).get(value, "")
        return f"{value} – {label}" if label else str(value)
    return str(value)


# --- scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    id: str
    kind: str
    label: str
    value: float | None
    maximum: float | None
    band: str

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "value": self.value,
            "max": self.maximum,
            "band": self.band,
        }


def _question_max(question: dict[str, Any]) -> float | None:
    if question["kind"] == SCALE:
        return float(scale_bounds(question)[1])
    high = question.get("max")
    return float(high) if high is not None else None


def compute_scores(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """{score id: {label, value, max, band}} for each scoring rule, in definition order.

    A value score of an unanswered question, or a sum with an unanswered part, is null.
    """
    questions = questions_by_id(definition)
    result: dict[str, Any] = {}
    for rule in definition.get("scoring", []):
        listed = [rule["question"]] if rule["kind"] == "value" else rule["questions"]
        parts = [answers.get(qid) for qid in listed]
        numbers = [p for p in parts if _is_number(p)]
        value: float | None = sum(numbers) if len(numbers) == len(parts) else None
        maxima = [_question_max(questions[qid]) for qid in listed]
        maximum = sum(m for m in maxima if m is not None) if None not in maxima else None
        band = ""
        if value is not None:
            for b in rule.get("bands", []):
                if b["min"] <= value <= b["max"]:
                    band = b["label"]
                    break
        result[rule["id"]] = Score(
            rule["id"], rule["kind"], rule["label"], value, maximum, band
        ).as_json()
    return result


def score_level(definition: dict[str, Any], rule_id: str, value: float) -> str:
    """A score in the instrument's words: its band, or the label of the answered scale point."""
    for rule in definition.get("scoring", []):
        if rule["id"] != rule_id:
            continue
        for band in rule.get("bands", []):
            if band["min"] <= value <= band["max"]:
                return str(band["label"])
        question = questions_by_id(definition).get(rule.get("question", ""))
        if question is not None and question["kind"] == "scale" and value == int(value):
            return dict(scale_points(question)).get(int(value), "")
    return ""


@dataclass(frozen=True)
class Need:
    domain: str
    label: str
    score: float
    note: str


def identified_needs(definition: dict[str, Any], answers: dict[str, Any]) -> list[Need]:
    """Scores at or below their rule's ``need_at_or_below``: where help is needed most."""
    scores = compute_scores(definition, answers)
    needs: list[Need] = []
    for rule in definition.get("scoring", []):
        threshold = rule.get("need_at_or_below")
        value = scores[rule["id"]]["value"]
        if threshold is None or value is None or value > threshold:
            continue
        note = answers.get(rule.get("note_question", ""), "")
        needs.append(Need(rule["id"], rule["label"], value, note if isinstance(note, str) else ""))
    return needs

"""The definition validator, the shipped instruments, answers, visibility and scores."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from casework.assessments import definitions
from casework.assessments.shipped import (
    LIFE_DOMAINS,
    intake_assessment_definition,
    needs_assessment_definition,
)


def small() -> dict[str, Any]:
    return {
        "sections": [
            {
                "id": "s1",
                "title": "One",
                "questions": [
                    {"id": "housed", "kind": "yes_no", "label": "Housed?", "required": True},
                    {
                        "id": "where",
                        "kind": "text",
                        "label": "Where?",
                        "required": True,
                        "show_when": {"question": "housed", "equals": True},
                    },
                    {
                        "id": "help",
                        "kind": "multi_choice",
                        "label": "Help",
                        "choices": [
                            {"value": "food", "label": "Food"},
                            {"value": "rent", "label": "Rent"},
                        ],
                    },
                    {
                        "id": "rent_amount",
                        "kind": "number",
                        "label": "Rent",
                        "min": 0,
                        "max": 5000,
                        "required": True,
                        "show_when": {"question": "help", "contains": "rent"},
                    },
                    {
                        "id": "mood",
                        "kind": "scale",
                        "label": "Mood",
                        "scale": {"min": 1, "max": 5, "labels": {"1": "Low"}},
                    },
                    {
                        "id": "sleep",
                        "kind": "scale",
                        "label": "Sleep",
                        "scale": {"min": 1, "max": 5},
                    },
                    {"id": "seen_on", "kind": "date", "label": "Seen on"},
                ],
            }
        ],
        "scoring": [
            {
                "id": "mood",
                "label": "Mood",
                "kind": "value",
                "question": "mood",
                "need_at_or_below": 2,
            },
            {
                "id": "total",
                "label": "Total",
                "kind": "sum",
                "questions": ["mood", "sleep"],
                "bands": [
                    {"min": 2, "max": 5, "label": "Low"},
                    {"min": 6, "max": 10, "label": "High"},
                ],
            },
        ],
    }


def test_the_shipped_instruments_are_valid() -> None:
    assert definitions.validate(intake_assessment_definition()) == {}
    assert definitions.validate(needs_assessment_definition()) == {}


def test_the_needs_assessment_scores_every_domain_from_crisis_to_thriving() -> None:
    definition = needs_assessment_definition()
    questions = definitions.questions_by_id(definition)
    for domain, _label, _asked in LIFE_DOMAINS:
        points = definitions.scale_points(questions[f"{domain}_score"])
        assert points[0] == (1, "Crisis")
        assert points[-1] == (5, "Thriving")
        assert f"{domain}_note" in questions
    assert len(LIFE_DOMAINS) == 14


def test_a_valid_small_definition_passes() -> None:
    assert definitions.validate(small()) == {}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["sections"][0]["questions"][4].update(kind="slider"),
            "sections[0].questions[4].kind",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].update(id="housed"),
            "sections[0].questions[1].id",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(label=""),
            "sections[0].questions[0].label",
        ),
        (
            lambda d: d["sections"][0]["questions"][2].update(choices=[]),
            "sections[0].questions[2].choices",
        ),
        (
            lambda d: d["sections"][0]["questions"][4]["scale"].update(max=1),
            "sections[0].questions[4].scale.max",
        ),
        (
            lambda d: d["sections"][0]["questions"][4]["scale"]["labels"].update({"9": "x"}),
            "sections[0].questions[4].scale.labels.9",
        ),
        (
            lambda d: d["sections"][0]["questions"][3].update(min=10, max=1),
            "sections[0].questions[3].max",
        ),
        (
            lambda d: d["sections"][0]["questions"][1]["show_when"].update(question="nope"),
            "sections[0].questions[1].show_when.question",
        ),
        (
            lambda d: d["sections"][0]["questions"][3]["show_when"].update(contains="car"),
            "sections[0].questions[3].show_when.contains",
        ),
        (
            lambda d: d["sections"][0]["questions"][0].update(requird=True),
            "sections[0].questions[0].requird",
        ),
        (lambda d: d["scoring"][1]["questions"].append("seen_on"), "scoring[1].questions[2]"),
        (lambda d: d["scoring"][1]["bands"][0].update(min=9), "scoring[1].bands[0].max"),
        (lambda d: d["scoring"][0].update(kind="average"), "scoring[0].kind"),
        (lambda d: d.update(sections=[]), "sections"),
    ],
)
def test_each_problem_is_named_with_its_path(change: Any, path: str) -> None:
    definition = small()
    change(definition)
    problems = definitions.validate(definition)
    assert path in problems, problems


def test_several_problems_are_all_named() -> None:
    definition = small()
    definition["sections"][0]["questions"][0]["kind"] = "bogus"
    definition["sections"][0]["questions"][5]["label"] = 7
    problems = definitions.validate(definition)
    assert "sections[0].questions[0].kind" in problems
    assert "sections[0].questions[5].label" in problems


def test_a_condition_may_only_look_back() -> None:
    definition = small()
    questions = definition["sections"][0]["questions"]
    questions[0]["show_when"] = {"question": "where", "equals": "x"}
    assert "sections[0].questions[0].show_when.question" in definitions.validate(definition)


def test_answers_are_checked_by_kind() -> None:
    q = definitions.questions_by_id(small())
    assert definitions.clean_answer(q["rent_amount"], "1200") == (1200, "")
    assert definitions.clean_answer(q["rent_amount"], 9000)[1]
    assert definitions.clean_answer(q["rent_amount"], "lots")[1]
    assert definitions.clean_answer(q["mood"], "6")[1]
    assert definitions.clean_answer(q["mood"], 4) == (4, "")
    assert definitions.clean_answer(q["help"], ["rent", "food"]) == (["food", "rent"], "")
    assert definitions.clean_answer(q["help"], ["car"])[1]
    assert definitions.clean_answer(q["housed"], "no") == (False, "")
    assert definitions.clean_answer(q["housed"], "maybe")[1]
    assert definitions.clean_answer(q["seen_on"], "2024-02-30")[1]
    assert definitions.clean_answer(q["seen_on"], "2024-02-03") == ("2024-02-03", "")
    assert definitions.clean_answer(q["where"], "") == (None, "")
    assert definitions.clean_answer(q["where"], 5)[1]


def test_conditional_questions_show_only_when_their_condition_holds() -> None:
    d = small()
    assert "where" not in definitions.visible_question_ids(d, {"housed": False})
    assert "where" in definitions.visible_question_ids(d, {"housed": True})
    assert "rent_amount" not in definitions.visible_question_ids(d, {"help": ["food"]})
    assert "rent_amount" in definitions.visible_question_ids(d, {"help": ["food", "rent"]})


def test_scores_sums_and_bands() -> None:
    d = small()
    scores = definitions.compute_scores(d, {"mood": 2, "sleep": 5})
    assert scores["mood"]["value"] == 2
    assert scores["mood"]["max"] == 5
    assert scores["total"]["value"] == 7
    assert scores["total"]["band"] == "High"
    assert scores["total"]["max"] == 10
    partial = definitions.compute_scores(d, {"mood": 2})
    assert partial["total"]["value"] is None


def test_low_scores_become_needs_with_the_note() -> None:
    definition = needs_assessment_definition()
    answers = {f"{d}_score": 3 for d, _l, _a in LIFE_DOMAINS}
    answers |= {"housing_score": 1, "housing_note": "Sofa surfing", "food_score": 2}
    needs = definitions.identified_needs(definition, answers)
    assert [(n.domain, n.score, n.note) for n in needs] == [
        ("housing", 1, "Sofa surfing"),
        ("food", 2, ""),
    ]


def test_the_shipped_definitions_are_not_shared_objects() -> None:
    first = needs_assessment_definition()
    copy.deepcopy(first)["sections"].clear()
    assert needs_assessment_definition() == first

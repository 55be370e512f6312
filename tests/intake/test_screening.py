"""The screening engine: each rule against answers and the client's record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from casework.intake.screening import Outcome, clean_answers, evaluate, evaluate_rule

RECEIVED = date(2025, 6, 15)

AGE_BETWEEN = {"criterion": "age", "operator": "between", "value": [18, 64], "label": "18–64"}
INCOME = {
    "criterion": "household_income_percent_fpl",
    "operator": "at_most",
    "value": 50,
    "label": "Income",
}
MONTHLY = {"criterion": "monthly_income", "operator": "at_least", "value": 100, "label": "Income"}
EQUALS = {"criterion": "monthly_income", "operator": "equals", "value": 0, "label": "No income"}
COUNTY = {"criterion": "county", "operator": "in", "value": ["Riverside", "Harbor"], "label": "C"}
ZIP = {"criterion": "zip_code", "operator": "equals", "value": "90210", "label": "Zip"}
DIAGNOSIS = {
    "criterion": "diagnosis",
    "operator": "documented",
    "value": "serious mental illness",
    "label": "SMI",
}
NEED = {"criterion": "need", "operator": "in", "value": ["meals", "benefits"], "label": "Needs"}
VETERAN = {"criterion": "veteran", "operator": "equals", "value": True, "label": "Veteran"}


@pytest.mark.parametrize(
    ("rule", "answers", "born", "outcome", "explains"),
    [
        # age comes from the date of birth on the day received
        (AGE_BETWEEN, {}, date(1990, 1, 1), Outcome.PASS, "35 is between 18 and 64"),
        (AGE_BETWEEN, {}, date(2007, 6, 16), Outcome.FAIL, "17 is outside 18 to 64"),
        (AGE_BETWEEN, {}, date(2007, 6, 15), Outcome.PASS, "18 is between"),
        (AGE_BETWEEN, {"age": 30}, date(1950, 1, 1), Outcome.FAIL, "75 is outside"),
        (AGE_BETWEEN, {"age": 30}, None, Outcome.PASS, "30 is between"),
        (AGE_BETWEEN, {}, None, Outcome.NEEDS_INFO, "No date of birth"),
        (INCOME, {"household_income_percent_fpl": 50}, None, Outcome.PASS, "at most 50"),
        (INCOME, {"household_income_percent_fpl": 51.5}, None, Outcome.FAIL, "above 50"),
        (INCOME, {}, None, Outcome.NEEDS_INFO, "No answer yet"),
        (INCOME, {"household_income_percent_fpl": "low"}, None, Outcome.NEEDS_INFO, "not a number"),
        (MONTHLY, {"monthly_income": 99}, None, Outcome.FAIL, "below 100"),
        (MONTHLY, {"monthly_income": 100}, None, Outcome.PASS, "at least 100"),
        (EQUALS, {"monthly_income": 0}, None, Outcome.PASS, "as required"),
        (EQUALS, {"monthly_income": 10}, None, Outcome.FAIL, "not 0"),
        (COUNTY, {"county": "harbor"}, None, Outcome.PASS, "harbor"),
        (COUNTY, {"county": "Lakeview"}, None, Outcome.FAIL, "not among: Riverside, Harbor"),
        (COUNTY, {"county": ""}, None, Outcome.NEEDS_INFO, "No answer yet"),
        (ZIP, {"zip_code": "90210"}, None, Outcome.PASS, "accepted"),
        (ZIP, {"zip_code": "10001"}, None, Outcome.FAIL, "not among"),
        (DIAGNOSIS, {"diagnosis": True}, None, Outcome.PASS, "Documented"),
        (DIAGNOSIS, {"diagnosis": False}, None, Outcome.FAIL, "not documented"),
        (DIAGNOSIS, {}, None, Outcome.NEEDS_INFO, "Not yet known"),
        (NEED, {"need": ["transport", "Meals"]}, None, Outcome.PASS, "Meals"),
        (NEED, {"need": ["transport"]}, None, Outcome.FAIL, "not among"),
        (VETERAN, {"veteran": True}, None, Outcome.PASS, "Answered yes"),
        (VETERAN, {"veteran": False}, None, Outcome.FAIL, "needs yes"),
        (VETERAN, {"veteran": "yes"}, None, Outcome.NEEDS_INFO, "not yes or no"),
    ],
)
def test_each_rule_passes_fails_or_needs_information(
    rule: dict[str, Any],
    answers: dict[str, Any],
    born: date | None,
    outcome: Outcome,
    explains: str,
) -> None:
    result = evaluate_rule(rule, answers, date_of_birth=born, on=RECEIVED)
    assert result.outcome == outcome
    assert explains in result.explanation
    assert result.label == rule["label"]


def test_the_overall_outcome_is_the_worst_rule() -> None:
    answers = {"county": "Harbor", "household_income_percent_fpl": 20}
    born = date(1990, 1, 1)
    assert evaluate([COUNTY, INCOME], answers, date_of_birth=born, on=RECEIVED).outcome == "pass"
    with_missing = evaluate([COUNTY, DIAGNOSIS], answers, date_of_birth=born, on=RECEIVED)
    assert with_missing.outcome == Outcome.NEEDS_INFO
    failing = evaluate([DIAGNOSIS, VETERAN], {"veteran": False}, date_of_birth=born, on=RECEIVED)
    assert failing.outcome == Outcome.FAIL
    assert [r.outcome for r in failing.results] == [Outcome.NEEDS_INFO, Outcome.FAIL]
    assert evaluate([], {}, date_of_birth=None, on=RECEIVED).outcome == Outcome.PASS


def test_answers_are_cleaned_and_problems_name_the_answer() -> None:
    rules = [INCOME, COUNTY, DIAGNOSIS]
    cleaned = clean_answers(
        rules, {"household_income_percent_fpl": 30, "county": " Harbor ", "diagnosis": None}
    )
    assert cleaned == {"household_income_percent_fpl": 30, "county": "Harbor"}
    with pytest.raises(ValidationError) as caught:
        clean_answers(
            rules,
            {"household_income_percent_fpl": "thirty", "diagnosis": "yes", "veteran": True},
        )
    assert set(caught.value.message_dict) == {
        "screening_answers.household_income_percent_fpl",
        "screening_answers.diagnosis",
        "screening_answers.veteran",
    }
    with pytest.raises(ValidationError):
        clean_answers(rules, ["not", "a", "mapping"])

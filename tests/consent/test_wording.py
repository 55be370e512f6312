"""The consent form's wording is data: every language has every key, purpose and category."""

from __future__ import annotations

import pytest

from casework.consent import wording
from casework.consent.models import Category, Purpose


@pytest.mark.parametrize("language", sorted(wording.WORDING))
def test_every_language_has_all_the_wording(language: str) -> None:
    english = wording.WORDING["en"]
    text = wording.WORDING[language]
    assert set(text) == set(english)
    assert set(text["purposes"]) == set(Purpose.values)
    assert set(text["categories"]) == set(Category.values)
    assert len(text["rights"]) == len(english["rights"])


def test_it_falls_back_to_english_for_a_language_without_translation() -> None:
    assert wording.for_language("es-MX") == wording.FormWording("es", wording.WORDING["es"], False)
    assert wording.for_language("vi").fell_back
    assert wording.for_language("vi").language == "en"

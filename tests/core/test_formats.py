"""Dates and times as staff read them in English."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation


def render(source: str, **context: object) -> str:
    with translation.override("en"):
        return Template(source).render(Context(context))


def test_a_time_at_the_end_of_a_sentence_has_one_full_stop() -> None:
    at = dt.datetime(2026, 3, 9, 11, 54, tzinfo=dt.UTC)
    sentence = render("Saved at {{ at|time }}.", at=at.replace(tzinfo=None))
    assert sentence == "Saved at 11:54 AM."
    assert ".." not in render("Saved {{ at|date:'DATETIME_FORMAT' }}.", at=at)


def test_afternoon_times_and_dates_read_as_us_agencies_write_them() -> None:
    at = dt.datetime(2026, 3, 9, 15, 5)
    assert render("{{ at|time }}", at=at) == "3:05 PM"
    assert render("{{ at|date:'SHORT_DATETIME_FORMAT' }}", at=at) == "03/09/2026 3:05 PM"
    assert render("{{ at|date:'DATETIME_FORMAT' }}", at=at) == "March 9, 2026, 3:05 PM"

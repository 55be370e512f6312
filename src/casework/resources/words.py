"""A service's days, ages, distance and languages in plain words, for pages and reasons."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf.locale import LANG_INFO
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _


def language_name(code: str, fallback: str = "") -> str:
    info = LANG_INFO.get(code.lower())
    if info and "name" in info:
        return _(info["name"])
    return fallback or code


def days_in_words(weekdays: Iterable[int]) -> str:
    """{1, 2, 3, 4, 5} → "Tue–Sat"; {0, 2, 4} → "Mon, Wed, Fri"; all → "every day"."""
    days = sorted(set(weekdays))
    if len(days) == 7:
        return _("every day")
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS_ABBR[run[0]]}–{WEEKDAYS_ABBR[run[-1]]}")
        else:
            parts.extend(str(WEEKDAYS_ABBR[d]) for d in run)
    return ", ".join(parts)


def km_in_words(km: float) -> str:
    if km < 1:
        return _("less than 1")
    return f"{km:.1f}" if km < 2 else f"{km:.0f}"


def ages_in_words(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return _("ages %(min)s–%(max)s") % {"min": minimum, "max": maximum}
    if minimum is not None:
        return _("ages %(min)s and over") % {"min": minimum}
    if maximum is not None:
        return _("ages up to %(max)s") % {"max": maximum}
    return _("all ages")

"""Filters for directory pages: opening days and ages in words."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from casework.resources.models import Service, ServiceOpening
from casework.resources.words import ages_in_words, days_in_words

register = template.Library()


@register.filter
def open_days(openings: Iterable[ServiceOpening]) -> str:
    days = {o.weekday for o in openings}
    return days_in_words(days) if days else _("not listed")


@register.filter
def ages(service: Service) -> str:
    words = ages_in_words(service.minimum_age, service.maximum_age)
    return words[:1].upper() + words[1:]


@register.filter
def weekday_name(weekday: int) -> str:
    return str(WEEKDAYS.get(weekday, ""))

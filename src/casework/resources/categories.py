"""Casework's own small service-category taxonomy, one per agency.

Its term codes are the assessment's life domains (``assessments.shipped.LIFE_DOMAINS``),
so that an identified need points straight at the services that answer it, plus a
few categories a directory needs that are not life domains. Terms of any external
taxonomy an import brings sit beside them and are search filters too.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework.assessments.shipped import LIFE_DOMAINS

from .models import CASEWORK_TAXONOMY_ID

TAXONOMY_NAME = "Casework service categories"

#: Categories beyond the life domains: who a service is for, rather than what it is about.
EXTRA_CATEGORIES: tuple[tuple[str, Promise], ...] = (
    ("disability", _("Disability")),
    ("older_adults", _("Older adults")),
    ("immigration", _("Immigration")),
    ("youth", _("Children and youth")),
)

_LABELS: dict[str, str | Promise] = {code: label for code, label, _asked in LIFE_DOMAINS} | dict(
    EXTRA_CATEGORIES
)

#: Codes of every category of our taxonomy, in the order shown.
CATEGORY_CODES: tuple[str, ...] = tuple(_LABELS)


def term_hsds_id(code: str) -> str:
    """The HSDS id of a category term: stable, so exports and re-imports keep it."""
    return f"{CASEWORK_TAXONOMY_ID}:{code}"


def label_of(code: str) -> str:
    """The category's name in the user's language (life-domain names as the instrument has them)."""
    label = _LABELS.get(code)
    if label is None:
        return code.replace("_", " ").capitalize()
    return str(label) if isinstance(label, Promise) else gettext(label)


def choices() -> list[tuple[str, str]]:
    return [(code, label_of(code)) for code in CATEGORY_CODES]

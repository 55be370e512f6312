"""Languages clients speak and staff offer: the list intake picks from.

Codes are ISO 639-1 where one exists, else ISO 639-3 (e.g. ``yue`` Cantonese,
``kar`` Karen), plus ``ase`` for American Sign Language. English and Spanish
lead the list; the rest are alphabetical in the reader's language.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIRST = ("en", "es")

LANGUAGES: dict[str, str | Promise] = {
    "en": _("English"),
    "es": _("Spanish"),
    "am": _("Amharic"),
    "ase": _("American Sign Language"),
    "ar": _("Arabic"),
    "hy": _("Armenian"),
    "bn": _("Bengali"),
    "my": _("Burmese"),
    "yue": _("Cantonese"),
    "zh": _("Chinese (Mandarin)"),
    "prs": _("Dari"),
    "fa": _("Farsi (Persian)"),
    "fr": _("French"),
    "de": _("German"),
    "el": _("Greek"),
    "ht": _("Haitian Creole"),
    "hi": _("Hindi"),
    "hmn": _("Hmong"),
    "it": _("Italian"),
    "ja": _("Japanese"),
    "kar": _("Karen"),
    "km": _("Khmer"),
    "ko": _("Korean"),
    "lo": _("Lao"),
    "ne": _("Nepali"),
    "ps": _("Pashto"),
    "pl": _("Polish"),
    "pt": _("Portuguese"),
    "pa": _("Punjabi"),
    "ru": _("Russian"),
    "so": _("Somali"),
    "sw": _("Swahili"),
    "tl": _("Tagalog"),
    "ti": _("Tigrinya"),
    "uk": _("Ukrainian"),
    "ur": _("Urdu"),
    "vi": _("Vietnamese"),
    "yi": _("Yiddish"),
}


def choices(current: str | None = None) -> list[tuple[str, str]]:
    """English and Spanish first, then the rest by name; an unlisted current code kept."""
    rest = sorted((c for c in LANGUAGES if c not in FIRST), key=lambda c: str(LANGUAGES[c]))
    listed = [(code, str(LANGUAGES[code])) for code in (*FIRST, *rest)]
    if current and current not in LANGUAGES:
        listed.insert(0, (current, current))
    return listed


def label(code: str) -> str:
    return str(LANGUAGES.get(code, code))

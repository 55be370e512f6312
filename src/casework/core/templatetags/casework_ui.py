"""Small template helpers for Casework's pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language_info

from casework.core import languages

register = template.Library()

# url name prefix → the navigation section it belongs to (first match wins).
_SECTIONS = (
    ("home", "home"),
    ("intake-", "intake"),
    ("case-", "cases"),
    ("plan-", "plans"),
    ("task-", "tasks"),
    ("appointment-", "appointments"),
    ("client-access-report", "privacy"),
    ("client-", "clients"),
    ("manage-program", "programs"),
    ("manage-", "administer"),
    ("audit-", "audit"),
    ("access-report", "privacy"),
    ("shared-with-us", "shared"),
    ("directory-", "directory"),
    ("partner-", "partner"),
    ("account", "account"),
)


@register.simple_tag(takes_context=True)
def nav_section(context: dict[str, Any]) -> str:
    """The navigation section of the current page, to mark it with aria-current."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    for prefix, section in _SECTIONS:
        if name.startswith(prefix):
            return section
    return ""


@register.filter
def language_name(code: str) -> str:
    """'es' → 'Spanish' (in the reader's language); unknown codes are shown as they are."""
    if not code:
        return ""
    if code in languages.LANGUAGES:
        return languages.label(code)
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    return str(info["name_translated"])


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """Look up ``key`` in ``mapping`` (templates cannot index by a variable)."""
    return mapping.get(key) if mapping else None

"""The consent section of the client page, as one tag: ``{% consent_section client %}``."""

from __future__ import annotations

from typing import Any

from django import template

from casework.clients.models import Client

from ..views import client_section_context

register = template.Library()


@register.inclusion_tag("consent/_client_section.html", takes_context=True)
def consent_section(context: dict[str, Any], client: Client) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"consent_section": None}
    return client_section_context(user, client)

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from casework import access


def break_glass(request: HttpRequest) -> dict[str, Any]:
    """The banner on every page while the user holds an emergency grant.

    Reads the grants the access policy loads anyway (one query with the team roles),
    so pages pay nothing for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    granted = access.active_grants(user)
    return {"break_glass_grants": sorted(granted.items())} if granted else {}

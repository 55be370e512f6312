from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from casework import access


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation may offer this user; decided by the access policy."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}, "idle_timeout_minutes": settings.CASEWORK_IDLE_TIMEOUT_MINUTES}
    return {
        "nav": {
            "cases": bool(access.team_ids(user)) or user.has_role("intake_coordinator"),
            "intake": access.can_use_intake_queue(user),
            "work": bool(access.team_ids(user)),
            "plan_approvals": access.can_approve_plans(user),
            "administer": access.can_administer(user),
            "programs": access.can_configure_programs(user),
            "audit": access.can_read_audit_log(user),
            "access_report": access.can_read_access_report(user),
            "directory": access.directory_read_allowed(user),
            "shared_with_us": access.is_partner_staff(user),
            "django_admin": access.can_use_django_admin(user),
        },
        "idle_timeout_minutes": settings.CASEWORK_IDLE_TIMEOUT_MINUTES,
    }

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from casework.core.schemas import Input, StaffRef


class RestrictionIn(Input):
    reason: str = Field(
        description="domestic_violence, staff, public_profile or other (a category, never a story)."
    )


class RestrictionOut(Schema):
    client_id: int
    is_restricted: bool
    reason: str
    restricted_at: datetime | None

    @staticmethod
    def resolve_client_id(obj: Any) -> int:
        return int(obj.pk)

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return str(obj.restriction_reason)


class BreakGlassIn(Input):
    reason: str = Field(description="Why you need this record now (10 to 1000 characters).")


class BreakGlassOut(Schema):
    id: int
    client_id: int
    user: StaffRef
    reason: str
    granted_at: datetime
    expires_at: datetime
    client_was_restricted: bool


class AccessReportFilters(Schema):
    date_from: date | None = Field(None, description="First day (YYYY-MM-DD), agency time zone.")
    date_to: date | None = Field(None, description="Last day (YYYY-MM-DD), agency time zone.")


class AccessEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    ip_address: str | None
    via: str
    break_glass_grant_id: int | None

    @staticmethod
    def resolve_via(obj: Any) -> str:
        return str(obj.changes.get("via", "")) if isinstance(obj.changes, dict) else ""

    @staticmethod
    def resolve_break_glass_grant_id(obj: Any) -> int | None:
        grant = getattr(obj, "break_glass", None)
        return grant.pk if grant is not None else None


class AccessReportPage(Schema):
    items: list[AccessEventOut]
    count: int = Field(description="Events on all pages together.")
    page: int
    page_size: int
    next: str | None
    previous: str | None

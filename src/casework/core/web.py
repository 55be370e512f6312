"""Shared helpers of the staff pages: the signed-in request, pagination, htmx partials,
the home page's panel. Every app's views use them; they import no app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind ``login_required``: ``user`` is a signed-in ``User``."""

    user: User
    htmx: HtmxDetails


def organization_of(user: User) -> int:
    """The user's agency. Staff pages are for members of one; anyone else may not."""
    if user.organization_id is None:
        raise PermissionDenied
    return user.organization_id


def paginate(request: HttpRequest, items: QuerySet[Any]) -> Page[Any]:
    """One page of ``items`` (which must be ordered), from ``?page=``."""
    return Paginator(items, settings.CASEWORK_PAGE_SIZE).get_page(request.GET.get("page"))


@dataclass
class Window:
    """A page of a list too large to count (the audit log): only 'is there more?'."""

    object_list: list[Any]
    number: int
    has_next: bool
    paginator: None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window(request: HttpRequest, items: QuerySet[Any]) -> Window:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    size = settings.CASEWORK_PAGE_SIZE
    start = (number - 1) * size
    rows = list(items[start : start + size + 1])
    return Window(object_list=rows[:size], number=number, has_next=len(rows) > size)


def is_partial(request: AuthenticatedRequest) -> bool:
    """An htmx request for part of a page (history restores need the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- the home page's panels ----------------------------------------------------------------
#
# Each app offers the panels of "My work" that concern it as functions returning a
# HomeSection; casework.site composes the page from them.

HOME_LIST_SIZE = 8


@dataclass(frozen=True)
class HomeSection:
    """One panel of the home page: a template and what it shows."""

    template: str
    data: dict[str, Any] = field(default_factory=dict)

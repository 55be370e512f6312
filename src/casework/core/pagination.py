"""Page-number pagination for every API list: ``?page=N&page_size=M``.

Each page costs two queries (a count and the page itself) plus whatever
``prefetch_related`` the list asks for, however many rows there are.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE_SIZE = 100
#: The highest page number a list accepts. A page past the last one is empty; one past
#: this is refused (422 naming ``page``) before it reaches the database, whose offsets are
#: 64-bit: (MAX_PAGE - 1) * MAX_PAGE_SIZE stays far below that.
MAX_PAGE = 1_000_000_000
PAGE_HELP = (
    "Page number, from 1 to 1,000,000,000. A page past the last one is empty (its "
    "`previous` leads back to the last page); a larger number is refused with 422 "
    "naming `page`."
)


class PageNumberPagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=PAGE_HELP)
        page_size: int = Field(
            settings.CASEWORK_PAGE_SIZE,
            ge=1,
            le=MAX_PAGE_SIZE,
            description=f"Items per page, at most {MAX_PAGE_SIZE}.",
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Items on all pages together.")
        page: int
        page_size: int
        next: str | None = Field(description="URL of the next page, or null on the last.")
        previous: str | None = Field(description="URL of the previous page, or null.")

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        page, size = pagination.page, pagination.page_size
        count = self._items_count(queryset)
        offset = (page - 1) * size
        last_page = max(1, math.ceil(count / size))
        return {
            "items": list(queryset[offset : offset + size]),
            "count": count,
            "page": page,
            "page_size": size,
            "next": _page_url(request, page + 1) if page < last_page else None,
            # Past the end, "previous" leads back to the last page that has items.
            "previous": _page_url(request, min(page - 1, last_page)) if page > 1 else None,
        }


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(
        f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}"
    )

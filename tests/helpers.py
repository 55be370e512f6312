"""Test helpers shared across apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def assert_query_budget(fn: Callable[[], Any], budget: int) -> Any:
    """Run ``fn`` and fail if it ran more than ``budget`` queries, listing them."""
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    used = len(ctx.captured_queries)
    if used > budget:
        listing = "\n".join(f"  {q['sql'][:300]}" for q in ctx.captured_queries)
        raise AssertionError(f"{used} queries, budget {budget}:\n{listing}")
    return result


def assert_constant_queries(fn: Callable[[], Any], grow: Callable[[], Any]) -> int:
    """The query count of ``fn`` must not change after ``grow`` adds more data."""
    before, _ = count_queries(fn)
    grow()
    after, _ = count_queries(fn)
    assert after == before, f"query count grew with the data: {before} → {after}"
    return after

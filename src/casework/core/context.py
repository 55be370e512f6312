"""Who is acting, from where, in which request: set once per request or command."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionContext:
    request_id: str
    ip_address: str | None = None


_current: contextvars.ContextVar[ActionContext | None] = contextvars.ContextVar(
    "casework_action_context", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current() -> ActionContext:
    """The context of the running request; a fresh one outside any request."""
    ctx = _current.get()
    if ctx is None:
        ctx = ActionContext(request_id=new_request_id())
        _current.set(ctx)
    return ctx


@contextmanager
def action_context(*, ip_address: str | None = None) -> Iterator[ActionContext]:
    ctx = ActionContext(request_id=new_request_id(), ip_address=ip_address)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)

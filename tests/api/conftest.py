from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from casework.core import services
from casework.core.models import User
from tests.helpers import assert_constant_queries, assert_query_budget

API = "/api/v1"


class ApiClient:
    """Calls the API as one user with a personal token, like a script would."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{API}{path}", params, headers=self._headers())

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(
            f"{API}{path}", body, content_type="application/json", headers=self._headers()
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"{API}{path}", body, content_type="application/json", headers=self._headers()
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(
            f"{API}{path}", body, content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{API}{path}", headers=self._headers())


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        _token, raw = services.api_token_create(actor=user, name="Tests")
        return raw

    return make


@pytest.fixture
def api_as(token_for: Callable[[User], str]) -> Callable[[User], ApiClient]:
    """An API client authenticated with a fresh token of ``user``."""

    def make(user: User) -> ApiClient:
        return ApiClient(Client(), token_for(user))

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an API error of the stable shape; returns its ``error`` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    return error


def constant_queries(fn: Callable[[], Any], grow: Callable[[], Any], budget: int) -> int:
    """``fn`` runs the same queries however much ``grow`` adds, and no more than ``budget``.

    The first call is not counted: it may write per-session or per-token bookkeeping
    (last seen, last used) that later calls skip.
    """
    fn()
    assert_query_budget(fn, budget)
    return assert_constant_queries(fn, grow)

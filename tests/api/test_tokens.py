"""Managing one's own API tokens through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from casework.core import services
from casework.core.models import ApiToken
from tests.personas import Personas

from .conftest import API, ApiClient, assert_error

pytestmark = pytest.mark.django_db


def signed_in(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.case_manager)
    return client


def test_creating_a_token_shows_the_secret_once(personas: Personas) -> None:
    client = signed_in(personas)
    expires = (timezone.now() + timedelta(days=30)).isoformat()
    response = client.post(
        f"{API}/tokens",
        {"name": "Reporting", "expires_at": expires},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["token"]
    assert secret.startswith("cw_")
    assert created["prefix"] == secret[3:11]
    assert created["is_usable"] is True

    listed = client.get(f"{API}/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["Reporting"]
    assert "token" not in listed["items"][0]
    assert secret not in client.get(f"{API}/tokens").content.decode()
    token = ApiToken.objects.get(pk=created["id"])
    assert token.token_hash == ApiToken.hash(secret)
    assert secret not in token.token_hash

    me = Client().get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["id"] == personas.case_manager.pk


def test_a_token_cannot_create_tokens(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)
    assert_error(api.post("/tokens", {"name": "Another"}), 401, "not_authenticated")
    assert ApiToken.objects.filter(user=personas.case_manager).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Old", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"name": "Naive", "expires_at": "2099-01-01T00:00:00"}, "expires_at"),
    ],
)
def test_token_input_is_checked(personas: Personas, body: dict[str, str], field: str) -> None:
    response = signed_in(personas).post(f"{API}/tokens", body, content_type="application/json")
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == [field]
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_ones_own_tokens(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    services.api_token_create(actor=personas.colleague, name="Colleague's")
    api = api_as(personas.case_manager)
    body = api.get("/tokens").json()
    assert [t["name"] for t in body["items"]] == ["Tests"]
    assert body["items"][0]["last_used_at"] is not None


def test_revoking_a_token_stops_it_at_once(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    api = api_as(personas.case_manager)
    token, raw = services.api_token_create(actor=personas.case_manager, name="Laptop")
    response = api.delete(f"/tokens/{token.pk}")
    assert response.status_code == 204
    assert response.content == b""
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.delete(f"/tokens/{token.pk}").status_code == 204
    revoked = Client().get(f"{API}/me", headers={"Authorization": f"Bearer {raw}"})
    assert_error(revoked, 401, "not_authenticated")
    listed = {t["id"]: t for t in api.get("/tokens").json()["items"]}
    assert listed[token.pk]["is_usable"] is False


def test_a_token_may_revoke_itself(personas: Personas, api_as: Callable[..., ApiClient]) -> None:
    api = api_as(personas.case_manager)
    token = ApiToken.objects.get(user=personas.case_manager)
    assert api.delete(f"/tokens/{token.pk}").status_code == 204
    assert_error(api.get("/me"), 401, "not_authenticated")


def test_nobody_revokes_someone_elses_token(
    personas: Personas, api_as: Callable[..., ApiClient]
) -> None:
    theirs, _raw = services.api_token_create(actor=personas.colleague, name="Colleague's")
    for who in (personas.case_manager, personas.admin, personas.outsider):
        assert_error(api_as(who).delete(f"/tokens/{theirs.pk}"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None

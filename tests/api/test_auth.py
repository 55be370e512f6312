"""Who may call the API at all: personal tokens and the browser session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from casework.core import services
from casework.core.models import ApiToken, Program, User
from tests.personas import Personas

from .conftest import API, assert_error

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def get_me(raw: str) -> Any:
    return Client().get(f"{API}/me", headers=bearer(raw))


def test_a_valid_token_authenticates_its_owner(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    response = get_me(token_for(personas.case_manager))
    assert response.status_code == 200
    assert response.json()["email"] == personas.case_manager.email


def test_it_refuses_a_revoked_token(personas: Personas) -> None:
    token, raw = services.api_token_create(actor=personas.case_manager, name="Laptop")
    services.api_token_revoke(actor=personas.case_manager, token=token)
    error = assert_error(get_me(raw), 401, "not_authenticated")
    assert "revoked" in error["message"]


def test_it_refuses_an_expired_token(personas: Personas) -> None:
    token, raw = services.api_token_create(
        actor=personas.case_manager, name="Laptop", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(get_me(raw), 401, "not_authenticated")


def test_it_refuses_a_wrong_secret_with_a_real_prefix(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    raw = token_for(personas.case_manager)
    forged = raw[:11] + ("A" if raw[11] != "A" else "B") + raw[12:]
    assert forged != raw
    assert forged[3:11] == raw[3:11]
    assert_error(get_me(forged), 401, "not_authenticated")


@pytest.mark.parametrize("raw", ["", "cw_", "nonsense", "cw_short", "Bearer"])
def test_it_refuses_malformed_tokens(personas: Personas, raw: str) -> None:
    assert_error(get_me(raw), 401, "not_authenticated")


def test_it_refuses_the_token_of_a_deactivated_user(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    raw = token_for(personas.case_manager)
    # Deactivated directly, not through staff_set_active (which also revokes tokens):
    # the account's state alone must be enough.
    User.objects.filter(pk=personas.case_manager.pk).update(is_active=False)
    assert_error(get_me(raw), 401, "not_authenticated")


def test_it_refuses_tokens_of_an_inactive_organization(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    raw = token_for(personas.case_manager)
    personas.agency.is_active = False
    personas.agency.save()
    assert_error(get_me(raw), 401, "not_authenticated")


def test_no_credentials_gives_401_with_a_bearer_challenge(personas: Personas) -> None:
    response = Client().get(f"{API}/cases")
    error = assert_error(response, 401, "not_authenticated")
    assert error["fields"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_last_used_is_written_at_most_once_a_minute(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    raw = token_for(personas.case_manager)
    token = ApiToken.objects.get(prefix=raw[3:11])
    assert token.last_used_at is None

    get_me(raw)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    get_me(raw)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    earlier = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    get_me(raw)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > earlier


def test_a_bad_token_is_refused_even_with_a_valid_session(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.case_manager)
    response = client.get(f"{API}/me", headers=bearer("cw_notavalidtoken"))
    assert_error(response, 401, "not_authenticated")


# --- session ------------------------------------------------------------------------------


def csrf_client(user: User) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    csrf = get_token(RequestFactory().get("/"))
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    return client, csrf


def test_the_session_authenticates_reads_without_csrf(personas: Personas) -> None:
    client, _csrf = csrf_client(personas.case_manager)
    response = client.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["id"] == personas.case_manager.pk


def test_the_session_needs_the_csrf_token_for_writes(personas: Personas) -> None:
    client, csrf = csrf_client(personas.admin)
    body = {"name": "Youth Housing", "code": "yh"}

    refused = client.post(f"{API}/programs", body, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    assert not Program.objects.filter(code="yh").exists()

    accepted = client.post(
        f"{API}/programs", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content
    assert Program.objects.filter(code="yh", organization=personas.agency).exists()


def test_an_anonymous_write_gets_401_not_a_csrf_error(personas: Personas) -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/programs", {"name": "X", "code": "x"}, content_type="application/json"
    )
    assert_error(response, 401, "not_authenticated")


def test_token_writes_need_no_csrf_token(
    personas: Personas, token_for: Callable[[User], str]
) -> None:
    response = Client(enforce_csrf_checks=True).post(
        f"{API}/programs",
        {"name": "Youth Housing", "code": "yh"},
        content_type="application/json",
        headers=bearer(token_for(personas.admin)),
    )
    assert response.status_code == 201, response.content


def test_the_session_is_refused_until_required_two_factor_is_set_up(personas: Personas) -> None:
    personas.agency.require_two_factor = True
    personas.agency.save()
    client = Client()
    client.force_login(personas.case_manager)
    error = assert_error(client.get(f"{API}/me"), 403, "permission_denied")
    assert "two-factor" in error["message"]

    User.objects.filter(pk=personas.case_manager.pk).update(totp_confirmed_at=timezone.now())
    assert client.get(f"{API}/me").status_code == 200

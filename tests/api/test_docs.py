"""The OpenAPI document and the interactive docs, which must work under our CSP."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from ninja import NinjaAPI
from ninja.responses import Response
from playwright.sync_api import expect

from casework.api import api as casework_api

from .conftest import API

pytestmark = pytest.mark.django_db


def test_the_openapi_document_loads_at_a_stable_url() -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Casework API"
    assert schema["info"]["version"] == "1"
    assert {
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/programs",
        "/api/v1/programs/{program_id}",
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
        "/api/v1/staff",
        "/api/v1/staff/{user_id}",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/assign",
        "/api/v1/clients/{client_id}",
        "/api/v1/audit-events",
    } <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}
    assert "ErrorOut" in schema["components"]["schemas"]


def test_the_openapi_document_is_built_once_and_served_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A fresh cache for this test, whatever other tests have built already.
    monkeypatch.setattr(casework_api, "_openapi_schemas", {})
    builds: list[str | None] = []
    build = NinjaAPI.get_openapi_schema

    def counted(self: NinjaAPI, **kwargs: Any) -> Any:
        builds.append(kwargs.get("path_prefix"))
        return build(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counted)
    client = Client()
    first = client.get(f"{API}/openapi.json")
    second = client.get(f"{API}/openapi.json")
    assert builds == ["/api/v1/"], "the second request built the document again"
    assert first.status_code == second.status_code == 200
    assert second["Content-Type"] == "application/json"
    assert second.content == first.content
    schema = json.loads(second.content)
    assert schema["info"]["title"] == "Casework API"
    assert "/api/v1/cases/{case_id}" in schema["paths"]
    # The kept document is the one a fresh build makes, byte for byte.
    fresh = casework_api.build_openapi_schema("/api/v1/")
    assert set(schema["paths"]) == set(fresh["paths"])
    assert second.content == Response(fresh).content
    # Code that asks for the document gets the one the view serves.
    assert (
        casework_api.get_openapi_schema(path_prefix="/api/v1/") is casework_api.get_openapi_schema()
    )
    assert builds == ["/api/v1/", "/api/v1/"]  # the view's, and the fresh one above


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_script_types: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))
        if tag == "script" and not attributes.get("src"):
            self.inline_script_types.append(attributes.get("type"))


def test_the_docs_page_uses_only_our_own_static_files() -> None:
    client = Client()
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assets = _Assets()
    assets.feed(response.content.decode())
    assert assets.urls, "the page loads Swagger UI from somewhere"
    for url in assets.urls:
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url
    # The only inline script is data, which the CSP allows because it never runs.
    assert assets.inline_script_types == ["application/json"]
    assert b"cdn." not in response.content


@pytest.mark.browser
def test_swagger_ui_renders_under_the_content_security_policy(live_server: Any, page: Any) -> None:
    violations: list[str] = []
    foreign: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else foreign.append(r.url),
    )
    page.goto(f"{live_server.url}{API}/docs")
    # Swagger UI fetches the document, then draws every operation; on a busy machine the
    # first one may take a while to appear.
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=60_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    # Opening an operation draws the icons the stylesheet embeds as data: images.
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    expect(page.get_by_role("button", name="Execute")).to_be_visible()
    # Two animation frames: the open operation has been painted, so any image the CSP
    # blocks has been reported to the console by now.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert any("/api/v1/cases" in p for p in paths)
    assert violations == []
    assert foreign == []

"""The OpenAPI document and the interactive docs, which must work under our CSP."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

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
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    # Opening an operation draws the icons the stylesheet embeds as data: images.
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.wait_for_timeout(500)
    assert any("/api/v1/cases" in p for p in paths)
    assert violations == []
    assert foreign == []

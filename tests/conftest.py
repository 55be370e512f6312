from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from casework.core.models import User

from .factories import PASSWORD
from .personas import Personas, build_personas

# Playwright's sync API runs an event loop in the test thread; Django would then
# refuse ORM calls made by the test itself (fixtures, assertions).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium")

# How long an ``expect(...)`` in a browser test keeps retrying before it fails (Playwright's
# default is 5 s). A passing assertion returns as soon as it holds, so a longer limit costs
# nothing on a quiet machine and keeps a busy one (parallel workers, CI) from failing tests
# that are only slow.
EXPECT_TIMEOUT_MS = 20_000


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (counters such as referral link misses)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture
def client_as(client: Any) -> Callable[[User], Any]:
    """A Django test client signed in as the given user."""

    def sign_in(user: User) -> Any:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def run_tasks(transactional_db: None) -> Callable[[], None]:
    """Run every queued background task, as ``casework worker`` would.

    The database worker insists on autocommit connections (on PostgreSQL it
    closes any other), so tests that use it run outside a test transaction.
    """

    def run() -> None:
        from django.core.management import call_command

        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


@pytest.fixture(scope="session", autouse=True)
def _patient_expect() -> Iterator[None]:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield
    expect.set_options(timeout=None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def sign_in_page(live_server: Any, page: Any) -> Callable[[User], Any]:
    """Sign in through the real sign-in form and return the Playwright page."""

    def sign_in(user: User) -> Any:
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in

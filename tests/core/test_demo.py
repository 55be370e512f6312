"""``casework demo``: seeds a believable agency once, through the services, and serves it."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from casework.clients.models import Client
from casework.core.models import (
    Organization,
    Role,
)
from casework.site import demo
from casework.site.management.commands import demo as demo_command

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    f"admin@{demo.DEMO_DOMAIN}": Role.AGENCY_ADMIN,
    f"programs@{demo.DEMO_DOMAIN}": Role.PROGRAM_MANAGER,
    f"intake@{demo.DEMO_DOMAIN}": Role.INTAKE_COORDINATOR,
    f"supervisor@{demo.DEMO_DOMAIN}": Role.SUPERVISOR,
    f"casemanager@{demo.DEMO_DOMAIN}": Role.CASE_MANAGER,
    f"auditor@{demo.DEMO_DOMAIN}": Role.AUDITOR,
    f"partner@{demo.PARTNER_DOMAIN}": Role.PARTNER,
    f"admin@{demo.PARTNER_DOMAIN}": Role.AGENCY_ADMIN,
}


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def fast_hasher(settings: Any) -> None:
    """Argon2 is slow on purpose; these tests check the demo, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_does_not_seed_over_an_agency_already_in_use(
    monkeypatch: pytest.MonkeyPatch, fast_hasher: None
) -> None:
    Organization.objects.create(name="Our Agency", slug="ours")
    served: list[dict[str, Any]] = []
    monkeypatch.setattr(demo_command, "serve", lambda **kw: served.append(kw))
    out = StringIO()
    call_command("demo", "--port=8555", stdout=out)
    assert "not seeding" in out.getvalue()
    assert not Client.objects.exists()
    assert served == [{"host": "127.0.0.1", "port": 8555, "workers": served[0]["workers"]}]
    assert 1 <= served[0]["workers"] <= 2

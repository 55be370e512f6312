"""Monitoring in a real browser: a missed contact becomes an alert on my work, then is dismissed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.clients.models import Case
from casework.core.models import User
from casework.monitoring.models import Alert, AlertKind
from casework.monitoring.tasks import run_sweep
from tests.personas import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SignIn = Callable[[User], Page]


def test_a_missed_contact_alerts_the_case_manager_who_dismisses_it(
    live_server: Any, sign_in_page: SignIn, personas: Personas, run_tasks: Callable[[], None]
) -> None:
    p = personas
    limit = p.program.no_contact_alert_days
    Case.objects.exclude(pk=p.case.pk).update(last_contact_on=timezone.localdate())
    Case.objects.filter(pk=p.case.pk).update(
        last_contact_on=timezone.localdate() - timedelta(days=limit + 1)
    )
    run_sweep.enqueue()
    run_tasks()
    alert = Alert.objects.get(recipient=p.case_manager)
    assert alert.kind == AlertKind.NO_CONTACT

    page = sign_in_page(p.case_manager)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    panel = page.get_by_role("region", name="Alerts")
    expect(panel).to_contain_text(f"No contact recorded on case {p.case.reference}")
    expect(panel).not_to_contain_text(p.case.client.last_name)

    panel.get_by_role("button", name="Dismiss").click()
    expect(panel.get_by_text(f"case {p.case.reference}")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("region", name="Alerts")).to_contain_text("No alerts")
    alert.refresh_from_db()
    assert alert.dismissed_at is not None
    assert problems == []

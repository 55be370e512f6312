"""Restricting records and breaking glass: permission, validation, audit and alerts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from casework.clients.models import RestrictionReason
from casework.confidentiality import services
from casework.confidentiality.models import BreakGlassGrant
from casework.core.models import AuditEvent
from casework.monitoring.models import Alert, AlertKind
from tests.personas import Personas

from .helpers import restricted_case

pytestmark = pytest.mark.django_db


def test_an_admin_restricts_a_record_with_a_reason_and_it_is_audited(personas: Personas) -> None:
    p = personas
    client = p.case.client
    services.client_restrict(actor=p.admin, client=client, reason=RestrictionReason.STAFF)
    client.refresh_from_db()
    assert client.is_restricted
    assert client.restriction_reason == RestrictionReason.STAFF
    assert client.restricted_at is not None
    event = AuditEvent.objects.get(action="client.restrict")
    assert event.client_id == client.pk
    assert event.actor == p.admin
    assert event.changes == {"reason": "staff", "was_restricted": False}


def test_restricting_does_not_change_the_record_version(personas: Personas) -> None:
    p = personas
    client = p.case.client
    version = client.version
    services.client_restrict(actor=p.admin, client=client, reason=RestrictionReason.OTHER)
    client.refresh_from_db()
    assert client.version == version


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "intake", "auditor"])
def test_only_agency_admins_restrict_records(personas: Personas, who: str) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.client_restrict(
            actor=getattr(p, who), client=p.case.client, reason=RestrictionReason.STAFF
        )


def test_an_admin_of_another_agency_cannot_restrict(personas: Personas) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.client_restrict(
            actor=p.admin, client=p.outsider_case.client, reason=RestrictionReason.STAFF
        )


def test_a_restriction_needs_a_known_reason(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        services.client_restrict(actor=p.admin, client=p.case.client, reason="gossip")
    assert "reason" in exc.value.message_dict


def test_lifting_a_restriction_is_audited(personas: Personas) -> None:
    p = personas
    case = restricted_case(p)
    services.client_unrestrict(actor=p.admin, client=case.client)
    case.client.refresh_from_db()
    assert not case.client.is_restricted
    event = AuditEvent.objects.get(action="client.unrestrict")
    assert event.changes == {"reason": "domestic_violence"}
    with pytest.raises(PermissionDenied):
        services.client_unrestrict(actor=p.case_manager, client=case.client)


def test_breaking_glass_is_audited_and_alerts_the_privacy_officer(personas: Personas) -> None:
    p = personas
    client = p.colleague_case.client
    grant = services.break_glass_open(
        actor=p.supervisor, client=client, reason="Client called the crisis line at night."
    )
    assert grant.reason == "Client called the crisis line at night."
    event = AuditEvent.objects.get(action="client.break_glass")
    assert event.client_id == client.pk
    assert event.actor == p.supervisor
    assert "crisis" not in str(event.changes)
    assert event.changes["grant_id"] == grant.pk
    alert = Alert.objects.get(kind=AlertKind.BREAK_GLASS)
    assert alert.recipient == p.auditor
    assert str(client.pk) in alert.message
    assert alert.link == f"/clients/{client.pk}/access-report/"


@override_settings(CASEWORK_BREAK_GLASS_HOURS=2)
def test_a_grant_lasts_as_long_as_the_setting_says(personas: Personas) -> None:
    p = personas
    grant = services.break_glass_open(
        actor=p.supervisor, client=p.colleague_case.client, reason="Hospital needs allergies."
    )
    assert (grant.expires_at - grant.granted_at).total_seconds() == 2 * 3600


def test_breaking_glass_needs_a_real_reason(personas: Personas) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        services.break_glass_open(actor=p.supervisor, client=p.colleague_case.client, reason=" ok ")
    assert "reason" in exc.value.message_dict
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action="client.break_glass").exists()


def test_a_plain_case_manager_cannot_break_glass_into_a_restricted_record(
    personas: Personas,
) -> None:
    p = personas
    case = restricted_case(p)
    with pytest.raises(PermissionDenied):
        services.break_glass_open(
            actor=p.colleague, client=case.client, reason="I would like to have a look."
        )
    with pytest.raises(PermissionDenied):
        services.break_glass_open(
            actor=p.supervisor, client=case.client, reason="I would like to have a look."
        )
    assert not BreakGlassGrant.objects.exists()

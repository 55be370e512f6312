"""The audit log: append-only, hash-chained per organization, verifiable."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from casework.core import audit
from casework.core.models import AuditChainHead, AuditEvent
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def problems() -> list[str]:
    return [str(p) for p in audit.verify()]


def record_three(p: Personas) -> list[AuditEvent]:
    return [
        audit.record(action="test.one", actor=p.case_manager, target=p.case.client),
        audit.record(action="test.two", actor=p.supervisor, changes={"a": [1, 2]}),
        audit.record(action="test.three", actor=p.outsider),
    ]


def raw_sql(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Simulates an attacker with full database rights, who can lift the guard.
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")


def test_events_link_into_one_chain_per_organization(personas: Personas) -> None:
    one, two, three = record_three(personas)
    assert one.chain == two.chain != three.chain
    assert one.organization_id == personas.agency.pk
    assert three.organization_id == personas.other_agency.pk
    assert two.previous_hash == one.hash
    assert two.sequence == one.sequence + 1
    assert problems() == []


def test_an_event_records_who_what_and_which_client(personas: Personas) -> None:
    event = audit.record(
        action="client.view",
        actor=personas.case_manager,
        target=personas.case.client,
        client_id=personas.case.client_id,
    )
    event.refresh_from_db()
    assert event.actor == personas.case_manager
    assert event.organization_id == personas.agency.pk
    assert event.object_type == "clients.client"
    assert event.object_id == str(personas.case.client_id)
    assert event.client_id == personas.case.client_id
    assert len(event.request_id) == 32


def test_verify_finds_a_changed_event(personas: Personas) -> None:
    one, _two, _three = record_three(personas)
    raw_sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", one.pk])
    found = problems()
    assert len(found) == 1
    assert "changed" in found[0]


def test_verify_finds_a_deleted_event_in_the_middle(personas: Personas) -> None:
    _one, two, _three = record_three(personas)
    audit.record(action="test.four", actor=personas.case_manager)
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [two.pk])
    assert any("missing" in p for p in problems())


def test_verify_finds_the_newest_event_deleted(personas: Personas) -> None:
    _one, two, _three = record_three(personas)
    raw_sql("DELETE FROM core_auditevent WHERE id = %s", [two.pk])
    assert any("deleted" in p for p in problems())


def test_an_event_rolls_back_with_the_change_it_describes(personas: Personas) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(action="test.rolled_back", actor=personas.case_manager)
        raise RuntimeError("the service failed after recording")
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    head = AuditChainHead.objects.filter(chain=f"org:{personas.agency.pk}").first()
    assert head is None or head.sequence == AuditEvent.objects.filter(chain=head.chain).count()
    assert problems() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")
def test_postgresql_refuses_update_and_delete_of_events(personas: Personas) -> None:
    one = audit.record(action="test.one", actor=personas.case_manager)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=one.pk).update(action="test.forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=one.pk).delete()
    assert AuditEvent.objects.get(pk=one.pk).action == "test.one"


# --- two sessions at once -------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer at a time: its appends wait for each other in the database",
)
@pytest.mark.django_db(transaction=True)
def test_two_sessions_append_at_once_without_waiting(personas: Personas) -> None:
    """One session holds an open transaction with an appended event; another session of
    the same agency appends and commits meanwhile. With a lock on the agency's chain the
    second would wait for the first to commit: its lock timeout makes that fail at once."""
    appended = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def hold_an_open_transaction() -> None:
        try:
            with transaction.atomic():
                audit.record(action="test.held", actor=personas.case_manager)
                appended.set()
                release.wait(timeout=30)
        except BaseException as error:  # reported by the test's thread
            failures.append(error)
        finally:
            appended.set()
            connection.close()

    holder = threading.Thread(target=hold_an_open_transaction)
    holder.start()
    try:
        assert appended.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            second = audit.record(action="test.meanwhile", actor=personas.supervisor)
        assert AuditEvent.objects.filter(pk=second.pk).exists()
        assert not AuditEvent.objects.filter(action="test.held").exists()
    finally:
        release.set()
        holder.join()
    assert failures == []
    held = AuditEvent.objects.get(action="test.held")
    assert held.organization_id == second.organization_id == personas.agency.pk
    assert held.chain != second.chain
    assert problems() == []
    # Once nobody holds them, later appends reuse the lanes instead of opening more.
    later = audit.record(action="test.later", actor=personas.colleague)
    assert later.chain in {held.chain, second.chain}
    assert AuditChainHead.objects.filter(organization_id=personas.agency.pk).count() == 2
    assert problems() == []

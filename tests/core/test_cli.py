"""The ``casework`` command line: command mapping, createadmin, audit-verify, serve, worker."""

from __future__ import annotations

import os
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from casework import cli
from casework.core import audit
from casework.core.management.commands import serve as serve_command
from casework.core.models import AuditEvent, Organization, Role, User
from casework.site.management.commands import worker as worker_command

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "a long and unguessable passphrase"


def run(*args: str, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def create_admin(
    monkeypatch: pytest.MonkeyPatch, email: str = "ada@riverside.test", **kw: str
) -> str:
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", kw.pop("password", ADMIN_PASSWORD))
    out, _ = run(
        "createadmin",
        "--no-input",
        f"--email={email}",
        "--first-name=Ada",
        "--last-name=Okafor",
        f"--organization={kw.pop('organization', 'Riverside Community Services')}",
    )
    return out


# --- command mapping -------------------------------------------------------------------------


def test_help_lists_caseworks_own_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["casework", "--help"]) == 0
    out = capsys.readouterr().out
    for name, summary in cli.COMMANDS.items():
        assert f"  {name}" in out
        assert summary in out


def test_every_listed_command_exists() -> None:
    commands = get_commands()
    for name in cli.COMMANDS:
        assert cli.django_command(name) in commands, name


def test_it_maps_hyphenated_commands_and_passes_the_rest_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    cli.main(["casework", "audit-verify"])
    cli.main(["casework", "shell", "-c", "print(1)"])
    cli.main(["casework", "help", "audit-verify"])
    cli.main(["casework", "generate", "--clients", "10", "--staff-per-team", "4"])
    assert seen == [
        ["casework", "audit_verify"],
        ["casework", "shell", "-c", "print(1)"],
        ["casework", "help", "audit_verify"],
        ["casework", "generate", "--clients", "10", "--staff-per-team", "4"],
    ]
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "casework.settings"


def test_it_runs_a_command_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["casework", "audit-verify", "--skip-checks"])
    assert "Audit log intact: 0 events in 0 chains" in capsys.readouterr().out


# --- createadmin -----------------------------------------------------------------------------


def test_createadmin_creates_the_agency_and_its_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    out = create_admin(monkeypatch)
    assert "ada@riverside.test" in out
    user = User.objects.select_related("organization", "staff_profile").get()
    assert user.organization is not None
    assert user.organization.name == "Riverside Community Services"
    assert user.organization.slug == "riverside-community-services"
    assert user.is_staff and user.is_active and not user.is_superuser
    assert user.staff_profile.roles == [Role.AGENCY_ADMIN]
    assert user.staff_profile.organization_id == user.organization_id
    assert user.check_password(ADMIN_PASSWORD)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.action for e in events] == ["organization.create", "staff.create"]
    assert all(e.actor_id is None and e.organization_id == user.organization_id for e in events)
    assert list(audit.verify()) == []


def test_createadmin_adds_an_admin_to_an_existing_agency(monkeypatch: pytest.MonkeyPatch) -> None:
    create_admin(monkeypatch)
    create_admin(
        monkeypatch, email="ben@riverside.test", organization="riverside community services"
    )
    assert Organization.objects.count() == 1
    assert User.objects.filter(organization__isnull=False).count() == 2
    assert AuditEvent.objects.filter(action="organization.create").count() == 1


def test_createadmin_without_a_password_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEWORK_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="CASEWORK_ADMIN_PASSWORD"):
        run(
            "createadmin",
            "--no-input",
            "--email=a@b.test",
            "--first-name=A",
            "--last-name=B",
            "--organization=Agency",
        )


def test_createadmin_names_a_missing_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", ADMIN_PASSWORD)
    with pytest.raises(CommandError, match="--organization is required"):
        run("createadmin", "--no-input", "--email=a@b.test", "--first-name=A", "--last-name=B")


def test_createadmin_rejects_a_weak_password_and_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(CommandError, match="password: This password is too short"):
        create_admin(monkeypatch, password="short")
    assert not Organization.objects.exists()
    assert not AuditEvent.objects.exists()


def test_createadmin_rejects_an_email_already_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    create_admin(monkeypatch)
    with pytest.raises(CommandError, match="email: Someone already signs in"):
        create_admin(monkeypatch, email="ADA@riverside.test", organization="Elsewhere")
    assert Organization.objects.count() == 1


def test_createadmin_prompts_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEWORK_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["Harbor Legal Aid", "ines@harbor.test", "Ines", "Ortega"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: ADMIN_PASSWORD)
    run("createadmin")
    user = User.objects.get(email="ines@harbor.test")
    assert user.organization is not None and user.organization.name == "Harbor Legal Aid"
    assert user.check_password(ADMIN_PASSWORD)


# --- audit-verify ----------------------------------------------------------------------------


def test_audit_verify_passes_on_an_intact_log(monkeypatch: pytest.MonkeyPatch) -> None:
    create_admin(monkeypatch)
    audit.record(action="system.check", actor=None)
    out, err = run("audit_verify")
    assert "Audit log intact: 3 events in 2 chains" in out
    assert err == ""


def tamper(sql: str, params: list[Any]) -> None:
    """Change the audit log behind the application's back. On PostgreSQL, as the table's
    owner could: with its append-only trigger switched off for the statement."""
    trigger = "core_auditevent_no_update_delete"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE core_auditevent ENABLE TRIGGER {trigger}")


def test_audit_verify_fails_after_an_event_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    create_admin(monkeypatch)
    event = AuditEvent.objects.get(action="staff.create")
    tamper(
        "UPDATE core_auditevent SET changes = %s WHERE id = %s",
        ['{"roles": ["auditor"]}', event.pk],
    )
    with pytest.raises(CommandError) as failure:
        run("audit_verify")
    assert failure.value.returncode == 1
    assert "Audit log broken: 1 problem(s)" in str(failure.value)


def test_audit_verify_reports_each_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    create_admin(monkeypatch)
    newest = AuditEvent.objects.order_by("-sequence").first()
    assert newest is not None
    tamper("DELETE FROM core_auditevent WHERE id = %s", [newest.pk])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert f"{newest.chain} #2: newest event(s) after #1 were deleted" in err.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL has the trigger")
def test_postgresql_refuses_to_change_or_delete_audit_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_admin(monkeypatch)
    newest = AuditEvent.objects.order_by("-sequence").first()
    assert newest is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=newest.pk).update(changes={"roles": ["auditor"]})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=newest.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [newest.pk])
    out, _ = run("audit_verify")
    assert "Audit log intact: 2 events in 1 chains" in out


# --- serve and worker ----------------------------------------------------------------------


def test_serve_collects_static_files_then_runs_granian(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(serve_command, "call_command", lambda *a, **kw: calls.append(a))
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append(tuple(argv)))
    monkeypatch.setenv("CASEWORK_WEB_WORKERS", "3")
    monkeypatch.delenv("CASEWORK_WEB_THREADS", raising=False)
    out, _ = run("serve", "--port=8123")
    assert calls[0] == ("collectstatic",)
    argv = calls[1]
    assert argv[:3] == (sys.executable, "-m", "granian")
    flags = " ".join(argv[3:])
    assert "--interface wsgi" in flags
    assert "--host 127.0.0.1 --port 8123 --workers 3 --blocking-threads 4" in flags
    assert argv[-1] == "casework.wsgi:application"
    assert "http://127.0.0.1:8123/" in out


def test_worker_runs_the_database_task_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(worker_command, "call_command", lambda *a, **kw: calls.append((a, kw)))
    run("worker")
    (args, options), *_ = calls
    assert args == ("db_worker",)
    assert options["queue_name"] == "*"
    assert options["reload"] is False
    assert options["batch"] is False


@pytest.mark.django_db(transaction=True)  # the worker checks its connection is in autocommit
def test_worker_batch_processes_the_queue_and_exits() -> None:
    out, _ = run("worker", "--batch", verbosity=0)
    assert out == ""

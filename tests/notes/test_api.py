"""The notes API: drafts, signing, addenda, attachments, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from casework.core.models import AuditEvent, TeamRole, User
from tests.api.conftest import API, ApiClient, api_as, assert_error, constant_queries, token_for
from tests.factories import NoteAddendumFactory, NoteFactory, TeamMembershipFactory
from tests.personas import Personas

from .conftest import draft, signed

__all__ = ["api_as", "token_for"]

pytestmark = pytest.mark.django_db

As = Callable[[User], ApiClient]


def when(hours: int = 2) -> str:
    return (timezone.now() - timedelta(hours=hours)).isoformat()


def test_a_note_from_draft_to_signature_and_addendum(personas: Personas, api_as: As) -> None:
    p = personas
    api = api_as(p.case_manager)
    created = api.post(
        f"/cases/{p.case.pk}/notes",
        {"contact_type": "home_visit", "contact_at": when(), "sections": {"body": "Visited."}},
    )
    assert created.status_code == 201, created.content
    note = created.json()
    assert (note["status"], note["version"], note["note_format"]) == ("draft", 1, "free_text")
    saved = api.patch(
        f"/notes/{note['id']}",
        {
            "contact_type": "home_visit",
            "contact_at": when(),
            "duration_minutes": 50,
            "sections": {"body": "Visited; the heating works again."},
            "version": 1,
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2
    stale = api.patch(
        f"/notes/{note['id']}",
        {"contact_type": "home_visit", "contact_at": when(), "version": 1},
    )
    assert assert_error(stale, 409, "conflict")["current_version"] == 2
    signed_note = api.post(f"/notes/{note['id']}/sign", {"version": 2})
    assert signed_note.status_code == 200
    assert signed_note.json()["status"] == "signed"
    locked = api.patch(
        f"/notes/{note['id']}",
        {"contact_type": "phone", "contact_at": when(), "version": 3},
    )
    assert_error(locked, 422, "invalid")
    addendum = api.post(f"/notes/{note['id']}/addenda", {"text": "The landlord fixed it."})
    assert addendum.status_code == 201
    got = api.get(f"/notes/{note['id']}").json()
    assert got["sections"] == {"body": "Visited; the heating works again."}
    assert [a["text"] for a in got["addenda"]] == ["The landlord fixed it."]
    listed = api.get(f"/cases/{p.case.pk}/notes").json()
    assert listed["count"] == 1


def test_bad_input_names_the_field(personas: Personas, api_as: As) -> None:
    p = personas
    future = (timezone.now() + timedelta(days=2)).isoformat()
    bad = api_as(p.case_manager).post(
        f"/cases/{p.case.pk}/notes", {"contact_type": "phone", "contact_at": future}
    )
    assert "contact_at" in assert_error(bad, 422, "invalid")["fields"]


def test_the_list_filters_by_type_author_and_dates(personas: Personas, api_as: As) -> None:
    p = personas
    old = timezone.now() - timedelta(days=30)
    NoteFactory(case=p.case, contact_type="phone", contact_at=old)
    NoteFactory(case=p.case, contact_type="court", author=p.supervisor)
    api = api_as(p.case_manager)

    def ids(**params: Any) -> list[str]:
        return [
            n["contact_type"]
            for n in api.get(f"/cases/{p.case.pk}/notes", **params).json()["items"]
        ]

    assert ids() == ["court", "phone"]
    assert ids(contact_type="phone") == ["phone"]
    assert ids(author=p.supervisor.pk) == ["court"]
    assert ids(until=(timezone.localdate() - timedelta(days=7)).isoformat()) == ["phone"]


def test_others_drafts_are_not_listed(personas: Personas, api_as: As) -> None:
    p = personas
    mine = draft(p.case_manager, p.case)
    api = api_as(p.supervisor)
    assert api.get(f"/cases/{p.case.pk}/notes").json()["count"] == 0
    assert_error(api.get(f"/notes/{mine.pk}"), 404, "not_found")


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider", "admin"])
def test_people_who_may_not_see_the_case_get_404(personas: Personas, api_as: As, who: str) -> None:
    p = personas
    note = signed(p.case_manager, p.case)
    api = api_as(getattr(p, who))
    assert_error(api.get(f"/cases/{p.case.pk}/notes"), 404, "not_found")
    assert_error(api.get(f"/notes/{note.pk}"), 404, "not_found")
    assert_error(
        api.post(f"/cases/{p.case.pk}/notes", {"contact_type": "phone", "contact_at": when()}),
        404,
        "not_found",
    )
    assert_error(api.post(f"/notes/{note.pk}/addenda", {"text": "x"}), 404, "not_found")


def test_an_auditor_on_the_team_sees_that_notes_exist_but_never_their_text(
    personas: Personas, api_as: As
) -> None:
    p = personas
    TeamMembershipFactory(team=p.team, user=p.auditor, role=TeamRole.MEMBER)
    note = signed(p.case_manager, p.case, "Words only staff read")
    NoteAddendumFactory(note=note, text="More words only staff read")
    api = api_as(p.auditor)
    got = api.get(f"/notes/{note.pk}").json()
    assert got["text_visible"] is False
    assert got["sections"] is None
    assert got["addenda"][0]["text"] is None
    listed = api.get(f"/cases/{p.case.pk}/notes").json()
    assert "only staff read" not in str(listed)
    assert "only staff read" not in str(got)
    denied = api.post(f"/cases/{p.case.pk}/notes", {"contact_type": "phone", "contact_at": when()})
    assert_error(denied, 403, "permission_denied")


def test_an_attachment_is_uploaded_downloaded_and_audited(
    personas: Personas, api_as: As, token_for: Callable[[User], str]
) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    client = Client()
    headers = {"Authorization": f"Bearer {token_for(p.case_manager)}"}
    uploaded = client.post(
        f"{API}/notes/{note.pk}/attachments",
        {"kind": "signed_form", "file": SimpleUploadedFile("release.txt", b"Signed release")},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert body["content_type"] == "text/plain"
    got = client.get(f"{API}/notes/attachments/{body['id']}", headers=headers)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"Signed release"
    assert "release" not in got["Content-Disposition"]
    assert AuditEvent.objects.filter(action="note.attachment.download").count() == 1
    refused = client.post(
        f"{API}/notes/{note.pk}/attachments",
        {"kind": "report", "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
        headers=headers,
    )
    assert "file" in assert_error(refused, 422, "invalid")["fields"]
    assert_error(api_as(p.colleague).get(f"/notes/attachments/{body['id']}"), 404, "not_found")


def test_an_auditor_cannot_download_attachments(personas: Personas, api_as: As) -> None:
    p = personas
    TeamMembershipFactory(team=p.team, user=p.auditor, role=TeamRole.MEMBER)
    note = signed(p.case_manager, p.case)
    from casework.notes import services

    attachment = services.note_attachment_add(
        actor=p.case_manager,
        note=note,
        kind="report",
        upload=SimpleUploadedFile("r.txt", b"report"),
    )
    assert_error(api_as(p.auditor).get(f"/notes/attachments/{attachment.pk}"), 404, "not_found")


def test_the_note_list_and_a_note_run_constant_queries(personas: Personas, api_as: As) -> None:
    p = personas
    api = api_as(p.case_manager)
    note = NoteFactory(case=p.case)
    NoteAddendumFactory(note=note)

    def grow() -> None:
        for _ in range(3):
            NoteAddendumFactory(note=NoteFactory(case=p.case))
        for _ in range(3):
            NoteAddendumFactory(note=note)

    # The list's read is logged: 5 of the 13 are its audit event.
    constant_queries(lambda: api.get(f"/cases/{p.case.pk}/notes"), grow, budget=13)
    constant_queries(lambda: api.get(f"/notes/{note.pk}"), grow, budget=12)

"""Note pages: the case's notes, writing with autosave, signing, addenda, attachments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.core.models import AuditEvent, TeamRole, User
from casework.notes import services
from casework.notes.models import Note, NoteStatus
from tests.factories import NoteAddendumFactory, NoteFactory, TeamMembershipFactory, UserFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import approved_goal, draft, signed

pytestmark = pytest.mark.django_db

As = Callable[[User], Any]


def form_data(text: str = "Talked about the lease.", **kw: Any) -> dict[str, Any]:
    data = {
        "note_format": "free_text",
        "contact_type": "phone",
        "contact_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "20",
        "participants": "Client",
        "location": "",
        "section_body": text,
        "barriers": "",
        "next_steps": "",
        "note": "",
        "expected_version": "",
    }
    data.update(kw)
    return data


def test_the_case_page_shows_notes_drafts_and_a_link_to_write(
    personas: Personas, client_as: As
) -> None:
    p = personas
    signed(p.case_manager, p.case, "Signed words")
    draft(p.case_manager, p.case, "Draft words")
    page = client_as(p.case_manager).get(f"/cases/{p.case.pk}/").content.decode()
    assert "Drafts not signed" in page
    assert "Signed words" in page
    assert "Write a note" in page


def test_autosave_creates_the_draft_then_updates_it(personas: Personas, client_as: As) -> None:
    p = personas
    web = client_as(p.case_manager)
    url = f"/cases/{p.case.pk}/notes/autosave/"
    first = web.post(url, form_data("Typing..."), headers={"HX-Request": "true"})
    assert first.status_code == 200
    note = Note.objects.get()
    assert note.status == NoteStatus.DRAFT
    assert "Saved at" in first.content.decode()
    assert first["HX-Replace-Url"] == f"/notes/{note.pk}/edit/"
    assert f'value="{note.pk}" id="id_note" hx-swap-oob="true"' in first.content.decode()
    second = web.post(
        url,
        form_data("Typing more", note=str(note.pk), expected_version="1"),
        headers={"HX-Request": "true"},
    )
    assert second.status_code == 200
    assert "HX-Replace-Url" not in second
    note.refresh_from_db()
    assert (note.sections, note.version) == ({"body": "Typing more"}, 2)
    # Reopening the draft shows what was typed.
    reopened = web.get(f"/notes/{note.pk}/edit/").content.decode()
    assert "Typing more" in reopened


def test_autosave_from_an_old_copy_says_so_and_saves_nothing(
    personas: Personas, client_as: As
) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "Window one")
    services.note_update(
        actor=p.case_manager,
        note=note,
        fields=services.NoteFields(
            contact_at=note.contact_at, sections={"body": "Window one, later"}
        ),
        expected_version=1,
    )
    stale = client_as(p.case_manager).post(
        f"/cases/{p.case.pk}/notes/autosave/",
        form_data("Window two", note=str(note.pk), expected_version="1"),
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 409
    assert "another window" in stale.content.decode()
    note.refresh_from_db()
    assert note.sections == {"body": "Window one, later"}


def test_autosave_with_a_problem_names_it(personas: Personas, client_as: As) -> None:
    p = personas
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(p.case_manager).post(
        f"/cases/{p.case.pk}/notes/autosave/", form_data(contact_at=future)
    )
    assert response.status_code == 400
    assert "Not saved yet" in response.content.decode()
    assert "cannot be in the future" in response.content.decode()
    assert not Note.objects.exists()


def test_save_and_sign_from_the_form(personas: Personas, client_as: As) -> None:
    p = personas
    web = client_as(p.case_manager)
    response = web.post(f"/cases/{p.case.pk}/notes/save/", {**form_data("Done."), "sign": ""})
    note = Note.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/notes/{note.pk}/"
    assert note.status == NoteStatus.SIGNED
    p.case.refresh_from_db()
    # The case's last contact is the day of the contact, which is an hour ago
    # and so yesterday just after midnight.
    assert p.case.last_contact_on == timezone.localdate(note.contact_at)
    # A signed note's edit page leads back to the note.
    assert web.get(f"/notes/{note.pk}/edit/")["Location"] == f"/notes/{note.pk}/"


def test_signing_an_empty_note_keeps_the_draft_and_says_why(
    personas: Personas, client_as: As
) -> None:
    p = personas
    response = client_as(p.case_manager).post(
        f"/cases/{p.case.pk}/notes/save/", {**form_data(""), "sign": ""}
    )
    assert response.status_code == 400
    assert "Write the note before signing it." in response.content.decode()
    note = Note.objects.get()
    assert note.is_draft
    assert f'value="{note.pk}"' in response.content.decode()


def test_a_note_links_goals_of_the_approved_plan(personas: Personas, client_as: As) -> None:
    p = personas
    goal = approved_goal(p.case, p.case_manager, "I want my own place")
    web = client_as(p.case_manager)
    assert "I want my own place" in web.get(f"/cases/{p.case.pk}/notes/new/").content.decode()
    web.post(f"/cases/{p.case.pk}/notes/autosave/", form_data(goals=[str(goal.pk)]))
    note = Note.objects.get()
    assert list(note.goals.all()) == [goal]
    page = web.get(f"/notes/{note.pk}/").content.decode()
    assert "I want my own place" in page


def test_the_soap_format_shows_its_sections(personas: Personas, client_as: As) -> None:
    p = personas
    manager = UserFactory(
        organization=p.agency, email="pm@riverside.test", roles=["program_manager"]
    )
    services.note_settings_update(
        actor=manager, program=p.program, formats=["soap"], default_format="soap"
    )
    page = client_as(p.case_manager).get(f"/cases/{p.case.pk}/notes/new/").content.decode()
    for label in ("Subjective", "Objective", "Assessment", "Plan"):
        assert f">{label}" in page


def test_note_formats_are_chosen_by_program_managers(personas: Personas, client_as: As) -> None:
    p = personas
    manager = UserFactory(
        organization=p.agency, email="pm@riverside.test", roles=["program_manager"]
    )
    web = client_as(manager)
    assert web.get("/manage/note-formats/").status_code == 200
    saved = web.post(
        f"/manage/note-formats/{p.program.pk}/",
        {"formats": ["dap", "birp"], "default_format": "birp"},
    )
    assert saved.status_code == 302
    refused = web.post(
        f"/manage/note-formats/{p.program.pk}/", {"formats": ["dap"], "default_format": "birp"}
    )
    assert refused.status_code == 400
    assert "The default format must be one of the formats in use." in refused.content.decode()


def test_case_managers_do_not_choose_note_formats(personas: Personas, client_as: As) -> None:
    p = personas
    assert client_as(p.case_manager).get("/manage/note-formats/").status_code == 403


def test_the_note_page_shows_addenda_under_the_note(personas: Personas, client_as: As) -> None:
    p = personas
    note = signed(p.case_manager, p.case, "The original words")
    web = client_as(p.supervisor)
    added = web.post(f"/notes/{note.pk}/addenda/", {"text": "A later correction"})
    assert added.status_code == 302
    page = web.get(f"/notes/{note.pk}/").content.decode()
    assert page.index("The original words") < page.index("A later correction")
    assert "Added and signed by Sam Supervisor" in page


def test_a_wrong_attachment_gets_a_field_error(personas: Personas, client_as: As) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    response = client_as(p.case_manager).post(
        f"/notes/{note.pk}/attachments/",
        {"kind": "report", "file": SimpleUploadedFile("scan.pdf", b"GIF89a")},
    )
    assert response.status_code == 400
    assert "contents are not a .pdf file" in response.content.decode()


def test_an_attachment_is_downloaded_through_the_page_and_audited(
    personas: Personas, client_as: As
) -> None:
    p = personas
    note = signed(p.case_manager, p.case)
    web = client_as(p.supervisor)
    web.post(
        f"/notes/{note.pk}/attachments/",
        {"kind": "report", "file": SimpleUploadedFile("eval.png", b"\x89PNG\r\n\x1a\n0000")},
    )
    attachment = note.attachments.get()
    got = web.get(f"/notes/attachments/{attachment.pk}/")
    assert got.status_code == 200
    assert got["Content-Type"] == "image/png"
    assert got["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="note.attachment.download").count() == 1


def test_the_notes_list_filters_by_type(personas: Personas, client_as: As) -> None:
    p = personas
    NoteFactory(case=p.case, contact_type="court", sections={"body": "Court words"})
    NoteFactory(case=p.case, contact_type="phone", sections={"body": "Phone words"})
    page = (
        client_as(p.case_manager)
        .get(f"/cases/{p.case.pk}/notes/", {"contact_type": "court"})
        .content.decode()
    )
    assert "Court words" in page
    assert "Phone words" not in page


def test_reading_the_notes_list_is_logged(personas: Personas, client_as: As) -> None:
    """The list shows the start of each note: a read of the client's record."""
    p = personas
    assert client_as(p.case_manager).get(f"/cases/{p.case.pk}/notes/").status_code == 200
    read = AuditEvent.objects.get(action="case.view")
    assert (read.actor_id, read.client_id, read.object_id, read.changes) == (
        p.case_manager.pk,
        p.case.client_id,
        str(p.case.pk),
        {"via": "web", "part": "notes"},
    )


def test_the_home_page_lists_drafts_not_signed(personas: Personas, client_as: As) -> None:
    p = personas
    note = draft(p.case_manager, p.case)
    page = client_as(p.case_manager).get("/").content.decode()
    assert "Drafts not signed" in page
    assert f"/notes/{note.pk}/edit/" in page
    assert "Drafts not signed" not in client_as(p.supervisor).get("/").content.decode()


# --- access ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "outsider", "auditor", "admin"])
def test_people_who_may_not_see_the_case_get_404(
    personas: Personas, client_as: As, who: str
) -> None:
    p = personas
    note = signed(p.case_manager, p.case)
    web = client_as(getattr(p, who))
    for url in (
        f"/cases/{p.case.pk}/notes/",
        f"/cases/{p.case.pk}/notes/new/",
        f"/notes/{note.pk}/",
    ):
        assert web.get(url).status_code == 404, url
    assert web.post(f"/cases/{p.case.pk}/notes/autosave/", form_data()).status_code == 404
    assert web.post(f"/notes/{note.pk}/addenda/", {"text": "x"}).status_code == 404


def test_a_draft_is_its_authors_alone(personas: Personas, client_as: As) -> None:
    p = personas
    note = draft(p.case_manager, p.case, "Not for others yet")
    web = client_as(p.supervisor)
    assert web.get(f"/notes/{note.pk}/").status_code == 404
    taken = web.post(
        f"/cases/{p.case.pk}/notes/autosave/",
        form_data("Overwritten", note=str(note.pk), expected_version="1"),
    )
    assert taken.status_code == 404
    note.refresh_from_db()
    assert note.sections == {"body": "Not for others yet"}


def test_an_auditor_on_the_team_never_reads_note_text(personas: Personas, client_as: As) -> None:
    p = personas
    TeamMembershipFactory(team=p.team, user=p.auditor, role=TeamRole.MEMBER)
    note = signed(p.case_manager, p.case, "Words only staff read")
    NoteAddendumFactory(note=note, text="Addendum only staff read")
    web = client_as(p.auditor)
    for url in (f"/notes/{note.pk}/", f"/cases/{p.case.pk}/notes/", f"/cases/{p.case.pk}/"):
        response = web.get(url)
        assert response.status_code == 200, url
        assert "only staff read" not in response.content.decode(), url
    assert web.get(f"/cases/{p.case.pk}/notes/new/").status_code == 403


# --- query budgets -----------------------------------------------------------------------


def test_the_notes_list_runs_constant_queries(personas: Personas, client_as: As) -> None:
    p = personas
    web = client_as(p.case_manager)
    NoteFactory(case=p.case)
    url = f"/cases/{p.case.pk}/notes/"
    web.get(url)
    # 14, and the read's audit event (5: savepoint, chain head, insert, head update, release)
    assert_query_budget(lambda: web.get(url), 19)

    def grow() -> None:
        for _ in range(5):
            NoteAddendumFactory(note=NoteFactory(case=p.case, author=p.supervisor))

    assert_constant_queries(lambda: web.get(url), grow)


def test_the_note_page_runs_constant_queries(personas: Personas, client_as: As) -> None:
    p = personas
    web = client_as(p.case_manager)
    note = NoteFactory(case=p.case)
    NoteAddendumFactory(note=note)
    url = f"/notes/{note.pk}/"
    web.get(url)
    assert_query_budget(lambda: web.get(url), 14)

    def grow() -> None:
        for _ in range(5):
            NoteAddendumFactory(note=note, author=p.supervisor)

    assert_constant_queries(lambda: web.get(url), grow)


def test_the_case_page_runs_constant_queries_whatever_the_notes(
    personas: Personas, client_as: As
) -> None:
    p = personas
    web = client_as(p.case_manager)
    NoteFactory(case=p.case)
    draft(p.case_manager, p.case)
    url = f"/cases/{p.case.pk}/"
    web.get(url)

    def grow() -> None:
        for _ in range(6):
            NoteFactory(case=p.case)
            draft(p.case_manager, p.case)

    assert_constant_queries(lambda: web.get(url), grow)

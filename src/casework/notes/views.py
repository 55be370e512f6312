"""Pages for case notes: a case's notes, writing one (saved as you type), reading and
signing it, addenda and attachments; and the note formats each program uses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.access import Action
from casework.clients.models import Case
from casework.clients.services import case_viewed
from casework.core import uploads
from casework.core.errors import ConflictError, NotFound
from casework.core.forms import add_service_errors
from casework.core.models import Program, User
from casework.core.web import AuthenticatedRequest, HomeSection, paginate

from . import queries, services
from .formats import FORMATS, get_format
from .forms import (
    AddendumForm,
    AttachmentForm,
    NoteFilterForm,
    NoteForm,
    NoteSettingsForm,
    SignForm,
    section_field_name,
)
from .models import ContactType, Note, NoteSettings, NoteStatus
from .queries import note_addendum_allows, note_attach_allows, note_edit_allows

CASE_SECTION_SIZE = 5
HOME_DRAFTS_SIZE = 8


def linkable_goals(case: Case) -> QuerySet[Any]:
    """Goals of the case's approved plan: what a note can say it worked on."""
    from casework.plans.models import Goal, PlanStatus

    return Goal.objects.filter(case=case, plan__status=PlanStatus.APPROVED).order_by(
        "priority", "position", "pk"
    )


# --- the case page and the home page ---------------------------------------------------------


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's notes section (``notes/_case_section.html``)."""
    recent = list(
        queries.notes(user, case)
        .filter(status=NoteStatus.SIGNED)
        .order_by("-contact_at", "-pk")[:CASE_SECTION_SIZE]
    )
    drafts = list(queries.drafts(user, case)[:CASE_SECTION_SIZE])
    return {
        "note_section": {
            "recent": recent,
            "drafts": drafts,
            "text_allowed": access.note_text_allowed(user),
            "can_write": case.is_open and access.note_write_allowed(user, case),
        }
    }


def home_drafts(user: User) -> HomeSection | None:
    """The home page's "Drafts not signed": the user's own, most recently saved first."""
    if not access.note_text_allowed(user):
        return None
    drafts = list(queries.drafts(user)[: HOME_DRAFTS_SIZE + 1])
    if not drafts:
        return None
    return HomeSection(
        "notes/_home_drafts.html",
        {"drafts": drafts[:HOME_DRAFTS_SIZE], "more": len(drafts) > HOME_DRAFTS_SIZE},
    )


# --- a case's notes -----------------------------------------------------------------------------


@login_required
def case_notes(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = access.get_case(user, case_id)
    case_viewed(actor=user, case=case, via="web", part="notes")  # the list shows each note's start
    form = NoteFilterForm(request.GET or None, authors=queries.case_authors(case))
    notes = queries.notes(user, case).order_by("-contact_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        notes = queries.filtered(
            notes,
            contact_type=data["contact_type"],
            author_id=data["author"].pk if data["author"] else None,
            since=data["since"],
            until=data["until"],
        )
    in_use, default = services.formats_for(case.program)
    return render(
        request,
        "notes/case_notes.html",
        {
            "case": case,
            "page": paginate(request, notes),
            "filter_form": form,
            "formats": [FORMATS[code] for code in in_use],
            "default_format": default,
            "can_write": case.is_open and access.note_write_allowed(user, case),
            "text_allowed": access.note_text_allowed(user),
        },
    )


# --- writing ------------------------------------------------------------------------------------


def _note_form(
    case: Case, note_format: str, data: Any = None, initial: dict[str, Any] | None = None
) -> NoteForm:
    return NoteForm(data, initial=initial, note_format=note_format, goals=linkable_goals(case))


def _render_form(
    request: AuthenticatedRequest,
    case: Case,
    form: NoteForm,
    *,
    note: Note | None = None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "notes/note_form.html",
        {
            "case": case,
            "form": form,
            "note": note,
            "conflict": conflict,
            "reload_url": reverse("case-note-edit", args=[note.pk]) if note else "",
        },
        status=status,
    )


def _writable_case(user: User, case_id: int) -> Case:
    case = access.get_case(user, case_id, Action.CHANGE)
    access.require(access.note_write_allowed(user, case))
    return case


@login_required
def note_new(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = _writable_case(request.user, case_id)
    in_use, default = services.formats_for(case.program)
    chosen = request.GET.get("format", "")
    note_format = chosen if chosen in in_use else default
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = _note_form(
        case,
        note_format,
        initial={
            "note_format": note_format,
            "contact_type": ContactType.FACE_TO_FACE,
            "contact_at": now,
        },
    )
    return _render_form(request, case, form)


def _initial(note: Note) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "note": note.pk,
        "expected_version": note.version,
        "note_format": note.note_format,
        "contact_type": note.contact_type,
        "contact_at": timezone.localtime(note.contact_at),
        "duration_minutes": note.duration_minutes,
        "participants": note.participants,
        "location": note.location,
        "barriers": note.barriers,
        "next_steps": note.next_steps,
        "goals": [link.goal_id for link in note.goal_links.all()],
    }
    for section in get_format(note.note_format).sections:
        initial[section_field_name(section.id)] = note.sections.get(section.id, "")
    return initial


@login_required
def note_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    note = queries.get_note(user, pk)
    if not note_edit_allows(user, note):
        return redirect("case-note", pk=note.pk)
    form = _note_form(note.case, note.note_format, initial=_initial(note))
    return _render_form(request, note.case, form, note=note)


def _save(user: User, case: Case, form: NoteForm) -> tuple[Note, bool]:
    """Create or update the draft the form holds: (note, whether it is new)."""
    data = form.cleaned_data
    fields = form.note_fields()
    if data["note"]:
        note = queries.get_note(user, data["note"])
        if note.case_id != case.pk:
            raise NotFound("No such note.")
        updated = services.note_update(
            actor=user, note=note, fields=fields, expected_version=data["expected_version"]
        )
        return updated, False
    created = services.note_create(
        actor=user, case=case, note_format=data["note_format"], fields=fields
    )
    return created, True


def _show_errors(form: NoteForm, exc: ValidationError) -> None:
    left = add_service_errors(form, exc, elsewhere=("sections",))
    if left.get("sections"):
        form.add_error(section_field_name(form.format.sections[0].id), left["sections"])


def _posted_format(request: AuthenticatedRequest) -> str:
    posted = request.POST.get("note_format", "")
    return posted if posted in FORMATS else "free_text"


def _rebound(case: Case, form: NoteForm, note: Note) -> NoteForm:
    """The form again, now holding the saved draft (its id and version)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data["note"] = str(note.pk)
    data["expected_version"] = str(note.version)
    again = _note_form(case, note.note_format, data)
    again.is_valid()
    return again


@login_required
@require_POST
def note_save(request: AuthenticatedRequest, case_id: int) -> HttpResponseBase:
    """The form's buttons: save the draft, or save and sign it."""
    user = request.user
    case = _writable_case(user, case_id)
    form = _note_form(case, _posted_format(request), request.POST)
    if not form.is_valid():
        return _render_form(request, case, form, status=400)
    note: Note | None = None
    try:
        note, _created = _save(user, case, form)
        if "sign" in request.POST:
            note = services.note_sign(actor=user, note=note, expected_version=note.version)
    except ConflictError as exc:
        return _render_form(request, case, form, note=note, conflict=exc.message, status=409)
    except ValidationError as exc:
        if note is not None:
            form = _rebound(case, form, note)
        _show_errors(form, exc)
        return _render_form(request, case, form, note=note, status=400)
    if note.is_signed:
        messages.success(request, _("Note signed. It can now only be added to, by an addendum."))
    else:
        messages.success(request, _("Draft saved. Sign it when it is finished."))
    return redirect("case-note", pk=note.pk)


@login_required
@require_POST
def note_autosave(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """Save the draft while it is written (htmx, a moment after typing stops).

    The first save creates the draft and puts its address in the browser's location,
    so a reload or a reopened browser finds it; later saves update it, and a save from
    an out-of-date copy (another window) is refused rather than overwriting.
    """
    user = request.user
    case = _writable_case(user, case_id)
    form = _note_form(case, _posted_format(request), request.POST)
    context: dict[str, Any] = {"problems": [], "conflict": "", "note": None}
    status, created = 200, False
    if not form.is_valid():
        context["problems"] = _problems(form)
        status = 400
    else:
        try:
            note, created = _save(user, case, form)
        except ConflictError as exc:
            context["conflict"] = exc.message
            context["reload_url"] = reverse("case-note-edit", args=[form.cleaned_data["note"]])
            status = 409
        except ValidationError as exc:
            _show_errors(form, exc)
            context["problems"] = _problems(form)
            status = 400
        else:
            context["note"] = note
            context["saved_at"] = timezone.localtime(note.updated_at)
    response = render(request, "notes/_autosave.html", context, status=status)
    if context["note"] is not None and created:
        response["HX-Replace-Url"] = reverse("case-note-edit", args=[context["note"].pk])
    return response


def _problems(form: NoteForm) -> list[str]:
    problems = [str(e) for e in form.non_field_errors()]
    for field in form.visible_fields():
        problems += [f"{field.label}: {error}" for error in field.errors]
    if any(form[name].errors for name in ("note", "expected_version", "note_format")):
        problems.append(_("The form is out of date; reload the page."))
    return problems


# --- reading, signing, adding ---------------------------------------------------------------------


def _render_detail(
    request: AuthenticatedRequest,
    note: Note,
    *,
    addendum_form: AddendumForm | None = None,
    attachment_form: AttachmentForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    text_allowed = access.note_text_allowed(user)
    can_edit = note_edit_allows(user, note)
    can_add = note_addendum_allows(user, note)
    return render(
        request,
        "notes/note_detail.html",
        {
            "case": note.case,
            "note": note,
            "text_allowed": text_allowed,
            "sections": note.section_texts() if text_allowed else [],
            "can_edit": can_edit,
            "sign_form": SignForm(initial={"expected_version": note.version}) if can_edit else None,
            "addendum_form": (addendum_form or AddendumForm()) if can_add else None,
            "attachment_form": (attachment_form or AttachmentForm())
            if note_attach_allows(user, note)
            else None,
            "errors": errors or [],
            "max_upload_mb": uploads.max_upload_bytes() // (1024 * 1024),
        },
        status=status,
    )


def _detail_note(user: User, pk: int) -> Note:
    note = (
        queries.with_details(queries.notes(user))
        .select_related("case__client", "case__program", "case__team", "case__case_manager")
        .filter(pk=pk)
        .first()
    )
    if note is None:
        raise NotFound("No such note.")
    return note


@login_required
def note_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = _detail_note(request.user, pk)
    services.note_viewed(actor=request.user, note=note, via="web")
    return _render_detail(request, note)


@login_required
@require_POST
def note_sign(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    note = _detail_note(user, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _render_detail(
            request, note, errors=[_("The page is out of date; reload it.")], status=400
        )
    try:
        services.note_sign(
            actor=user, note=note, expected_version=form.cleaned_data["expected_version"]
        )
    except ConflictError as exc:
        return _render_detail(request, note, errors=[exc.message], status=409)
    except ValidationError as exc:
        return _render_detail(request, note, errors=exc.messages, status=400)
    messages.success(request, _("Note signed. It can now only be added to, by an addendum."))
    return redirect("case-note", pk=note.pk)


@login_required
@require_POST
def note_addendum(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    note = _detail_note(user, pk)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.note_addendum_add(actor=user, note=note, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Addendum added and signed."))
            return redirect(reverse("case-note", args=[note.pk]) + "#addenda")
    return _render_detail(request, note, addendum_form=form, status=400)


@login_required
@require_POST
def note_attach(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    note = _detail_note(user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.note_attachment_add(
                actor=user,
                note=note,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("File attached."))
            return redirect(reverse("case-note", args=[note.pk]) + "#attachments")
    return _render_detail(request, note, attachment_form=form, status=400)


def attachment_response(user: User, pk: int, *, via: str) -> FileResponse:
    """Stream an attachment after writing the download to the audit log."""
    attachment = queries.get_attachment(user, pk)
    services.note_attachment_opened(actor=user, attachment=attachment, via=via)
    extension = uploads.extension_of(attachment.file.name) or "bin"
    return uploads.download_response(
        attachment.file,
        filename=f"note-{attachment.note_id}-attachment-{attachment.pk}.{extension}",
        content_type=attachment.content_type,
    )


@login_required
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    return attachment_response(request.user, pk, via="web")


# --- note formats per program (program managers, agency admins) ---------------------------------


@login_required
def note_settings_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.can_configure_note_formats(user))
    page = paginate(request, access.programs(user).order_by("name", "pk"))
    chosen = {
        row.program_id: row
        for row in NoteSettings.objects.filter(program__in=[p.pk for p in page.object_list])
    }
    rows = []
    for program in page.object_list:
        row = chosen.get(program.pk)
        codes = row.formats if row and row.formats else ["free_text"]
        default = row.default_format if row and row.formats else "free_text"
        rows.append(
            {
                "program": program,
                "formats": [FORMATS[c].name for c in codes if c in FORMATS],
                "default": get_format(default).name,
            }
        )
    return render(request, "notes/settings_list.html", {"page": page, "rows": rows})


@login_required
def note_settings_edit(request: AuthenticatedRequest, program_id: int) -> HttpResponseBase:
    user = request.user
    access.require(access.can_configure_note_formats(user))
    program: Program | None = access.programs(user).filter(pk=program_id).first()
    if program is None:
        raise NotFound("No such program.")
    row = NoteSettings.objects.filter(program=program).first()
    in_use, default = services.formats_for(program)
    form = NoteSettingsForm(
        request.POST or None,
        initial={
            "formats": in_use,
            "default_format": default,
            "expected_version": row.version if row else None,
        },
    )
    conflict = ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.note_settings_update(
                    actor=user,
                    program=program,
                    formats=data["formats"],
                    default_format=data["default_format"],
                    expected_version=data["expected_version"],
                )
            except ConflictError as exc:
                conflict, status = exc.message, 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Note formats of %(program)s saved.") % {"program": program.name},
                )
                return redirect("manage-program-note-formats")
    return render(
        request,
        "notes/settings_form.html",
        {
            "program": program,
            "form": form,
            "conflict": conflict,
            "formats": list(FORMATS.values()),
            "reload_url": reverse("manage-program-note-format", args=[program.pk]),
        },
        status=status,
    )

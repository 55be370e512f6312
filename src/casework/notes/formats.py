"""Note formats (templates) as data: each format is a list of sections with a prompt.

A program chooses which of these its staff write in (``NoteSettings``); the note form
shows the chosen format's sections, and a note keeps its text by section id.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Section:
    id: str
    label: StrOrPromise
    help: StrOrPromise = ""


@dataclass(frozen=True)
class NoteFormat:
    code: str
    name: StrOrPromise
    sections: tuple[Section, ...]


FREE_TEXT = "free_text"

FORMATS: dict[str, NoteFormat] = {
    f.code: f
    for f in (
        NoteFormat(FREE_TEXT, _("Free text"), (Section("body", _("Note")),)),
        NoteFormat(
            "soap",
            _("SOAP"),
            (
                Section("subjective", _("Subjective"), _("What the client said, in their words.")),
                Section("objective", _("Objective"), _("What you observed; facts and measures.")),
                Section("assessment", _("Assessment"), _("Your professional view of the above.")),
                Section("plan", _("Plan"), _("What happens next, and who does it.")),
            ),
        ),
        NoteFormat(
            "dap",
            _("DAP"),
            (
                Section("data", _("Data"), _("What was said and observed.")),
                Section("assessment", _("Assessment"), _("What it means for the client's goals.")),
                Section("plan", _("Plan"), _("Next steps and follow-up.")),
            ),
        ),
        NoteFormat(
            "birp",
            _("BIRP"),
            (
                Section("behavior", _("Behavior"), _("The client's presentation and concerns.")),
                Section("intervention", _("Intervention"), _("What you did.")),
                Section("response", _("Response"), _("How the client responded.")),
                Section("plan", _("Plan"), _("What happens next.")),
            ),
        ),
    )
}

FORMAT_CHOICES: list[tuple[str, StrOrPromise]] = [(f.code, f.name) for f in FORMATS.values()]


def get_format(code: str) -> NoteFormat:
    """The format, or free text for a code no longer known (old notes stay readable)."""
    return FORMATS.get(code, FORMATS[FREE_TEXT])


def section_ids(code: str) -> list[str]:
    return [s.id for s in get_format(code).sections]

"""The disclosure packet: the plain-words content of a share, holding only the covered categories.

Built once, when the disclosure is made, from what the sharing staff member may see,
and kept with the disclosure: the record shows exactly what went out. Assessment
needs in a sensitive life domain (substance use, mental health, safety, legal) go
out only when the consent names that sensitive category too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from casework import access
from casework.assessments.models import DONE_STATUSES, Assessment
from casework.clients.models import Client
from casework.core import languages
from casework.core.models import User
from casework.notes.models import Note, NoteStatus
from casework.plans.models import Goal, PlanStatus

from .models import Category

#: Assessment life domains that belong to a sensitive category.
SENSITIVE_DOMAINS = {
    "substance_use": Category.SUBSTANCE_USE,
    "mental_health": Category.MENTAL_HEALTH,
    "safety": Category.DOMESTIC_VIOLENCE,
    "legal": Category.CRIMINAL_JUSTICE,
}
LATEST_ASSESSMENTS = 3
LATEST_NOTES = 20

Section = dict[str, Any]


def _identity(client: Client) -> list[dict[str, str]]:
    rows = [
        {"label": _("Name"), "text": client.legal_name},
        {"label": _("Preferred name"), "text": client.preferred_name},
        {"label": _("Pronouns"), "text": client.pronouns},
        {
            "label": _("Date of birth"),
            "text": client.date_of_birth.isoformat() if client.date_of_birth else "",
        },
        {"label": _("Preferred language"), "text": str(languages.label(client.preferred_language))},
    ]
    rows += [{"label": _("Phone"), "text": p.number} for p in client.phones.filter(is_current=True)]
    rows += [{"label": _("Email"), "text": e.email} for e in client.emails.filter(is_current=True)]
    rows += [
        {"label": _("Address"), "text": str(a)} for a in client.addresses.filter(is_current=True)
    ]
    return [r for r in rows if r["text"]]


def _assessments(actor: User, client: Client, categories: Sequence[str]) -> list[dict[str, str]]:
    assessments = (
        Assessment.objects.filter(
            client=client, status__in=DONE_STATUSES, case__in=access.cases(actor)
        )
        .select_related("instrument_version__instrument")
        .prefetch_related("identified_needs")
        .order_by("-assessed_on", "-pk")[:LATEST_ASSESSMENTS]
    )
    rows = []
    for assessment in assessments:
        needs = [
            need.domain_label
            for need in assessment.identified_needs.all()
            if need.domain not in SENSITIVE_DOMAINS or SENSITIVE_DOMAINS[need.domain] in categories
        ]
        text = (
            _("Areas where help is needed: %(needs)s.") % {"needs": ", ".join(needs)}
            if needs
            else _("No areas of need recorded that this consent covers.")
        )
        rows.append(
            {
                "label": f"{assessment.instrument_version.instrument.name}, "
                f"{assessment.assessed_on.isoformat()}",
                "text": text,
            }
        )
    return rows


def _plan(actor: User, client: Client) -> list[dict[str, str]]:
    goals = (
        Goal.objects.filter(
            case__client=client,
            case__in=access.cases(actor),
            plan__status=PlanStatus.APPROVED,
        )
        .prefetch_related("objectives")
        .order_by("priority", "position", "pk")
    )
    rows = []
    for goal in goals:
        objectives = "; ".join(
            f"{o.description} ({o.target_date.isoformat()})" for o in goal.objectives.all()
        )
        rows.append({"label": _("Goal"), "text": goal.client_words})
        if objectives:
            rows.append({"label": _("How progress is measured"), "text": objectives})
    return rows


def _notes(actor: User, client: Client) -> list[dict[str, str]]:
    notes = Note.objects.filter(
        client=client, status=NoteStatus.SIGNED, case__in=access.cases(actor)
    ).order_by("-contact_at", "-pk")[:LATEST_NOTES]
    rows = []
    for note in notes:
        text = "\n\n".join(f"{label}: {body}" for label, body in note.section_texts())
        rows.append(
            {
                "label": f"{note.contact_at.date():%Y-%m-%d} · {note.get_contact_type_display()}",
                "text": text,
            }
        )
    return rows


def build(*, actor: User, client: Client, categories: Sequence[str]) -> list[Section]:
    """One section per shared category, in the categories' order; text only, JSON-safe."""
    sections: list[Section] = []
    for category in Category.values:
        if category not in categories:
            continue
        if category == Category.IDENTITY_CONTACT:
            rows = _identity(client)
        elif category == Category.ASSESSMENTS:
            rows = _assessments(actor, client, categories)
        elif category == Category.PLAN:
            rows = _plan(actor, client)
        elif category == Category.NOTES:
            rows = _notes(actor, client)
        else:
            # Sensitive information is not held apart from the record yet: the consent
            # allows the case manager to speak of it, and the packet says so.
            rows = []
        sections.append(
            {"category": category, "title": str(Category(category).label), "rows": rows}
        )
    return sections

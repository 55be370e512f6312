"""The referral letter: what a provider outside social services needs, in plain words.

One ``Letter`` is built from the referral and printed two ways: an HTML page with a
print stylesheet, and a PDF (fpdf2). Of the client it holds only what the referral's
consented packet holds, and only while the consent allows it
(``services.referral_content``). The secure link is never printed: it is a secret.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from casework.consent.models import Category
from casework.core.models import StaffProfile
from casework.core.web import AuthenticatedRequest

from . import queries_receiving as queries
from . import services
from .models import Referral, ReferralStatus, Urgency

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
#: Open the PDF font once found; fall back to a core font (Latin-1 only) without it.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


@dataclass
class Block:
    """One part of the letter: a heading, paragraphs, and label/text rows."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class Letter:
    title: str
    agency: str
    dated: str
    recipient: list[str]
    draft: bool
    blocks: list[Block]
    confidential: str


def _day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _urgency_words(referral: Referral) -> str:
    if referral.urgency == Urgency.URGENT:
        text = _("This is urgent: please answer as soon as you can, today if possible.")
    elif referral.urgency == Urgency.SOON:
        text = _("Please answer within a week.")
    else:
        text = _("This is a routine referral.")
    if referral.answer_due_on:
        text += " " + _("We would be grateful for an answer by %(day)s.") % {
            "day": _day(referral.answer_due_on)
        }
    return text


def _contact(referral: Referral) -> Block:
    manager = referral.case.case_manager or referral.created_by
    try:
        profile: StaffProfile | None = manager.staff_profile
    except StaffProfile.DoesNotExist:
        profile = None
    rows = [(_("Case manager"), manager.get_full_name() or manager.email)]
    if profile is not None and profile.job_title:
        rows.append((_("Job title"), profile.job_title))
    if profile is not None and profile.phone:
        rows.append((_("Phone"), profile.phone))
    rows.append((_("Email"), manager.email))
    return Block(
        heading=_("Who we are"),
        paragraphs=[
            _(
                "%(agency)s helps people and families get the support they need. The person "
                "below is working with the client and is the one to contact about this referral."
            )
            % {"agency": referral.organization.name}
        ],
        rows=rows,
    )


def _how_to_answer(referral: Referral) -> Block:
    if referral.recipient_organization_id is not None:
        text = _(
            "Your organization uses Casework: sign in and open “Referrals to us” to read this "
            "referral and tell us whether you can take it."
        )
    elif referral.link_email and any(link.is_usable() for link in referral.links.all()):
        text = _(
            "We have sent you a secure link by email, to %(address)s. It opens this referral "
            "without an account; there you can tell us whether you can take it and, later, "
            "how it went."
        ) % {"address": referral.link_email}
    elif any(link.is_usable() for link in referral.links.all()):
        text = _(
            "The case manager will give you a secure link. It opens this referral without an "
            "account; there you can tell us whether you can take it and, later, how it went."
        )
    else:
        text = _("Please call or email the case manager named above.")
    return Block(
        heading=_("How to answer"),
        paragraphs=[
            text,
            _(
                "Please tell us whether you can take the referral, when the first "
                "appointment is, and later whether the service was completed."
            ),
        ],
    )


def build(referral: Referral) -> tuple[Letter, bool]:
    """The letter, and whether the client's information is in it (the consent allows it)."""
    draft = referral.status == ReferralStatus.DRAFT
    decision, sections = services.referral_content(referral=referral)
    shown = decision.allowed and not draft
    service = referral.service
    recipient = [referral.provider.name, service.name]
    if referral.location is not None:
        place = referral.location.location
        recipient += [str(a) for a in place.addresses.all()] or [place.name]
    blocks = [_contact(referral)]
    if shown:
        identity = [s for s in sections if s["category"] == Category.IDENTITY_CONTACT]
        others = [s for s in sections if s["category"] != Category.IDENTITY_CONTACT]
        for section in identity:
            blocks.append(
                Block(
                    heading=_("Who the client is"),
                    rows=[(r["label"], r["text"]) for r in section["rows"]],
                )
            )
    else:
        others = []
        blocks.append(
            Block(
                heading=_("Who the client is"),
                paragraphs=[
                    _(
                        "Draft: the client's details are added when the referral is sent "
                        "with the client's written consent."
                    )
                    if draft
                    else _(
                        "The client's consent no longer allows us to show their information. "
                        "Please call the case manager."
                    )
                ],
            )
        )
    ask = Block(
        heading=_("What we ask of you"),
        paragraphs=[
            _("We would like the client to receive this service of yours: %(service)s.")
            % {"service": service.name}
        ],
    )
    if shown:
        ask.rows.append((_("Why we are referring"), referral.reason))
        if referral.eligibility_note:
            ask.rows.append((_("Why we think the client is eligible"), referral.eligibility_note))
    blocks.append(ask)
    if shown and "plan" in decision.covered and referral.goal is not None:
        blocks.append(
            Block(
                heading=_("What the client hopes for"),
                paragraphs=[
                    _("In the client's own words: “%(words)s”")
                    % {"words": referral.goal.client_words}
                ],
            )
        )
    blocks.append(Block(heading=_("How soon"), paragraphs=[_urgency_words(referral)]))
    documents = [d.document for d in service.required_documents.all()]
    blocks.append(
        Block(
            heading=_("What the client needs to bring"),
            items=documents,
            paragraphs=[]
            if documents
            else [_("Your service lists no documents. Tell the case manager if they need any.")],
        )
    )
    for section in others:
        blocks.append(
            Block(
                heading=section["title"],
                rows=[(r["label"], r["text"]) for r in section["rows"]],
                paragraphs=[]
                if section["rows"]
                else [_("The case manager can tell you more, as the client's consent allows.")],
            )
        )
    blocks.append(_how_to_answer(referral))
    consent = referral.consent
    if consent is not None:
        blocks.append(
            Block(
                heading=_("The client's consent"),
                paragraphs=[
                    _(
                        "The client agreed in writing on %(signed)s that we may share the "
                        "information in this letter with you, for this referral only. The "
                        "consent is in force until %(expires)s."
                    )
                    % {"signed": _day(consent.signed_on), "expires": _day(consent.expires_on)}
                ],
                rows=[(_("Consent reference"), f"{referral.organization.name} · {consent.pk}")],
            )
        )
    letter = Letter(
        title=_("Referral: %(service)s") % {"service": service.name},
        agency=referral.organization.name,
        dated=_day(referral.sent_at.date() if referral.sent_at else timezone.localdate()),
        recipient=recipient,
        draft=draft,
        blocks=blocks,
        confidential=_(
            "Confidential. Shared with the client's written consent for this referral only. "
            "Please do not pass it on, and keep it safe."
        ),
    )
    return letter, shown


# --- PDF -----------------------------------------------------------------------------------------


def _latin1(text: str) -> str:
    """For the core fonts: characters they lack become their nearest Latin-1 or "?"."""
    replaced = text.translate(
        {
            0x2018: "'",
            0x2019: "'",
            0x201C: '"',
            0x201D: '"',
            0x2013: "-",
            0x2014: "-",
            0x2026: "...",
            0x00B7: "-",
        }
    )
    out = []
    for char in replaced:
        if ord(char) < 256:
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def render_pdf(letter: Letter, *, font_dir: Path | None = DEJAVU, compress: bool = True) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(letter.title)
    pdf.set_author(letter.agency)
    pdf.set_creator("Casework")
    pdf.set_auto_page_break(auto=True, margin=18)
    if font_dir is not None and all((font_dir / f).is_file() for f in FONT_FILES.values()):
        for style, name in FONT_FILES.items():
            pdf.add_font("DejaVu", style, str(font_dir / name))
        family = "DejaVu"
        text_of: Callable[[str], str] = str
    else:
        family = "Helvetica"
        text_of = _latin1
    pdf.add_page()
    width = pdf.epw

    def write(value: str, *, size: float = 11, style: str = "", gap: float = 1.5) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, size * 0.5, text_of(value), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap)

    write(letter.agency, size=10, style="B", gap=0)
    write(letter.dated, size=10, gap=4)
    for line in letter.recipient:
        write(line, size=10, gap=0)
    pdf.ln(4)
    write(letter.title, size=16, style="B", gap=3)
    if letter.draft:
        write(_("DRAFT: not sent yet."), style="B", gap=3)
    for block in letter.blocks:
        write(block.heading, size=13, style="B", gap=1)
        for paragraph in block.paragraphs:
            write(paragraph)
        for label, value in block.rows:
            write(f"{label}: {value}")
        for item in block.items:
            write(f"- {item}")
        pdf.ln(2)
    write(letter.confidential, size=9, style="", gap=0)
    return bytes(pdf.output())


# --- views ---------------------------------------------------------------------------------------


def _letter_for(request: AuthenticatedRequest, pk: int, via: str) -> tuple[Referral, Letter, bool]:
    referral = queries.get_staff_referral(request.user, pk)
    letter, shown = build(referral)
    services.referral_viewed(actor=request.user, referral=referral, via=via, content_shown=shown)
    return referral, letter, shown


@login_required
def letter_html(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, letter, _shown = _letter_for(request, pk, "letter")
    response = render(
        request, "referrals/print/letter.html", {"referral": referral, "letter": letter}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def letter_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral, letter, _shown = _letter_for(request, pk, "letter_pdf")
    response = HttpResponse(render_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response

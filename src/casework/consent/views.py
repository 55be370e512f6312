"""Pages for consents and sharing: a client's consents, recording and revoking one, the
printable consent form, "Share information", the disclosure packet and report, and a
partner agency's "Shared with us"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access
from casework.clients.models import Client
from casework.core import uploads
from casework.core.errors import NotFound
from casework.core.forms import add_service_errors
from casework.core.models import User
from casework.core.web import AuthenticatedRequest, paginate

from . import queries, services, wording
from .forms import ConsentForm, RevokeForm, ShareForm
from .models import Category, Consent, Disclosure, PartyKind, SignatureMethod

SECTION_SIZE = 10


def client_section_context(user: User, client: Client) -> dict[str, Any]:
    """For the client page's consent section (``consent/_client_section.html``)."""
    can_write = access.consent_write_allowed(user, client)
    if not (can_write or access.consent_read_allowed(user, client)):
        return {"consent_section": None}
    today = timezone.localdate()
    rows = list(queries.client_consents(client)[: SECTION_SIZE + 1])
    groups: dict[str, list[Consent]] = {"active": [], "pending": [], "expired": [], "revoked": []}
    for consent in rows[:SECTION_SIZE]:
        groups[consent.status_on(today)].append(consent)
    return {
        "consent_section": {
            "client": client,
            "groups": groups,
            "any": bool(rows),
            "more": len(rows) > SECTION_SIZE,
            "can_write": can_write,
        }
    }


# --- consents -----------------------------------------------------------------------------------


@login_required
def consent_list(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    user = request.user
    client = queries.get_client(user, client_id)
    return render(
        request,
        "consent/consent_list.html",
        {
            "client": client,
            "page": paginate(request, queries.consents(user, client)),
            "today": timezone.localdate(),
            "can_write": access.consent_write_allowed(user, client),
        },
    )


def _prefill(request: AuthenticatedRequest) -> dict[str, Any]:
    """Initial values from a refused share: party id, purpose and categories (no names)."""
    initial: dict[str, Any] = {
        "effective_on": timezone.localdate(),
        "signed_on": timezone.localdate(),
        "expires_on": timezone.localdate().replace(year=timezone.localdate().year + 1),
    }
    party = request.GET.get("party", "")
    kind, _sep, pk = party.partition(":")
    if kind == "org" and pk.isdigit():
        initial |= {"party_kind": PartyKind.PARTNER_AGENCY, "party_organization": int(pk)}
    elif kind == "rel" and pk.isdigit():
        initial |= {"party_kind": PartyKind.PERSON, "party_relationship": int(pk)}
    elif kind == "provider" and pk.isdigit():
        initial |= {"party_kind": PartyKind.PROVIDER, "party_provider": int(pk)}
    elif kind == "other":
        initial["party_kind"] = PartyKind.OTHER
    if request.GET.get("purpose"):
        initial["purposes"] = [request.GET["purpose"]]
    if request.GET.getlist("categories"):
        initial["categories"] = request.GET.getlist("categories")
    return initial


def _return_url(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def consent_new(request: AuthenticatedRequest, client_id: int) -> HttpResponseBase:
    user = request.user
    client = queries.get_client(user, client_id, write=True)
    # Where to go back to once recorded (the referral that needed it): this site only.
    next_url = _return_url(request)
    status = 200
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES, client=client, user=user)
        status = 400
        if form.is_valid():
            try:
                consent = services.consent_record(
                    actor=user, client=client, party=form.party(), fields=form.consent_fields()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The consent is recorded."))
                if next_url:
                    return redirect(next_url)
                return redirect("client-consent", pk=consent.pk)
    else:
        form = ConsentForm(initial=_prefill(request), client=client, user=user)
    return render(
        request,
        "consent/consent_form.html",
        {"client": client, "form": form, "next_url": next_url},
        status=status,
    )


def _render_consent(
    request: AuthenticatedRequest,
    consent: Consent,
    *,
    form: RevokeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "consent/consent_detail.html",
        {
            "consent": consent,
            "client": consent.client,
            "status": consent.status,
            "disclosures": queries.disclosures(user, consent.client).filter(consent=consent)[:50],
            "can_write": access.consent_write_allowed(user, consent.client),
            "revoke_form": form or RevokeForm(initial={"revoked_on": timezone.localdate()}),
        },
        status=status,
    )


@login_required
def consent_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render_consent(request, queries.get_consent(request.user, pk))


@login_required
@require_POST
def consent_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    user = request.user
    consent = queries.get_consent(user, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.consent_revoke(
                actor=user,
                consent=consent,
                revoked_on=form.cleaned_data["revoked_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is revoked: nothing more goes out under it."))
            return redirect("client-consent", pk=consent.pk)
    return _render_consent(request, consent, form=form, status=400)


@login_required
def consent_document(request: AuthenticatedRequest, pk: int) -> FileResponse:
    user = request.user
    consent = queries.get_consent(user, pk)
    if not consent.document:
        raise NotFound("No such document.")
    services.consent_document_opened(actor=user, consent=consent, via="web")
    extension = uploads.extension_of(consent.document.name) or "bin"
    return uploads.download_response(
        consent.document,
        filename=f"consent-{consent.pk}.{extension}",
        content_type=consent.document_content_type,
    )


@login_required
def consent_print(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The consent form, generated from the record, in the client's language if translated."""
    consent = queries.get_consent(request.user, pk)
    language = request.GET.get("language") or consent.client.preferred_language
    text = wording.for_language(language)
    return render(
        request,
        "consent/consent_print.html",
        {
            "consent": consent,
            "client": consent.client,
            "agency": request.user.organization,
            "w": text.text,
            "form_language": text.language,
            "fell_back": text.fell_back,
            "client_language": consent.client.preferred_language,
            "languages": sorted(wording.WORDING),
            "purposes": [(p, text.text["purposes"][p]) for p in consent.purposes],
            "categories": [
                (c, text.text["categories"][c], c in consent.categories) for c in Category.values
            ],
            "intro": text.text["intro"].format(
                client=consent.client.legal_name, agency=request.user.organization
            ),
            "dates": text.text["dates"].format(
                start=consent.effective_on.isoformat(), end=consent.expires_on.isoformat()
            ),
            "signed": (
                text.text["signed_on_screen"].format(
                    name=consent.signed_name, day=consent.signed_on.isoformat()
                )
                if consent.signature_method == SignatureMethod.ON_SCREEN
                else text.text["signed_on_paper"].format(day=consent.signed_on.isoformat())
            ),
            "revoked": (
                text.text["revoked"].format(day=consent.revoked_on.isoformat())
                if consent.revoked_on
                else ""
            ),
        },
    )


# --- sharing ---------------------------------------------------------------------------------


def _record_consent_url(client: Client, form: ShareForm) -> str:
    party = form.party()
    if party.kind == PartyKind.PARTNER_AGENCY:
        key = f"org:{party.organization_id}"
    elif party.kind in (PartyKind.PERSON, PartyKind.PROVIDER):
        key = party.key
    else:
        key = "other"
    query = urlencode(
        {
            "party": key,
            "purpose": form.cleaned_data["purpose"],
            "categories": form.cleaned_data["categories"],
        },
        doseq=True,
    )
    return f"{reverse('client-consent-new', args=[client.pk])}?{query}"


@login_required
def share(request: AuthenticatedRequest, client_id: int) -> HttpResponseBase:
    """Share information: the policy decides; refused, the page names the missing consent."""
    user = request.user
    client = queries.get_client(user, client_id, write=True)
    context: dict[str, Any] = {"client": client, "refusal": None}
    status = 200
    if request.method == "POST":
        form = ShareForm(request.POST, client=client, user=user)
        status = 400
        if form.is_valid():
            try:
                disclosure = services.disclosure_make(
                    actor=user,
                    client=client,
                    party=form.party(),
                    purpose=form.cleaned_data["purpose"],
                    categories=form.cleaned_data["categories"],
                )
            except services.ConsentRequired as exc:
                status = 409
                context["refusal"] = exc.decision
                context["record_url"] = _record_consent_url(client, form)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Shared. The disclosure is recorded with the consent it was made under."),
                )
                return redirect("client-disclosure", pk=disclosure.pk)
    else:
        form = ShareForm(client=client, user=user)
    context["form"] = form
    return render(request, "consent/share.html", context, status=status)


@login_required
def disclosure_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The disclosure packet as it was shared (printable), for the agency's staff."""
    disclosure = queries.get_disclosure(request.user, pk)
    return render(
        request,
        "consent/disclosure_detail.html",
        {"disclosure": disclosure, "client": disclosure.client, "packet": disclosure.packet},
    )


@login_required
def disclosure_report(request: AuthenticatedRequest, client_id: int) -> HttpResponse:
    """Every disclosure of the client's information: what a client may ask for. Printable."""
    user = request.user
    client = queries.get_client(user, client_id)
    rows = queries.disclosures(user, client)
    # The printable report holds every row (what the client asked for); on screen, pages.
    printing = request.GET.get("print") == "1"
    page = None if printing else paginate(request, rows)
    return render(
        request,
        "consent/disclosure_report.html",
        {
            "client": client,
            "page": page,
            "rows": list(rows) if page is None else page.object_list,
            "printing": printing,
        },
    )


# --- partner agencies: "Shared with us" ---------------------------------------------------------


@login_required
def shared_with_us(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    access.require(access.is_partner_staff(user), _("This page is for partner agencies."))
    page = paginate(request, queries.shared_with_us(user))
    rows: list[Disclosure] = list(page.object_list)
    viewable = queries.viewable_ids(rows)
    return render(
        request,
        "consent/shared_with_us.html",
        {"page": page, "rows": [(d, d.pk in viewable) for d in rows]},
    )


@login_required
def shared_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    access.require(access.is_partner_staff(user), _("This page is for partner agencies."))
    disclosure = queries.get_shared(user, pk)
    decision = services.disclosure_content_allowed(disclosure)
    services.disclosure_viewed_by_partner(
        actor=user, disclosure=disclosure, via="web", shown=decision.allowed
    )
    return render(
        request,
        "consent/shared_detail.html",
        {
            "disclosure": disclosure,
            "shown": decision.allowed,
            "packet": disclosure.packet if decision.allowed else [],
        },
    )

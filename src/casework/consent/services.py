"""Every change to consents and disclosures goes through these functions.

Sharing asks the one decision function (``policy.decide``) and records a
``Disclosure`` of only what the consent covers. Audit events carry ids, party
kinds, purposes, categories and dates, never what was shared or who the person is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.clients.models import Client, Relationship
from casework.core import audit, uploads
from casework.core.models import Organization, OrganizationKind, User
from casework.resources.models import Provider

from . import packet, policy
from .models import Category, Consent, Disclosure, PartyKind, Purpose, SignatureMethod

DOCUMENT_KINDS_DESCRIBED = "PDF, PNG or JPEG"
DOCUMENT_TYPES = {
    k: v for k, v in uploads.DOCUMENT_TYPES.items() if k in ("pdf", "png", "jpg", "jpeg")
}
#: The longest a consent may run before the client is asked again.
MAX_YEARS = 5


class ConsentRequired(ValidationError):
    """Sharing refused: ``decision`` names the consent that is missing."""

    def __init__(self, decision: policy.Decision) -> None:
        super().__init__({"consent": [decision.message]})
        self.decision = decision


@dataclass
class ConsentFields:
    """What the person recording a consent fills in (the party apart)."""

    purposes: Sequence[str] = ()
    purpose_other: str = ""
    categories: Sequence[str] = ()
    effective_on: date | None = None
    expires_on: date | None = None
    signature_method: str = ""
    signed_name: str = ""
    signed_confirmed: bool = False
    signed_on: date | None = None
    witness_name: str = ""
    document: UploadedFile | None = field(default=None, repr=False)


def partner_agencies() -> list[Organization]:
    """Partner agencies that use Casework: the parties of kind "partner agency"."""
    return list(
        Organization.objects.filter(kind=OrganizationKind.PARTNER, is_active=True).order_by("name")
    )


def check_party(client: Client, party: policy.Party) -> dict[str, str]:
    """Problems with a party, keyed by field; empty when it names a real party of this client."""
    errors: dict[str, str] = {}
    if party.kind == PartyKind.PARTNER_AGENCY:
        if not Organization.objects.filter(
            pk=party.organization_id or 0, kind=OrganizationKind.PARTNER, is_active=True
        ).exists():
            errors["party_organization"] = _("Choose a partner agency from the list.")
    elif party.kind == PartyKind.PERSON:
        if not Relationship.objects.filter(pk=party.relationship_id or 0, client=client).exists():
            errors["party_relationship"] = _(
                "Choose a person from this client's household and contacts."
            )
    elif party.kind == PartyKind.PROVIDER:
        if not Provider.objects.filter(
            pk=party.provider_id or 0, organization_id=client.organization_id
        ).exists():
            errors["party_provider"] = _("Choose a provider from the resource directory.")
    elif party.kind == PartyKind.OTHER:
        if not party.name.strip():
            errors["party_name"] = _("Enter the name of the organization or professional.")
        elif len(party.name) > 200:
            errors["party_name"] = _("Keep the name under 200 characters.")
        if len(party.role) > 200:
            errors["party_role"] = _("Keep the role under 200 characters.")
    else:
        errors["party_kind"] = _("Choose who receives the information.")
    return errors


def _party_values(party: policy.Party) -> dict[str, object]:
    other = party.kind == PartyKind.OTHER
    return {
        "party_kind": party.kind,
        "party_organization_id": party.organization_id
        if party.kind == PartyKind.PARTNER_AGENCY
        else None,
        "party_relationship_id": party.relationship_id if party.kind == PartyKind.PERSON else None,
        "party_provider_id": party.provider_id if party.kind == PartyKind.PROVIDER else None,
        "party_name": party.name.strip() if other else "",
        "party_role": party.role.strip() if other else "",
        "party_key": party.key,
    }


def _check_consent(fields: ConsentFields, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    purposes = list(fields.purposes)
    if not purposes or any(p not in Purpose.values for p in purposes):
        errors["purposes"] = _("Choose at least one purpose from the list.")
    elif Purpose.OTHER in purposes and not fields.purpose_other.strip():
        errors["purpose_other"] = _("Say what the other purpose is.")
    if len(fields.purpose_other) > 200:
        errors["purpose_other"] = _("Keep the other purpose under 200 characters.")
    categories = list(fields.categories)
    if not categories or any(c not in Category.values for c in categories):
        errors["categories"] = _("Choose at least one kind of information from the list.")
    if fields.effective_on is None:
        errors["effective_on"] = _("Enter the date the consent takes effect.")
    if fields.expires_on is None:
        errors["expires_on"] = _("Enter the date the consent expires.")
    if fields.effective_on and fields.expires_on:
        if fields.expires_on < fields.effective_on:
            errors["expires_on"] = _("The consent cannot expire before it takes effect.")
        elif fields.expires_on > fields.effective_on.replace(
            year=fields.effective_on.year + MAX_YEARS
        ):
            errors["expires_on"] = _("A consent runs at most %(n)s years.") % {"n": MAX_YEARS}
    if fields.signed_on is None:
        errors["signed_on"] = _("Enter the date the client signed.")
    elif fields.signed_on > today:
        errors["signed_on"] = _("The signature cannot be in the future.")
    if fields.signature_method == SignatureMethod.PAPER:
        if fields.document is None:
            errors["document"] = _("Attach the scan of the signed form.")
        else:
            try:
                uploads.check_upload(
                    fields.document,
                    field="document",
                    types=DOCUMENT_TYPES,
                    max_bytes=uploads.max_upload_bytes(),
                    described_as=DOCUMENT_KINDS_DESCRIBED,
                )
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    elif fields.signature_method == SignatureMethod.ON_SCREEN:
        if not fields.signed_name.strip():
            errors["signed_name"] = _("The client types their name to sign on screen.")
        elif len(fields.signed_name) > 200:
            errors["signed_name"] = _("Keep the name under 200 characters.")
        if not fields.signed_confirmed:
            errors["signed_confirmed"] = _(
                "Confirm that the client read the consent and signed it."
            )
    else:
        errors["signature_method"] = _("Choose how the client gave consent.")
    if len(fields.witness_name) > 200:
        errors["witness_name"] = _("Keep the witness's name under 200 characters.")
    return errors


def consent_record(
    *, actor: User, client: Client, party: policy.Party, fields: ConsentFields
) -> Consent:
    """Record a client's written consent to share with one party."""
    access.require(
        access.consent_write_allowed(actor, client),
        _("You may not record consents for this client."),
    )
    errors = check_party(client, party) | _check_consent(fields, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    if fields.effective_on is None or fields.expires_on is None or fields.signed_on is None:
        raise ValidationError({NON_FIELD_ERRORS: _("Enter the consent's dates.")})
    on_screen = fields.signature_method == SignatureMethod.ON_SCREEN
    consent = Consent(
        organization_id=client.organization_id,
        client=client,
        purposes=[p for p in Purpose.values if p in fields.purposes],
        purpose_other=fields.purpose_other.strip() if Purpose.OTHER in fields.purposes else "",
        categories=[c for c in Category.values if c in fields.categories],
        effective_on=fields.effective_on,
        expires_on=fields.expires_on,
        signature_method=fields.signature_method,
        signed_name=fields.signed_name.strip() if on_screen else "",
        signed_on=fields.signed_on,
        witness_name=fields.witness_name.strip(),
        recorded_by=actor,
        **_party_values(party),
    )
    upload = fields.document if not on_screen else None
    with transaction.atomic():
        if upload is not None:
            consent.document_name = uploads.safe_name(upload.name or "", "consent")
            consent.document_content_type = uploads.check_upload(
                upload,
                field="document",
                types=DOCUMENT_TYPES,
                max_bytes=uploads.max_upload_bytes(),
                described_as=DOCUMENT_KINDS_DESCRIBED,
            )
            consent.document_size = upload.size or 0
            consent.document.save(upload.name or "consent", upload, save=False)
        try:
            consent.save()
            audit.record(
                action="consent.record",
                actor=actor,
                target=consent,
                client_id=client.pk,
                changes={
                    "party_kind": consent.party_kind,
                    "party_organization_id": consent.party_organization_id,
                    "party_relationship_id": consent.party_relationship_id,
                    "purposes": consent.purposes,
                    "categories": consent.categories,
                    "effective_on": consent.effective_on,
                    "expires_on": consent.expires_on,
                    "signature_method": consent.signature_method,
                },
            )
        except BaseException:
            if consent.document:
                consent.document.delete(save=False)
            raise
    return consent


def consent_revoke(
    *, actor: User, consent: Consent, revoked_on: date | None, reason: str
) -> Consent:
    """Revoke a consent: nothing more goes out under it from ``revoked_on``; past
    disclosures stay on record, showing the consent they were made under."""
    access.require(
        access.consent_write_allowed(actor, consent.client),
        _("You may not revoke consents for this client."),
    )
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if revoked_on is None:
        errors["revoked_on"] = _("Enter the date the client revoked the consent.")
    elif revoked_on > today:
        errors["revoked_on"] = _("The revocation cannot be dated in the future.")
    if not reason.strip():
        errors["reason"] = _("Say why the consent was revoked (the client's words are fine).")
    elif len(reason) > 2000:
        errors["reason"] = _("Keep the reason under 2,000 characters.")
    if errors or revoked_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.revoked_on is not None:
            raise ValidationError({NON_FIELD_ERRORS: _("This consent is already revoked.")})
        locked.revoked_on = revoked_on
        locked.revoked_reason = reason.strip()
        locked.revoked_by = actor
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_on", "revoked_reason", "revoked_by", "revoked_at"])
        audit.record(
            action="consent.revoke",
            actor=actor,
            target=locked,
            client_id=locked.client_id,
            changes={"revoked_on": locked.revoked_on},
        )
    for name in ("revoked_on", "revoked_reason", "revoked_by", "revoked_at"):
        setattr(consent, name, getattr(locked, name))
    return consent


def consent_document_opened(*, actor: User, consent: Consent, via: str) -> None:
    """Write a download of the signed form to the audit log."""
    access.require(access.consent_read_allowed(actor, consent.client))
    audit.record(
        action="consent.document.download",
        actor=actor,
        target=consent,
        client_id=consent.client_id,
        changes={"via": via},
    )


def disclosure_make(
    *,
    actor: User,
    client: Client,
    party: policy.Party,
    purpose: str,
    categories: Sequence[str],
) -> Disclosure:
    """Share information with a party, if and only if a consent in force covers it all.

    Refused with ``ConsentRequired`` naming what is missing. The disclosure holds
    only the asked-for categories, all covered by the consent it names.
    """
    access.require(
        access.consent_write_allowed(actor, client),
        _("You may not share this client's information."),
    )
    errors = check_party(client, party)
    if purpose not in Purpose.values:
        errors["purpose"] = _("Choose the purpose of sharing.")
    wanted = [c for c in Category.values if c in categories]
    if not wanted or len(wanted) != len(set(categories)):
        errors["categories"] = _("Choose at least one kind of information from the list.")
    if errors:
        raise ValidationError(errors)
    decision = policy.decide(
        client=client, party=party, purpose=purpose, categories=wanted, on=timezone.localdate()
    )
    if not decision.allowed or decision.consent is None:
        audit.record(
            action="disclosure.refuse",
            actor=actor,
            object_type="consent.disclosure",
            client_id=client.pk,
            changes={
                "party_kind": party.kind,
                "purpose": purpose,
                "categories": wanted,
                "gaps": [g.code for g in decision.gaps],
            },
        )
        raise ConsentRequired(decision)
    content = packet.build(actor=actor, client=client, categories=decision.covered)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            organization_id=client.organization_id,
            client=client,
            consent=decision.consent,
            purpose=purpose,
            categories=list(decision.covered),
            packet=content,
            disclosed_by=actor,
            **_party_values(party),
        )
        audit.record(
            action="disclosure.make",
            actor=actor,
            target=disclosure,
            client_id=client.pk,
            changes={
                "consent_id": decision.consent.pk,
                "party_kind": party.kind,
                "party_organization_id": disclosure.party_organization_id,
                "purpose": purpose,
                "categories": disclosure.categories,
            },
        )
    return disclosure


def disclosure_content_allowed(disclosure: Disclosure) -> policy.Decision:
    """May the disclosure's content still be shown to its party today? The policy decides."""
    return policy.decide(
        client=disclosure.client,
        party=policy.Party.of(disclosure),
        purpose=disclosure.purpose,
        categories=disclosure.categories,
        on=timezone.localdate(),
    )


def disclosure_viewed_by_partner(
    *, actor: User, disclosure: Disclosure, via: str, shown: bool
) -> None:
    """A partner agency's staff member opened a disclosure (shown: its content was shown)."""
    access.require(access.is_partner_staff(actor))
    audit.record(
        action="disclosure.partner_view",
        actor=actor,
        organization=disclosure.organization_id,
        target=disclosure,
        client_id=disclosure.client_id,
        changes={
            "via": via,
            "content_shown": shown,
            "partner_organization_id": actor.organization_id,
        },
    )

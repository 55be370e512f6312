"""Every change to the agency's knowledge of the directory goes through these functions.

The HSDS rows themselves change by import (``resources.hsds``); what staff change is
what the agency knows on top: provider notes, "verified today", whether a service
takes referrals, which program of ours runs it, which partner agency it is. Audit
events carry ids, kinds and dates, never note text or a contact person.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.core import audit
from casework.core.models import Organization, OrganizationKind, Program, User
from casework.core.services import check_version

from . import categories
from .models import (
    CASEWORK_TAXONOMY_ID,
    Provider,
    ProviderNote,
    ProviderNoteKind,
    Service,
    Taxonomy,
    TaxonomyTerm,
)

NOTE_MAX = 4000


def taxonomy_ensure(*, organization_id: int, actor: User | None = None) -> Taxonomy:
    """The agency's copy of Casework's service categories, made or completed if needed.

    Idempotent: a second call changes nothing and records nothing. ``actor`` is None
    when the demo or the generator builds a directory.
    """
    if actor is not None:
        access.require(
            access.directory_manage_allowed(actor) and actor.organization_id == organization_id,
            _("You may not change the directory's categories."),
        )
    with transaction.atomic():
        taxonomy, made = Taxonomy.objects.get_or_create(
            organization_id=organization_id,
            hsds_id=CASEWORK_TAXONOMY_ID,
            defaults={
                "name": categories.TAXONOMY_NAME,
                "description": "Service categories matching the life domains of assessments.",
            },
        )
        have = set(
            TaxonomyTerm.objects.filter(
                organization_id=organization_id, taxonomy=taxonomy
            ).values_list("code", flat=True)
        )
        missing = [code for code in categories.CATEGORY_CODES if code not in have]
        TaxonomyTerm.objects.bulk_create(
            [
                TaxonomyTerm(
                    organization_id=organization_id,
                    hsds_id=categories.term_hsds_id(code),
                    taxonomy=taxonomy,
                    taxonomy_name=categories.TAXONOMY_NAME,
                    code=code,
                    # Stored in English, as HSDS exports it; shown translated (label_of).
                    name=code.replace("_", " ").capitalize(),
                )
                for code in missing
            ]
        )
        if made or missing:
            audit.record(
                action="directory.taxonomy.ensure",
                actor=actor,
                organization=organization_id,
                target=taxonomy,
                changes={"terms_added": missing},
            )
    return taxonomy


def _check_note(
    kind: str, text: str, contact_name: str, contact_phone: str, contact_email: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ProviderNoteKind.values:
        errors["kind"] = _("Choose what kind of note this is.")
    if not text.strip():
        errors["text"] = _("Write the note.")
    elif len(text) > NOTE_MAX:
        errors["text"] = _("Keep the note under %(n)s characters.") % {"n": f"{NOTE_MAX:,}"}
    if kind == ProviderNoteKind.CONTACT and not contact_name.strip():
        errors["contact_name"] = _("Name the contact person.")
    if len(contact_name) > 200:
        errors["contact_name"] = _("Keep the name under 200 characters.")
    if len(contact_phone) > 50:
        errors["contact_phone"] = _("Keep the phone number under 50 characters.")
    if contact_email.strip():
        try:
            validate_email(contact_email.strip())
        except ValidationError:
            errors["contact_email"] = _("Enter an email address such as name@example.org.")
    return errors


def provider_note_add(
    *,
    actor: User,
    provider: Provider,
    kind: str,
    text: str,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    service: Service | None = None,
) -> ProviderNote:
    """A colleague's note about a provider: experience, quality, a violation, a contact."""
    access.require(
        access.directory_contribute_allowed(actor)
        and provider.organization_id == actor.organization_id,
        _("You may not write notes in the directory."),
    )
    errors = _check_note(kind, text, contact_name, contact_phone, contact_email)
    if service is not None and service.provider_id != provider.pk:
        errors["service"] = _("Choose one of this provider's services.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note = ProviderNote.objects.create(
            organization_id=provider.organization_id,
            provider=provider,
            service=service,
            kind=kind,
            text=text.strip(),
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            author=actor,
        )
        audit.record(
            action="directory.provider_note.add",
            actor=actor,
            target=note,
            changes={
                "provider_id": provider.pk,
                "service_id": service.pk if service else None,
                "kind": kind,
            },
        )
    return note


def provider_note_archive(*, actor: User, note: ProviderNote) -> ProviderNote:
    """Take a note out of the directory (it stays on record). Managers only."""
    access.require(
        access.directory_manage_allowed(actor) and note.organization_id == actor.organization_id,
        _("Only program managers and agency administrators archive provider notes."),
    )
    if note.is_archived:
        raise ValidationError({"note": _("This note is already archived.")})
    with transaction.atomic():
        note.is_archived = True
        note.save(update_fields=["is_archived"])
        audit.record(
            action="directory.provider_note.archive",
            actor=actor,
            target=note,
            changes={"provider_id": note.provider_id},
        )
    return note


def service_verify(*, actor: User, service: Service, on: date | None = None) -> Service:
    """Someone checked the service's details with the provider: they are current."""
    access.require(
        access.directory_contribute_allowed(actor)
        and service.organization_id == actor.organization_id,
        _("You may not mark directory entries verified."),
    )
    today = timezone.localdate()
    day = on or today
    if day > today:
        raise ValidationError({"on": _("A service cannot be verified in the future.")})
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        locked.last_verified_on = day
        locked.last_verified_by = actor
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["last_verified_on", "last_verified_by", "version", "updated_at"])
        audit.record(
            action="directory.service.verify",
            actor=actor,
            target=locked,
            changes={"last_verified_on": day},
        )
    service.last_verified_on, service.last_verified_by = day, actor
    service.version = locked.version
    return service


def service_settings_update(
    *,
    actor: User,
    service: Service,
    accepting_referrals: bool,
    in_house_program: Program | None,
    partner_organization: Organization | None,
    expected_version: int | None,
) -> Service:
    """The agency's settings: takes new referrals, which program of ours runs it (an
    in-house service), which partner agency using Casework the provider is."""
    access.require(
        access.directory_manage_allowed(actor) and service.organization_id == actor.organization_id,
        _("Only program managers and agency administrators change a service's settings."),
    )
    errors: dict[str, str] = {}
    if in_house_program is not None and in_house_program.organization_id != actor.organization_id:
        errors["in_house_program"] = _("Choose one of the agency's programs.")
    if partner_organization is not None and (
        partner_organization.kind != OrganizationKind.PARTNER or not partner_organization.is_active
    ):
        errors["partner_organization"] = _("Choose a partner agency from the list.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Service.objects.select_for_update().select_related("provider").get(pk=service.pk)
        check_version(locked, expected_version, _("service"))
        before = {
            "accepting_referrals": locked.accepting_referrals,
            "in_house_program_id": locked.in_house_program_id,
            "partner_organization_id": locked.provider.partner_organization_id,
        }
        locked.accepting_referrals = accepting_referrals
        locked.in_house_program = in_house_program
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(
            update_fields=["accepting_referrals", "in_house_program", "version", "updated_at"]
        )
        provider = locked.provider
        partner_id = partner_organization.pk if partner_organization else None
        if provider.partner_organization_id != partner_id:
            provider.partner_organization = partner_organization
            provider.version += 1
            provider.save(update_fields=["partner_organization", "version"])
        after = {
            "accepting_referrals": accepting_referrals,
            "in_house_program_id": locked.in_house_program_id,
            "partner_organization_id": partner_id,
        }
        audit.record(
            action="directory.service.settings",
            actor=actor,
            target=locked,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return locked

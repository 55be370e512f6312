"""The directory's services: notes, verifying, settings, and the category taxonomy."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.core.errors import ConflictError
from casework.core.models import AuditEvent, OrganizationKind
from casework.resources import services
from casework.resources.categories import CATEGORY_CODES
from casework.resources.models import ProviderNoteKind, TaxonomyTerm
from tests.factories import OrganizationFactory
from tests.personas import Personas

from .conftest import Directory

pytestmark = pytest.mark.django_db


def test_taxonomy_ensure_is_idempotent(personas: Personas) -> None:
    first = services.taxonomy_ensure(organization_id=personas.agency.pk)
    services.taxonomy_ensure(organization_id=personas.agency.pk)
    codes = set(TaxonomyTerm.objects.filter(taxonomy=first).values_list("code", flat=True))
    assert codes == set(CATEGORY_CODES)
    assert {"housing", "language_literacy", "older_adults"} <= codes
    assert AuditEvent.objects.filter(action="directory.taxonomy.ensure").count() == 1


def test_a_case_manager_adds_a_note_and_the_audit_keeps_no_text(
    personas: Personas, directory: Directory
) -> None:
    note = services.provider_note_add(
        actor=personas.case_manager,
        provider=directory.shelter.provider,
        service=directory.shelter,
        kind=ProviderNoteKind.CONTACT,
        text="Ask for the intake desk.",
        contact_name="Robin Intake",
        contact_email="robin@example.org",
    )
    event = AuditEvent.objects.get(action="directory.provider_note.add")
    assert event.changes == {
        "provider_id": directory.shelter.provider_id,
        "service_id": directory.shelter.pk,
        "kind": "contact",
    }
    assert "Robin" not in str(event.changes) and note.contact_name == "Robin Intake"


def test_a_note_names_each_problem(personas: Personas, directory: Directory) -> None:
    with pytest.raises(ValidationError) as caught:
        services.provider_note_add(
            actor=personas.case_manager,
            provider=directory.shelter.provider,
            kind=ProviderNoteKind.CONTACT,
            text=" ",
            contact_email="not an email",
        )
    assert set(caught.value.message_dict) == {"text", "contact_name", "contact_email"}


def test_an_auditor_cannot_write_notes(personas: Personas, directory: Directory) -> None:
    with pytest.raises(PermissionDenied):
        services.provider_note_add(
            actor=personas.auditor,
            provider=directory.shelter.provider,
            kind=ProviderNoteKind.EXPERIENCE,
            text="Good.",
        )


def test_only_managers_archive_notes(personas: Personas, directory: Directory) -> None:
    note = services.provider_note_add(
        actor=personas.case_manager,
        provider=directory.food.provider,
        kind=ProviderNoteKind.QUALITY,
        text="Slow to answer.",
    )
    with pytest.raises(PermissionDenied):
        services.provider_note_archive(actor=personas.case_manager, note=note)
    services.provider_note_archive(actor=personas.admin, note=note)
    note.refresh_from_db()
    assert note.is_archived


def test_verifying_a_service_makes_it_current(personas: Personas, directory: Directory) -> None:
    assert directory.food.is_stale
    services.service_verify(actor=personas.case_manager, service=directory.food)
    directory.food.refresh_from_db()
    assert directory.food.last_verified_on == timezone.localdate()
    assert not directory.food.is_stale
    with pytest.raises(PermissionDenied):
        services.service_verify(actor=personas.auditor, service=directory.food)


def test_settings_change_with_the_version_and_refuse_a_stale_copy(
    personas: Personas, directory: Directory
) -> None:
    harbor = OrganizationFactory(
        name="Harbor Legal Aid", slug="harbor-x", kind=OrganizationKind.PARTNER
    )
    version = directory.shelter.version
    updated = services.service_settings_update(
        actor=personas.admin,
        service=directory.shelter,
        accepting_referrals=False,
        in_house_program=None,
        partner_organization=harbor,
        expected_version=version,
    )
    assert updated.version == version + 1 and not updated.accepting_referrals
    assert updated.provider.partner_organization_id == harbor.pk
    event = AuditEvent.objects.get(action="directory.service.settings")
    assert event.changes["accepting_referrals"] == [True, False]
    with pytest.raises(ConflictError):
        services.service_settings_update(
            actor=personas.admin,
            service=directory.shelter,
            accepting_referrals=True,
            in_house_program=None,
            partner_organization=None,
            expected_version=version,
        )


def test_a_case_manager_cannot_change_settings(personas: Personas, directory: Directory) -> None:
    with pytest.raises(PermissionDenied):
        services.service_settings_update(
            actor=personas.case_manager,
            service=directory.shelter,
            accepting_referrals=False,
            in_house_program=None,
            partner_organization=None,
            expected_version=None,
        )


def test_settings_refuse_an_agency_that_is_not_a_partner(
    personas: Personas, directory: Directory
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.service_settings_update(
            actor=personas.admin,
            service=directory.shelter,
            accepting_referrals=True,
            in_house_program=None,
            partner_organization=personas.other_agency,
            expected_version=None,
        )
    assert set(caught.value.message_dict) == {"partner_organization"}

"""The whole client record: validation by field, nothing half-written, audit without values."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework.clients import services
from casework.clients.models import Client, ClientPhone, DataQuality, Relationship
from casework.core.errors import ConflictError
from casework.core.models import AuditEvent
from tests.factories import ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def update(p: Personas, client: Client, **details: object) -> Client:
    return services.client_update(
        actor=p.case_manager,
        client=client,
        expected_version=client.version,
        first_name=client.first_name,
        last_name=client.last_name,
        preferred_name=client.preferred_name,
        date_of_birth=client.date_of_birth,
        preferred_language=client.preferred_language,
        **details,
    )


def test_intake_registers_the_whole_record(personas: Personas) -> None:
    client = services.client_create(
        actor=personas.intake,
        first_name="Rosa",
        middle_name="María",
        last_name="Diaz",
        suffix="Jr.",
        date_of_birth=date(1988, 5, 2),
        gender=[0, 5],
        race_ethnicity=[6, 5],
        race_ethnicity_detail="Mexican American",
        veteran_status=0,
        pronouns="she/her",
        interpreter_needed=True,
        no_voicemail=True,
        safe_contact_times="weekdays 9–11",
        ssn="123-45-6789",
    )
    client.refresh_from_db()
    assert client.legal_name == "Rosa María Diaz Jr."
    assert client.gender == [0, 5]
    assert client.race_ethnicity == [5, 6]
    assert client.dob_data_quality == DataQuality.FULL
    # Until the agency allows whole SSNs, only the last four are kept, and shown masked.
    assert (client.ssn, client.ssn_last_four) == ("", "6789")
    assert client.ssn_masked == "***-**-6789"
    assert client.ssn_data_quality == DataQuality.PARTIAL
    assert client.search_text == "rosa maria diaz"
    assert (client.first_key, client.last_key) == ("rs", "ts")


@pytest.mark.parametrize(
    ("ssn", "ok"),
    [
        ("1234", True),
        ("123456789", True),
        ("12", False),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("912-12-3456", False),
        ("123-00-4567", False),
        ("123-45-0000", False),
        ("0000", False),
    ],
)
def test_ssns_are_validated(personas: Personas, ssn: str, ok: bool) -> None:
    if ok:
        client = services.client_create(
            actor=personas.intake, first_name="A", last_name="B", ssn=ssn
        )
        assert client.ssn_last_four == ssn[-4:]
    else:
        with pytest.raises(ValidationError) as caught:
            services.client_create(actor=personas.intake, first_name="A", last_name="B", ssn=ssn)
        assert set(caught.value.message_dict) == {"ssn"}


def test_every_bad_field_is_named_and_nothing_is_written(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.client_create(
            actor=personas.intake,
            first_name="",
            last_name="B",
            gender=[0, 99],
            race_ethnicity=[42],
            ssn="12",
            veteran_status=5,
        )
    assert set(caught.value.message_dict) == {
        "first_name",
        "gender",
        "race_ethnicity",
        "ssn",
    } or set(caught.value.message_dict) >= {"first_name", "gender", "race_ethnicity", "ssn"}
    assert not Client.objects.filter(last_name="B").exists()


def test_an_unknown_veteran_code_is_refused_on_its_field(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.client_create(
            actor=personas.intake, first_name="A", last_name="B", veteran_status=5
        )
    assert set(caught.value.message_dict) == {"veteran_status"}


def test_an_update_audits_field_names_never_values(personas: Personas) -> None:
    p = personas
    client = p.case.client
    updated = update(p, client, strengths="Loves gardening", ssn="4321", no_voicemail=True)
    assert updated.version == client.version + 1
    event = AuditEvent.objects.filter(action="client.update", client_id=client.pk).get()
    assert event.changes == {"fields": ["no_voicemail", "ssn", "strengths"]}
    assert "gardening" not in str(event.changes)
    assert "4321" not in str(event.changes)


def test_a_stale_update_is_refused_and_changes_nothing(personas: Personas) -> None:
    p = personas
    client = p.case.client
    update(p, client, pronouns="they/them")
    with pytest.raises(ConflictError):
        update(p, client, pronouns="he/him")  # still holds the old version
    client.refresh_from_db()
    assert client.pronouns == "they/them"


def test_a_colleague_cannot_change_another_teams_client(personas: Personas) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.client_phone_add(actor=p.colleague, client=p.case.client, number="555-123-4567")
    assert not ClientPhone.objects.exists()


def test_a_new_phone_of_a_kind_becomes_current_and_the_old_one_stays_in_history(
    personas: Personas,
) -> None:
    p = personas
    client = p.case.client
    first = services.client_phone_add(
        actor=p.case_manager, client=client, number="(555) 123-4567", started_on=date(2020, 1, 1)
    )
    second = services.client_phone_add(actor=p.case_manager, client=client, number="555 987 6543")
    first.refresh_from_db()
    assert not first.is_current and first.ended_on == second.started_on
    assert second.is_current and second.digits == "5559876543"
    services.client_contact_end(actor=p.case_manager, row=second)
    second.refresh_from_db()
    assert not second.is_current
    event = AuditEvent.objects.filter(action="client.phone_add").last()
    assert event is not None and "555" not in str(event.changes)


def test_an_address_needs_a_real_zip_code(personas: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.client_address_add(
            actor=personas.case_manager,
            client=personas.case.client,
            line1="1 Main St",
            city="Springfield",
            postal_code="ABC",
        )
    assert set(caught.value.message_dict) == {"postal_code"}


def test_identifiers_are_validated_and_not_repeated(personas: Personas) -> None:
    p = personas
    client = p.case.client
    services.client_identifier_add(
        actor=p.case_manager, client=client, kind="medicaid", value="ab-123"
    )
    with pytest.raises(ValidationError) as caught:
        services.client_identifier_add(
            actor=p.case_manager, client=client, kind="medicaid", value="AB123"
        )
    assert set(caught.value.message_dict) == {"value"}
    with pytest.raises(ValidationError) as caught:
        services.client_identifier_add(
            actor=p.case_manager, client=client, kind="external", value="9"
        )
    assert set(caught.value.message_dict) == {"system"}
    with pytest.raises(ValidationError) as caught:
        services.client_identifier_add(
            actor=p.case_manager, client=client, kind="medicare", value="x"
        )
    assert set(caught.value.message_dict) == {"value"}


def test_household_members_and_contacts(personas: Personas) -> None:
    p = personas
    client = p.case.client
    child = ClientFactory(organization=p.agency)
    services.relationship_add(
        actor=p.case_manager,
        client=client,
        relationship_type="child",
        related_client=child,
        household_member=True,
    )
    services.relationship_add(
        actor=p.case_manager,
        client=client,
        relationship_type="professional",
        contact_name="Dr. Lee",
        contact_organization="County Clinic",
        contact_role="Therapist",
        emergency_contact=True,
    )
    with pytest.raises(ValidationError) as caught:
        services.relationship_add(
            actor=p.case_manager,
            client=client,
            relationship_type="friend",
            related_client=p.outsider_case.client,
            head_of_household=True,
        )
    assert set(caught.value.message_dict) == {"related_client", "head_of_household"}
    with pytest.raises(ValidationError) as caught:
        services.relationship_add(actor=p.case_manager, client=client, relationship_type="friend")
    assert set(caught.value.message_dict) == {"contact_name"}
    assert client.relationships.count() == 2
    row = client.relationships.get(relationship_type="child")
    services.relationship_remove(actor=p.case_manager, relationship=row)
    assert not Relationship.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="client.relationship_remove").exists()


def test_a_relationship_is_corrected_and_only_the_changed_fields_are_logged(
    personas: Personas,
) -> None:
    p = personas
    client = p.case.client
    mother = services.relationship_add(
        actor=p.case_manager,
        client=client,
        relationship_type="parent",
        contact_name="Rosa Ruiz",
        contact_phone="555-123-4567",
        household_member=True,
        head_of_household=True,
    )
    aunt = services.relationship_add(
        actor=p.case_manager, client=client, relationship_type="other_relative", contact_name="Ida"
    )
    services.relationship_update(
        actor=p.case_manager,
        relationship=mother,
        relationship_type="parent",
        contact_name="Rosa Ruiz",
        contact_phone=" 555-987-6543 ",
        household_member=True,
        head_of_household=True,
        emergency_contact=True,
    )
    mother.refresh_from_db()
    assert (mother.contact_phone, mother.emergency_contact) == ("555-987-6543", True)
    event = AuditEvent.objects.get(action="client.relationship_update")
    assert event.changes == {"fields": ["contact_phone", "emergency_contact"]}
    assert "555" not in str(event.changes)

    # The household has one head; a name is needed for a contact; the phone is checked.
    with pytest.raises(ValidationError) as caught:
        services.relationship_update(
            actor=p.case_manager,
            relationship=aunt,
            relationship_type="aunt",
            contact_name=" ",
            contact_phone="12",
            household_member=True,
            head_of_household=True,
        )
    assert set(caught.value.message_dict) == {
        "relationship_type",
        "contact_name",
        "contact_phone",
        "head_of_household",
    }
    aunt.refresh_from_db()
    assert (aunt.relationship_type, aunt.contact_name) == ("other_relative", "Ida")
    # Saving what is there already writes nothing.
    services.relationship_update(
        actor=p.case_manager,
        relationship=mother,
        relationship_type="parent",
        contact_name="Rosa Ruiz",
        contact_phone="555-987-6543",
        household_member=True,
        head_of_household=True,
        emergency_contact=True,
    )
    assert AuditEvent.objects.filter(action="client.relationship_update").count() == 1
    with pytest.raises(PermissionDenied):
        services.relationship_update(
            actor=p.colleague, relationship=aunt, relationship_type="friend", contact_name="Ida"
        )


def test_an_agency_that_keeps_full_ssns_keeps_them_until_it_stops(personas: Personas) -> None:
    from casework.core import services as core_services

    p = personas
    core_services.organization_update(
        actor=p.admin, name=p.agency.name, require_two_factor=False, store_full_ssn=True
    )
    client = services.client_create(
        actor=p.intake, first_name="Ana", last_name="Ruiz", ssn="123-45-6789"
    )
    client.refresh_from_db()
    assert (client.ssn, client.ssn_last_four) == ("123456789", "6789")
    assert client.ssn_masked == "***-**-6789"

    core_services.organization_update(
        actor=p.admin, name=p.agency.name, require_two_factor=False, store_full_ssn=False
    )
    client.refresh_from_db()
    assert (client.ssn, client.ssn_last_four) == ("", "6789")
    event = AuditEvent.objects.filter(action="organization.update").latest("sequence")
    assert event.changes["full_ssns_erased"] == [0, 1]
    assert "123456789" not in str(event.changes)

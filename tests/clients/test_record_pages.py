"""Client page sections, the full edit form, registering a person with the duplicate check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from casework.clients import services
from casework.clients.models import Client
from casework.core.models import User
from tests.factories import ClientFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Any]
HTMX = {"HX-Request": "true"}


def test_the_page_shows_safe_contact_first_and_the_ssn_masked(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    services.client_update(
        actor=p.case_manager,
        client=client,
        expected_version=client.version,
        first_name=client.first_name,
        last_name=client.last_name,
        preferred_name="",
        date_of_birth=client.date_of_birth,
        preferred_language="en",
        no_voicemail=True,
        ssn="123-45-6789",
        gender=[4],
    )
    html = (
        client_as(p.case_manager).get(reverse("client-detail", args=[client.pk])).content.decode()
    )
    assert "Do not leave voicemail" in html
    assert "***-**-6789" in html and "123-45" not in html and "123456789" not in html
    assert "Non-binary" in html


def test_sections_add_and_remove_with_htmx_and_errors_sit_by_their_fields(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    web = client_as(p.case_manager)
    url = reverse("client-section-add", args=[client.pk, "contact", "phone"])
    bad = web.post(url, {"phone-number": "12", "phone-kind": "mobile"}, headers=HTMX)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert html.lstrip().startswith("<section") and 'aria-invalid="true"' in html
    assert "7 to 15 digits" in html
    good = web.post(url, {"phone-number": "555-444-3333", "phone-kind": "home"}, headers=HTMX)
    assert good.status_code == 200 and "555-444-3333" in good.content.decode()
    rel_url = reverse("client-section-add", args=[client.pk, "household", "relationship"])
    other = ClientFactory(organization=p.agency)
    response = web.post(
        rel_url,
        {
            "relationship-relationship_type": "child",
            "relationship-related_client": other.pk,
            "relationship-household_member": "on",
        },
        headers=HTMX,
    )
    # Another client the case manager may not see cannot be linked (nor named).
    assert response.status_code == 400
    assert "No client of yours has this number." in response.content.decode()
    response = web.post(
        rel_url,
        {"relationship-relationship_type": "sibling", "relationship-contact_name": "Ana Ruiz"},
        headers=HTMX,
    )
    assert "Ana Ruiz" in response.content.decode()
    rel = client.relationships.get()
    remove = reverse("client-section-remove", args=[client.pk, "household", "relationship", rel.pk])
    assert "Ana Ruiz" not in web.post(remove, headers=HTMX).content.decode()
    # Without htmx the page is reloaded.
    assert web.post(url, {"phone-number": "555-444-2222", "phone-kind": "home"}).status_code == 302


def test_a_relationship_is_edited_on_its_own_page(personas: Personas, client_as: SignIn) -> None:
    p = personas
    client = p.case.client
    child = ClientFactory(organization=p.agency, first_name="Mia")
    services.relationship_add(
        actor=p.case_manager, client=client, relationship_type="child", related_client=child
    )
    contact = services.relationship_add(
        actor=p.case_manager, client=client, relationship_type="friend", contact_name="Ana Ruiz"
    )
    web = client_as(p.case_manager)
    url = reverse("client-relationship-edit", args=[client.pk, contact.pk])
    detail = web.get(reverse("client-detail", args=[client.pk])).content.decode()
    assert f'href="{url}"' in detail
    form = web.get(url).content.decode()
    assert 'value="Ana Ruiz"' in form
    assert '<option value="friend" selected>' in form

    bad = web.post(url, {"relationship_type": "friend", "contact_name": "", "contact_phone": "1"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Name the person, or choose a client of your agency." in html
    assert "Enter a phone number of 7 to 15 digits." in html
    contact.refresh_from_db()
    assert contact.contact_name == "Ana Ruiz"

    saved = web.post(
        url,
        {
            "relationship_type": "caregiver",
            "contact_name": "Ana Ruiz",
            "contact_phone": "555-222-1111",
            "emergency_contact": "on",
        },
    )
    assert saved["Location"] == reverse("client-detail", args=[client.pk]) + "#household"
    contact.refresh_from_db()
    assert (contact.relationship_type, contact.contact_phone, contact.emergency_contact) == (
        "caregiver",
        "555-222-1111",
        True,
    )
    # A client of the agency is named by their own record: no name field for them.
    linked = client.relationships.get(related_client=child)
    page = web.get(reverse("client-relationship-edit", args=[client.pk, linked.pk]))
    assert 'name="contact_name"' not in page.content.decode()
    assert f"client #{child.pk}" in page.content.decode()


def test_only_who_may_change_the_record_edits_its_relationships(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    contact = services.relationship_add(
        actor=p.case_manager, client=p.case.client, relationship_type="friend", contact_name="Ana"
    )
    url = reverse("client-relationship-edit", args=[p.case.client_id, contact.pk])
    for who in (p.colleague, p.outsider):
        web = client_as(who)
        assert web.get(url).status_code == 404
        assert web.post(url, {"relationship_type": "other", "contact_name": "X"}).status_code == 404
    # A relationship of another client is not reached through this client's address.
    other = services.relationship_add(
        actor=p.colleague,
        client=p.colleague_case.client,
        relationship_type="friend",
        contact_name="Bo",
    )
    wrong = reverse("client-relationship-edit", args=[p.case.client_id, other.pk])
    assert client_as(p.case_manager).get(wrong).status_code == 404
    contact.refresh_from_db()
    assert contact.contact_name == "Ana"


def test_the_relationship_page_and_its_save_run_a_bounded_number_of_queries(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    contact = services.relationship_add(
        actor=p.case_manager, client=p.case.client, relationship_type="friend", contact_name="Ana"
    )
    web = client_as(p.case_manager)
    url = reverse("client-relationship-edit", args=[p.case.client_id, contact.pk])
    web.get(url)
    assert_query_budget(lambda: web.get(url), 8)
    form = {"relationship_type": "friend", "contact_name": "Ana", "contact_phone": "555-222-1111"}
    assert_query_budget(lambda: web.post(url, form), 18)  # with its audit event


def test_a_colleague_cannot_add_to_another_teams_client(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    url = reverse("client-section-add", args=[p.case.client_id, "contact", "phone"])
    response = client_as(p.colleague).post(url, {"phone-number": "555-444-3333"})
    assert response.status_code == 404
    assert not p.case.client.phones.exists()


def test_the_client_page_queries_stay_constant_as_the_record_grows(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    web = client_as(p.case_manager)
    url = reverse("client-detail", args=[client.pk])
    web.get(url)

    def grow() -> None:
        for n in range(3):
            services.client_phone_add(actor=p.case_manager, client=client, number=f"55512300{n}0")
            services.client_identifier_add(
                actor=p.case_manager, client=client, kind="external", system=f"S{n}", value=f"V{n}"
            )
            services.relationship_add(
                actor=p.case_manager,
                client=client,
                relationship_type="child",
                related_client=ClientFactory(organization=p.agency),
            )

    assert_constant_queries(lambda: web.get(url), grow)


def test_the_edit_form_saves_every_field_and_shows_errors_by_them(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    client = p.case.client
    web = client_as(p.case_manager)
    url = reverse("client-edit", args=[client.pk])
    html = web.get(url).content.decode()
    assert "<fieldset" in html and "<legend>Gender" in html
    data = {
        "first_name": "Ann",
        "last_name": "Lee",
        "preferred_language": "en",
        "expected_version": client.version,
        "gender": ["0", "99"],
        "ssn": "12",
        "name_data_quality": "1",
        "dob_data_quality": "99",
        "veteran_status": "1",
        "ssn_data_quality": "99",
    }
    bad = web.post(url, data)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "stand alone" in body and "last four digits or all nine" in body
    data.update(gender=["0"], ssn="9876", no_mail="on", strengths="Resourceful")
    assert web.post(url, data).status_code == 302
    client.refresh_from_db()
    assert (client.gender, client.ssn_last_four, client.no_mail, client.veteran_status) == (
        [0],
        "9876",
        True,
        1,
    )


def test_registering_shows_possible_duplicates_first(personas: Personas, client_as: SignIn) -> None:
    p = personas
    john = ClientFactory(
        organization=p.agency, first_name="John", last_name="Smith", date_of_birth=date(1990, 3, 4)
    )
    web = client_as(p.intake)
    data = {
        "first_name": "Jon",
        "last_name": "Smyth",
        "date_of_birth": "1990-03-04",
        "preferred_language": "en",
    }
    response = web.post(reverse("client-register"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("client-detail", args=[john.pk]) in html
    assert "name sounds alike (Jon ~ John)" in html and "same date of birth" in html
    assert not Client.objects.filter(first_name="Jon", last_name="Smyth").exists()
    confirmed = web.post(reverse("client-register"), {**data, "confirmed_new": "on"})
    assert confirmed.status_code == 302
    assert Client.objects.filter(first_name="Jon", last_name="Smyth").count() == 1
    assert client_as(p.auditor).get(reverse("client-register")).status_code == 403


def test_registering_starts_with_english_and_lists_client_languages(
    personas: Personas, client_as
) -> None:
    page = client_as(personas.intake).get(reverse("client-register")).content.decode()
    assert '<option value="en" selected>English</option>' in page
    assert '<option value="ht">Haitian Creole</option>' in page
    assert "Afrikaans" not in page

"""The clients API: duplicate check before create, the record, sub-resources, search, merge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from casework.clients.models import Client, ClientMerge
from casework.core.models import AuditEvent
from tests.api.conftest import ApiClient, assert_error
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db
ApiAs = Callable[..., ApiClient]


@pytest.fixture
def john(personas: Personas) -> Client:
    client: Client = ClientFactory(
        organization=personas.agency,
        first_name="John",
        last_name="Smith",
        date_of_birth=date(1990, 3, 4),
    )
    return client


def test_the_duplicate_check_shows_matches_with_reasons(
    personas: Personas, john: Client, api_as: ApiAs
) -> None:
    api = api_as(personas.intake)
    body = {"first_name": "Jon", "last_name": "Smyth", "date_of_birth": "1990-03-04"}
    response = api.post("/clients/possible-duplicates", body)
    assert response.status_code == 200
    [match] = response.json()
    assert match["client"]["id"] == john.pk
    assert "same date of birth" in match["reasons"]

    refused = api.post("/clients", body)
    error = assert_error(refused, 409, "possible_duplicates")
    assert error["matches"][0]["client"]["id"] == john.pk
    assert Client.objects.count() == 1 + 4  # nothing created (4 persona clients)

    created = api.post(
        "/clients",
        {
            **body,
            "confirmed_new_person": True,
            "phone": "555-123-4567",
            "identifiers": [{"kind": "medicaid", "value": "X1"}],
            "gender": [1],
            "ssn": "123456789",
        },
    )
    assert created.status_code == 201, created.content
    record = created.json()
    assert record["ssn_masked"] == "***-**-6789" and "ssn" not in record
    assert record["phones"][0]["number"] == "555-123-4567"
    assert record["identifiers"][0]["kind"] == "medicaid"


def test_create_names_bad_fields(personas: Personas, api_as: ApiAs) -> None:
    response = api_as(personas.intake).post(
        "/clients", {"first_name": "A", "last_name": "B", "gender": [0, 9], "ssn": "666123456"}
    )
    error = assert_error(response, 422, "invalid")
    assert set(error["fields"]) == {"gender", "ssn"}


def test_patch_the_record_and_sub_resources(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    api = api_as(p.case_manager)
    client = p.case.client
    response = api.patch(
        f"/clients/{client.pk}",
        {
            "version": client.version,
            "pronouns": "they/them",
            "no_voicemail": True,
            "race_ethnicity": [3],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["no_voicemail"] is True
    assert_error(
        api.patch(f"/clients/{client.pk}", {"version": client.version, "pronouns": "x"}),
        409,
        "conflict",
    )
    phone = api.post(f"/clients/{client.pk}/phones", {"number": "555 222 1111"})
    assert phone.status_code == 201
    assert api.post(f"/clients/{client.pk}/phones/{phone.json()['id']}/end").status_code == 204
    address = api.post(
        f"/clients/{client.pk}/addresses",
        {"line1": "1 Elm", "city": "Riverside", "postal_code": "1"},
    )
    assert assert_error(address, 422, "invalid")["fields"] == {
        "postal_code": ["Enter a ZIP code: 12345 or 12345-6789."]
    }
    assert api.post(f"/clients/{client.pk}/emails", {"email": "r@example.org"}).status_code == 201
    ident = api.post(f"/clients/{client.pk}/identifiers", {"kind": "hmis", "value": "H-9"})
    assert ident.status_code == 201
    assert api.delete(f"/clients/{client.pk}/identifiers/{ident.json()['id']}").status_code == 204
    rel = api.post(
        f"/clients/{client.pk}/relationships",
        {"relationship_type": "friend", "contact_name": "Ana", "emergency_contact": True},
    )
    assert rel.status_code == 201
    record = api.get(f"/clients/{client.pk}").json()
    assert record["relationships"][0]["contact_name"] == "Ana"
    assert record["phones"][0]["is_current"] is False
    assert api.delete(f"/clients/{client.pk}/relationships/{rel.json()['id']}").status_code == 204
    event = AuditEvent.objects.filter(action="client.update").get()
    assert event.changes == {"fields": ["no_voicemail", "pronouns", "race_ethnicity"]}


def test_a_relationship_is_corrected_through_the_api(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    client = p.case.client
    api = api_as(p.case_manager)
    rel = api.post(
        f"/clients/{client.pk}/relationships",
        {"relationship_type": "friend", "contact_name": "Ana"},
    ).json()
    url = f"/clients/{client.pk}/relationships/{rel['id']}"
    bad = api.put(url, {"relationship_type": "friend", "contact_name": "", "contact_phone": "12"})
    assert assert_error(bad, 422, "invalid")["fields"] == {
        "contact_name": ["Name the person, or choose a client of your agency."],
        "contact_phone": ["Enter a phone number of 7 to 15 digits."],
    }
    done = api.put(
        url,
        {"relationship_type": "caregiver", "contact_name": "Ana", "contact_phone": "555-222-1111"},
    )
    assert done.status_code == 200
    assert (done.json()["relationship_type"], done.json()["contact_phone"]) == (
        "caregiver",
        "555-222-1111",
    )
    event = AuditEvent.objects.get(action="client.relationship_update")
    assert event.changes == {"fields": ["contact_phone", "relationship_type"]}
    # Another team, another agency: as if there were no such relationship.
    for who in (p.colleague, p.outsider):
        hidden = api_as(who).put(url, {"relationship_type": "other", "contact_name": "X"})
        assert_error(hidden, 404, "not_found")
    assert AuditEvent.objects.filter(action="client.relationship_update").count() == 1


def test_another_team_gets_404_like_a_missing_client(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    api = api_as(p.colleague)
    missing = api.get("/clients/999999")
    hidden = api.get(f"/clients/{p.case.client_id}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert (
        api.post(f"/clients/{p.case.client_id}/phones", {"number": "5551234567"}).status_code == 404
    )


def test_search_is_a_post_and_only_finds_what_one_may_see(
    personas: Personas, api_as: ApiAs
) -> None:
    p = personas
    client = p.case.client
    body = {"name": client.last_name[:3] + " " + client.first_name[:2]}
    found = api_as(p.case_manager).post("/clients/search", body).json()
    assert client.pk in [c["id"] for c in found["items"]]
    assert api_as(p.colleague).post("/clients/search", body).json()["count"] == 0
    assert api_as(p.outsider).post("/clients/search", body).json()["count"] == 0


def test_merge_and_unmerge(personas: Personas, api_as: ApiAs) -> None:
    p = personas
    dup = ClientFactory(organization=p.agency)
    CaseFactory(team=p.team, client=dup)
    assert_error(
        api_as(p.case_manager).post(f"/clients/{p.case.client_id}/merge", {"merged": dup.pk}),
        403,
        "permission_denied",
    )
    response = api_as(p.supervisor).post(f"/clients/{p.case.client_id}/merge", {"merged": dup.pk})
    assert response.status_code == 200, response.content
    merge = response.json()
    assert len(merge["moved"]["clients.case.client"]) == 1
    assert_error(
        api_as(p.supervisor).post(f"/client-merges/{merge['id']}/unmerge"), 403, "permission_denied"
    )
    undone = api_as(p.admin).post(f"/client-merges/{merge['id']}/unmerge")
    assert undone.status_code == 200
    assert ClientMerge.objects.get().unmerged_at is not None
    assert dup.cases.count() == 1

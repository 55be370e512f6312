"""Merging two records of one person, and undoing it exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casework.clients import services
from casework.clients.models import Case, Client, ClientMerge
from casework.core.models import AuditEvent, User
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Any]


def two_records(p: Personas) -> tuple[Client, Client]:
    keep = p.case.client
    keep.first_name, keep.last_name, keep.date_of_birth, keep.pronouns = "John", "Smith", None, ""
    keep.save()
    dup = ClientFactory(
        organization=p.agency,
        first_name="Jon",
        last_name="Smyth",
        date_of_birth=date(1990, 3, 4),
        pronouns="he/him",
    )
    CaseFactory(team=p.team, client=dup, case_manager=p.case_manager)
    services.client_phone_add(actor=p.case_manager, client=dup, number="555-111-2222")
    services.client_identifier_add(actor=p.case_manager, client=dup, kind="hmis", value="H-1")
    services.client_phone_add(actor=p.case_manager, client=keep, number="555-333-4444")
    friend = ClientFactory(organization=p.agency)
    services.relationship_add(
        actor=p.case_manager, client=dup, relationship_type="sibling", related_client=friend
    )
    return keep, dup


def test_a_merge_moves_everything_and_undoing_it_moves_exactly_that_back(
    personas: Personas,
) -> None:
    p = personas
    keep, dup = two_records(p)
    keep_cases = set(keep.cases.values_list("pk", flat=True))
    dup_cases = set(dup.cases.values_list("pk", flat=True))
    keep_phones = set(keep.phones.values_list("pk", flat=True))
    dup_phones = set(dup.phones.values_list("pk", flat=True))

    merge = services.client_merge(actor=p.supervisor, survivor=keep, merged=dup)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into == keep
    assert set(keep.cases.values_list("pk", flat=True)) == keep_cases | dup_cases
    assert set(keep.phones.values_list("pk", flat=True)) == keep_phones | dup_phones
    assert keep.identifiers.count() == 1 and keep.relationships.count() == 1
    # Blank fields take the duplicate's value; conflicting ones keep the survivor's.
    assert keep.date_of_birth == date(1990, 3, 4) and keep.pronouns == "he/him"
    assert keep.first_name == "John"
    assert merge.conflicts == {"first_name": "Jon", "last_name": "Smyth"}
    event = AuditEvent.objects.get(action="client.merge")
    assert "Jon" not in str(event.changes) and event.changes["conflicting_fields"] == [
        "first_name",
        "last_name",
    ]

    # Meanwhile the survivor gets a new phone: it stays when the merge is undone.
    services.client_phone_add(actor=p.case_manager, client=keep, number="555-999-0000", kind="home")
    services.client_unmerge(actor=p.admin, merge=merge)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into is None
    assert set(keep.cases.values_list("pk", flat=True)) == keep_cases
    assert set(dup.cases.values_list("pk", flat=True)) == dup_cases
    assert set(dup.phones.values_list("pk", flat=True)) == dup_phones
    assert keep.phones.count() == len(keep_phones) + 1
    assert dup.identifiers.count() == 1 and dup.relationships.count() == 1
    assert keep.date_of_birth is None and keep.pronouns == ""
    assert ClientMerge.objects.get().unmerged_by == p.admin


def test_who_may_merge_and_unmerge(personas: Personas) -> None:
    p = personas
    keep, dup = two_records(p)
    with pytest.raises(PermissionDenied):
        services.client_merge(actor=p.case_manager, survivor=keep, merged=dup)
    merge = services.client_merge(actor=p.admin, survivor=keep, merged=dup)
    with pytest.raises(PermissionDenied):
        services.client_unmerge(actor=p.supervisor, merge=merge)
    assert Case.objects.filter(client=dup).count() == 0


def test_a_supervisor_cannot_merge_a_record_they_cannot_see(personas: Personas) -> None:
    from casework.core.errors import NotFound

    p = personas
    with pytest.raises(NotFound):
        services.client_merge(
            actor=p.supervisor, survivor=p.case.client, merged=p.colleague_case.client
        )


def test_the_merged_record_redirects_to_the_survivor(personas: Personas, client_as: SignIn) -> None:
    p = personas
    keep, dup = two_records(p)
    web = client_as(p.supervisor)
    url = reverse("client-merge", args=[keep.pk])
    response = web.post(url, {"other": dup.pk, "confirm": "1"})
    assert response.status_code == 302
    response = client_as(p.case_manager).get(reverse("client-detail", args=[dup.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("client-detail", args=[keep.pk])
    # Somebody who may not see the survivor learns nothing.
    assert client_as(p.colleague).get(reverse("client-detail", args=[dup.pk])).status_code == 404
    admin = client_as(p.admin)
    merge = ClientMerge.objects.get()
    assert admin.post(reverse("client-unmerge", args=[merge.pk])).status_code == 302
    dup.refresh_from_db()
    assert dup.merged_into is None


def test_rows_of_other_apps_follow_the_merge_and_come_back(personas: Personas) -> None:
    from casework.assessments import services as assessment_services
    from casework.assessments.models import Instrument, InstrumentVersion
    from casework.assessments.shipped import load_shipped_instruments
    from casework.intake import services as intake_services
    from tests.factories import ProgramFactory, TeamFactory

    p = personas
    keep, dup = two_records(p)
    other_program = ProgramFactory(organization=p.agency)
    TeamFactory(organization=p.agency, program=other_program)
    application = intake_services.application_receive(
        actor=p.intake, client=dup, program=other_program, source="phone"
    )
    load_shipped_instruments(Instrument, InstrumentVersion)
    version = InstrumentVersion.objects.filter(
        instrument__organization__isnull=True, instrument__code="life-domains", status="published"
    ).get()
    dup_case = dup.cases.get(team=p.team)
    assessment = assessment_services.assessment_start(
        actor=p.case_manager, case=dup_case, instrument_version=version
    )

    merge = services.client_merge(actor=p.supervisor, survivor=keep, merged=dup)
    application.refresh_from_db()
    assessment.refresh_from_db()
    assert application.client_id == keep.pk
    assert assessment.client_id == keep.pk
    assert merge.moved["intake.application.client"] == [application.pk]

    services.client_unmerge(actor=p.admin, merge=merge)
    application.refresh_from_db()
    assessment.refresh_from_db()
    assert (application.client_id, assessment.client_id) == (dup.pk, dup.pk)


def test_the_two_records_are_compared_before_anything_is_merged(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    keep, dup = two_records(p)
    Client.objects.filter(pk=dup.pk).update(ssn="123456789", ssn_last_four="6789")
    hidden = CaseFactory(team=p.other_team, client=dup, case_manager=p.colleague)
    web = client_as(p.supervisor)
    url = reverse("client-merge", args=[keep.pk])
    response = web.post(url, {"other": dup.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert not ClientMerge.objects.exists()
    assert "Check that these are the same person" in html
    assert "2 details differ between the two records" in html  # first and last names
    row = html[html.index("Date of birth") :]
    assert row.index("1990-03-04") < row.index("Taken from the duplicate") < row.index("</tr>")
    assert "123456789" not in html  # the full SSN is only "on file"
    assert "on file" in html
    assert dup.cases.exclude(pk=hidden.pk).get().reference in html
    assert hidden.reference not in html
    assert "and 1 case you do not see" in html
    assert '<input type="hidden" name="confirm" value="1">' in html
    reads = AuditEvent.objects.filter(action="client.view", changes__part="merge")
    assert set(reads.values_list("client_id", flat=True)) == {keep.pk, dup.pk}

    merged = web.post(url, {"other": dup.pk, "confirm": "1"})
    assert merged.status_code == 302
    assert ClientMerge.objects.get().merged_id == dup.pk


def test_the_comparison_runs_a_bounded_number_of_queries_and_only_for_who_may_merge(
    personas: Personas, client_as: SignIn
) -> None:
    from tests.helpers import assert_constant_queries, assert_query_budget

    p = personas
    keep, dup = two_records(p)
    url = reverse("client-merge", args=[keep.pk])
    web = client_as(p.supervisor)
    web.post(url, {"other": dup.pk})
    assert_query_budget(lambda: web.post(url, {"other": dup.pk}), 19)
    assert_constant_queries(
        lambda: web.post(url, {"other": dup.pk}),
        lambda: [CaseFactory(team=p.team, client=dup) for _ in range(3)],
    )
    for who in (p.case_manager, p.intake, p.colleague, p.outsider):
        response = client_as(who).post(url, {"other": dup.pk})
        assert response.status_code in (403, 404), who.email
        assert "Check that these are the same person" not in response.content.decode()
    assert (
        not AuditEvent.objects.filter(action="client.view", changes__part="merge")
        .exclude(actor=p.supervisor)
        .exists()
    )


def test_a_record_is_not_merged_with_itself(personas: Personas, client_as: SignIn) -> None:
    p = personas
    url = reverse("client-merge", args=[p.case.client_id])
    response = client_as(p.supervisor).post(url, {"other": p.case.client_id, "confirm": "1"})
    assert response.status_code == 400
    assert "Choose two different records." in response.content.decode()
    assert not ClientMerge.objects.exists()

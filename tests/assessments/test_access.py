"""Who may see and change assessments and instruments, and who may not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from casework.access import Action
from casework.assessments import queries, services
from casework.assessments.models import InstrumentVersion, VersionStatus
from casework.core.models import User
from tests.personas import Personas

from .conftest import complete_needs

pytestmark = pytest.mark.django_db

SignIn = Callable[[User], Any]


@pytest.mark.parametrize("who", ["colleague", "auditor", "outsider", "admin", "partner"])
def test_people_without_the_case_get_404(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn, who: str
) -> None:
    p = personas
    done = complete_needs(p.case_manager, p.case, needs_version, {"housing": 1})
    user = getattr(p, who)
    with pytest.raises(Http404):
        queries.get_assessment(user, done.pk)
    assert not queries.assessments(user).exists()
    assert not queries.identified_needs(user).exists()
    web = client_as(user)
    for url in (
        reverse("case-assessment", args=[done.pk]),
        reverse("case-assessments", args=[p.case.pk]),
    ):
        assert web.get(url).status_code == 404
    response = web.post(reverse("case-assessment-start", args=[p.case.pk]), {})
    assert response.status_code == 404


def test_the_supervisor_of_the_team_may_view_and_document(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    p = personas
    a = services.assessment_start(actor=p.supervisor, case=p.case, instrument_version=needs_version)
    assert queries.get_assessment(p.supervisor, a.pk, Action.CHANGE) == a


def test_services_refuse_people_without_the_case(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    p = personas
    with pytest.raises(PermissionDenied):
        services.assessment_start(actor=p.colleague, case=p.case, instrument_version=needs_version)
    a = services.assessment_start(
        actor=p.case_manager, case=p.case, instrument_version=needs_version
    )
    for who in (p.colleague, p.auditor, p.outsider):
        with pytest.raises(PermissionDenied):
            services.assessment_save(
                actor=who, assessment=a, answers={"housing_score": 1}, expected_version=None
            )


def test_intake_may_view_but_not_change_an_active_case(
    personas: Personas, needs_version: InstrumentVersion
) -> None:
    p = personas
    a = services.assessment_start(
        actor=p.case_manager, case=p.case, instrument_version=needs_version
    )
    with pytest.raises(Http404):
        queries.get_assessment(p.intake, a.pk)


# --- instruments -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["case_manager", "supervisor", "auditor", "intake"])
def test_only_program_managers_and_admins_change_instruments(
    personas: Personas, needs_version: InstrumentVersion, client_as: SignIn, who: str
) -> None:
    user = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        services.instrument_draft_create(actor=user, instrument=needs_version.instrument)
    with pytest.raises(PermissionDenied):
        services.instrument_create(actor=user, code="mine", name="Mine")
    web = client_as(user)
    assert web.get(reverse("manage-program-instruments")).status_code == 403
    draft_url = reverse("manage-program-instrument-draft", args=[needs_version.instrument_id])
    assert web.post(draft_url).status_code == 403


def test_a_program_manager_adapts_edits_and_publishes(
    personas: Personas, needs_version: InstrumentVersion, program_manager: User
) -> None:
    pm = program_manager
    draft = services.instrument_draft_create(actor=pm, instrument=needs_version.instrument)
    assert draft.instrument.organization_id == personas.agency.pk
    assert draft.instrument.based_on_id == needs_version.instrument_id
    assert draft.definition == needs_version.definition
    assert services.instrument_draft_create(actor=pm, instrument=needs_version.instrument) == draft

    broken = {"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "kind": "x"}]}]}
    with pytest.raises(ValidationError) as exc:
        services.instrument_draft_update(
            actor=pm, version=draft, definition=broken, expected_version=draft.version
        )
    assert {"sections[0].questions[0].kind", "sections[0].questions[0].label"} <= set(
        exc.value.message_dict
    )
    changed = dict(draft.definition)
    changed["sections"] = draft.definition["sections"][:3] + draft.definition["sections"][-1:]
    changed["scoring"] = draft.definition["scoring"][:3]
    updated = services.instrument_draft_update(
        actor=pm, version=draft, definition=changed, expected_version=draft.version
    )
    published = services.instrument_publish(
        actor=pm, version=updated, expected_version=updated.version
    )
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by == pm
    with pytest.raises(ValidationError):
        services.instrument_draft_update(
            actor=pm, version=published, definition=changed, expected_version=None
        )
    # The agency's adaptation now replaces Casework's instrument when starting one.
    startable = list(queries.startable_versions(personas.case_manager))
    assert published in startable
    assert needs_version not in startable
    # Other agencies still see Casework's own.
    assert needs_version in list(queries.startable_versions(personas.outsider))
    assert published not in list(queries.startable_versions(personas.outsider))


def test_publishing_retires_the_previous_version_and_old_answers_stay_tied(
    personas: Personas, needs_version: InstrumentVersion, program_manager: User
) -> None:
    pm = program_manager
    v1 = services.instrument_create(actor=pm, code="check-in", name="Check-in")
    v1 = services.instrument_publish(actor=pm, version=v1)
    answered = services.assessment_start(
        actor=personas.case_manager, case=personas.case, instrument_version=v1
    )
    v2 = services.instrument_draft_create(actor=pm, instrument=v1.instrument)
    assert v2.number == 2
    services.instrument_publish(actor=pm, version=v2)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED
    answered.refresh_from_db()
    assert answered.instrument_version_id == v1.pk


def test_casework_instruments_cannot_be_edited_in_place(
    personas: Personas, needs_version: InstrumentVersion, program_manager: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.instrument_publish(actor=program_manager, version=needs_version)
    with pytest.raises(PermissionDenied):
        services.instrument_draft_update(
            actor=program_manager, version=needs_version, definition={}, expected_version=None
        )


def test_another_agencys_instruments_are_invisible(
    personas: Personas, shipped: None, program_manager: User
) -> None:
    draft = services.instrument_create(actor=program_manager, code="ours", name="Ours")
    assert not queries.instruments(personas.outsider).filter(pk=draft.instrument_id).exists()
    with pytest.raises(Http404):
        queries.get_instrument_version(personas.outsider, draft.pk)

"""Recording and revoking consents, sharing under them, and what the audit log keeps."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.consent import services
from casework.consent.models import Disclosure
from casework.consent.policy import Party
from casework.core.models import AuditEvent
from tests.personas import Personas

from .conftest import PDF, Harbor, consent, other_party, sister_of, today

pytestmark = pytest.mark.django_db


def paper_fields(**changes: object) -> services.ConsentFields:
    fields = services.ConsentFields(
        purposes=["referral"],
        categories=["identity_contact"],
        effective_on=today(),
        expires_on=today() + timedelta(days=365),
        signature_method="paper",
        signed_on=today(),
        witness_name="Casey Manning",
        document=SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf"),
    )
    for name, value in changes.items():
        setattr(fields, name, value)
    return fields


def test_it_records_a_paper_consent_with_its_scan_and_audits_it(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    recorded = services.consent_record(
        actor=p.case_manager, client=p.case.client, party=harbor.party, fields=paper_fields()
    )
    assert recorded.document_content_type == "application/pdf"
    assert recorded.party_key == f"org:{harbor.organization.pk}"
    assert recorded.status == "active"
    event = AuditEvent.objects.get(action="consent.record")
    assert event.client_id == p.case.client.pk
    assert event.changes["categories"] == ["identity_contact"]
    assert "Casey" not in str(event.changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"document": None}, "document"),
        ({"document": SimpleUploadedFile("x.pdf", b"not a pdf")}, "document"),
        ({"purposes": []}, "purposes"),
        ({"purposes": ["other"]}, "purpose_other"),
        ({"categories": ["everything"]}, "categories"),
        ({"expires_on": today() - timedelta(days=1)}, "expires_on"),
        ({"expires_on": today() + timedelta(days=365 * 6)}, "expires_on"),
        ({"signed_on": today() + timedelta(days=1)}, "signed_on"),
        ({"signature_method": "on_screen"}, "signed_name"),
        ({"signature_method": "on_screen", "signed_name": "A B"}, "signed_confirmed"),
        ({"signature_method": "nod"}, "signature_method"),
    ],
)
def test_it_refuses_an_incomplete_consent_naming_the_field(
    personas: Personas, harbor: Harbor, changes: dict[str, object], field: str
) -> None:
    p = personas
    with pytest.raises(ValidationError) as exc:
        services.consent_record(
            actor=p.case_manager,
            client=p.case.client,
            party=harbor.party,
            fields=paper_fields(**changes),
        )
    assert field in exc.value.message_dict


def test_it_refuses_a_party_that_is_not_this_clients(personas: Personas) -> None:
    p = personas
    strangers_sister = sister_of(p.colleague_case.client)
    for party, field in [
        (Party(kind="person", relationship_id=strangers_sister.pk), "party_relationship"),
        (Party.partner(p.agency.pk), "party_organization"),  # an agency, not a partner
        (other_party(name=""), "party_name"),
        (Party(kind="somebody"), "party_kind"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.consent_record(
                actor=p.case_manager, client=p.case.client, party=party, fields=paper_fields()
            )
        assert field in exc.value.message_dict


def test_only_whoever_documents_the_client_records_consents(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    for someone in (p.colleague, p.auditor, p.partner, p.outsider, harbor.staff, p.admin):
        with pytest.raises(PermissionDenied):
            services.consent_record(
                actor=someone, client=p.case.client, party=harbor.party, fields=paper_fields()
            )


def test_revoking_stops_sharing_and_keeps_what_was_shared(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    client = p.case.client
    on_record = consent(p.case_manager, client, harbor.party)
    shared = services.disclosure_make(
        actor=p.case_manager,
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["plan"],
    )
    services.consent_revoke(
        actor=p.case_manager, consent=on_record, revoked_on=today(), reason="Asked to stop."
    )
    with pytest.raises(services.ConsentRequired) as exc:
        services.disclosure_make(
            actor=p.case_manager,
            client=client,
            party=harbor.party,
            purpose="referral",
            categories=["plan"],
        )
    assert "revoked" in exc.value.message_dict["consent"][0]
    assert Disclosure.objects.get() == shared
    assert shared.consent == on_record
    event = AuditEvent.objects.get(action="consent.revoke")
    assert event.changes == {"revoked_on": today().isoformat()}
    with pytest.raises(ValidationError):
        services.consent_revoke(
            actor=p.case_manager, consent=on_record, revoked_on=today(), reason="Again."
        )


def test_a_revocation_needs_a_date_not_in_the_future_and_a_reason(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    on_record = consent(p.case_manager, p.case.client, harbor.party)
    with pytest.raises(ValidationError) as exc:
        services.consent_revoke(
            actor=p.case_manager,
            consent=on_record,
            revoked_on=today() + timedelta(days=1),
            reason=" ",
        )
    assert set(exc.value.message_dict) == {"revoked_on", "reason"}


def test_sharing_without_consent_is_refused_and_the_refusal_audited(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    with pytest.raises(services.ConsentRequired) as exc:
        services.disclosure_make(
            actor=p.case_manager,
            client=p.case.client,
            party=harbor.party,
            purpose="referral",
            categories=["identity_contact"],
        )
    assert exc.value.decision.gaps[0].code == "no_consent"
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.get(action="disclosure.refuse").changes["gaps"] == ["no_consent"]


def test_the_packet_holds_only_the_shared_categories(personas: Personas, harbor: Harbor) -> None:
    p = personas
    client = p.case.client
    client.preferred_name = "Robbie"
    client.save()
    client.phones.create(organization_id=client.organization_id, number="555-0100")
    consent(p.case_manager, client, harbor.party, categories=["identity_contact", "plan", "notes"])
    shared = services.disclosure_make(
        actor=p.case_manager,
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["identity_contact"],
    )
    assert [s["category"] for s in shared.packet] == ["identity_contact"]
    texts = [r["text"] for r in shared.packet[0]["rows"]]
    assert "Robbie" in texts
    assert "555-0100" in texts
    event = AuditEvent.objects.get(action="disclosure.make")
    assert event.changes["categories"] == ["identity_contact"]
    assert "Robbie" not in str(event.changes)


def test_assessment_needs_in_a_sensitive_domain_go_only_with_that_category(
    personas: Personas, harbor: Harbor
) -> None:
    from casework.assessments.models import (
        Assessment,
        AssessmentStatus,
        IdentifiedNeed,
        Instrument,
        InstrumentVersion,
    )

    p = personas
    client = p.case.client
    instrument = Instrument.objects.create(organization=p.agency, code="needs", name="Needs check")
    version = InstrumentVersion.objects.create(instrument=instrument, number=1, created_by=p.admin)
    assessment = Assessment.objects.create(
        organization=p.agency,
        case=p.case,
        client=client,
        instrument_version=version,
        assessor=p.case_manager,
        status=AssessmentStatus.COMPLETED,
    )
    for domain, label in [("housing", "Housing"), ("substance_use", "Substance use")]:
        IdentifiedNeed.objects.create(
            organization=p.agency,
            case=p.case,
            client=client,
            assessment=assessment,
            domain=domain,
            domain_label=label,
            score=Decimal(1),
        )
    consent(p.case_manager, client, harbor.party, categories=["assessments"])
    general = services.disclosure_make(
        actor=p.case_manager,
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["assessments"],
    )
    assert "Housing" in general.packet[0]["rows"][0]["text"]
    assert "Substance use" not in general.packet[0]["rows"][0]["text"]
    consent(p.case_manager, client, harbor.party, categories=["assessments", "substance_use"])
    explicit = services.disclosure_make(
        actor=p.case_manager,
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["assessments", "substance_use"],
    )
    assert "Substance use" in explicit.packet[0]["rows"][0]["text"]

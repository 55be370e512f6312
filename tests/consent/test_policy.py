"""THE decision function on a table: party × purpose × category × date × revoked/expired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from casework.consent import services
from casework.consent.policy import Party, decide
from tests.personas import Personas

from .conftest import Harbor, consent, other_party, sister_of, today

pytestmark = pytest.mark.django_db

GENERAL = ("identity_contact", "assessments", "plan", "notes")

# The consent on record: with Harbor (a partner agency) for a referral, covering identity,
# assessments, plan and notes, in force from 30 days ago for a year; revoked 10 days ago
# in the rows that say so. Each row: what is asked (party, purpose, categories, day offset),
# whether the consent was revoked, whether it is allowed, and the reasons it is not.
TABLE = [
    # party, purpose, categories, day, revoked, allowed, gaps
    ("harbor", "referral", ("identity_contact",), 0, False, True, ()),
    ("harbor", "referral", GENERAL, 0, False, True, ()),
    ("harbor", "referral", ("plan", "notes"), -30, False, True, ()),
    ("harbor", "referral", ("plan",), 334, False, True, ()),
    ("harbor", "referral", ("plan",), 336, False, False, ("expired",)),
    ("harbor", "referral", ("plan",), -31, False, False, ("pending",)),
    ("harbor", "court_report", ("plan",), 0, False, False, ("purpose",)),
    ("harbor", "referral", ("substance_use",), 0, False, False, ("categories",)),
    ("harbor", "referral", ("notes", "hiv_sti"), 0, False, False, ("categories",)),
    ("harbor", "referral", ("mental_health",), 0, False, False, ("categories",)),
    ("harbor", "referral", ("domestic_violence",), 0, False, False, ("categories",)),
    ("harbor", "referral", ("criminal_justice",), 0, False, False, ("categories",)),
    (
        "harbor",
        "court_report",
        ("substance_use",),
        400,
        False,
        False,
        ("expired", "purpose", "categories"),
    ),
    ("harbor", "referral", ("plan",), 0, True, False, ("revoked",)),
    ("harbor", "referral", ("plan",), -9, True, False, ("revoked",)),
    ("harbor", "referral", ("plan",), -11, True, True, ()),
    ("sister", "referral", ("plan",), 0, False, False, ("no_consent",)),
    ("doctor", "referral", ("plan",), 0, False, False, ("no_consent",)),
    ("other_partner", "referral", ("plan",), 0, False, False, ("no_consent",)),
]


@pytest.mark.parametrize(
    ("who", "purpose", "categories", "day", "revoked", "allowed", "gaps"),
    TABLE,
    ids=[f"{r[0]}-{r[1]}-{'+'.join(r[2])}-day{r[3]}{'-revoked' if r[4] else ''}" for r in TABLE],
)
def test_the_decision_table(
    personas: Personas,
    harbor: Harbor,
    who: str,
    purpose: str,
    categories: tuple[str, ...],
    day: int,
    revoked: bool,
    allowed: bool,
    gaps: tuple[str, ...],
) -> None:
    p = personas
    client = p.case.client
    on_record = consent(p.case_manager, client, harbor.party, categories=GENERAL, ends=335)
    if revoked:
        services.consent_revoke(
            actor=p.case_manager,
            consent=on_record,
            revoked_on=today() - timedelta(days=10),
            reason="Changed their mind.",
        )
    parties = {
        "harbor": harbor.party,
        "sister": Party(kind="person", relationship_id=sister_of(client).pk),
        "doctor": other_party(),
        "other_partner": Party.partner(p.other_agency.pk),
    }
    decision = decide(
        client=client,
        party=parties[who],
        purpose=purpose,
        categories=categories,
        on=today() + timedelta(days=day),
    )
    assert decision.allowed is allowed
    assert tuple(g.code for g in decision.gaps) == gaps
    if allowed:
        assert decision.consent == on_record
        assert decision.covered == tuple(c for c in GENERAL if c in categories)


def test_a_sensitive_category_is_covered_only_when_named(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    client = p.case.client
    consent(p.case_manager, client, harbor.party, categories=(*GENERAL, "substance_use"))
    ok = decide(
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["substance_use", "notes"],
        on=today(),
    )
    assert ok.allowed
    refused = decide(
        client=client,
        party=harbor.party,
        purpose="referral",
        categories=["mental_health"],
        on=today(),
    )
    assert not refused.allowed
    assert refused.missing == ("mental_health",)
    assert "Mental health" in refused.message


def test_it_names_the_missing_categories_and_what_is_covered(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, harbor.party, categories=("identity_contact", "plan"))
    decision = decide(
        client=p.case.client,
        party=harbor.party,
        purpose="referral",
        categories=["identity_contact", "plan", "notes", "hiv_sti"],
        on=today(),
    )
    assert not decision.allowed
    assert decision.covered == ("identity_contact", "plan")
    assert decision.missing == ("notes", "hiv_sti")
    assert decision.can_share_covered
    assert "Case notes" in decision.message
    assert "HIV" in decision.message


def test_another_consent_in_force_is_used_when_one_is_revoked(
    personas: Personas, harbor: Harbor
) -> None:
    p = personas
    old = consent(p.case_manager, p.case.client, harbor.party, starts=-100, ends=200)
    services.consent_revoke(
        actor=p.case_manager, consent=old, revoked_on=today(), reason="Replaced."
    )
    new = consent(p.case_manager, p.case.client, harbor.party, starts=0, ends=100)
    decision = decide(
        client=p.case.client,
        party=harbor.party,
        purpose="referral",
        categories=["plan"],
        on=today(),
    )
    assert decision.allowed
    assert decision.consent == new


def test_other_parties_match_by_name_and_role_whatever_the_case_and_spacing(
    personas: Personas,
) -> None:
    p = personas
    consent(p.case_manager, p.case.client, other_party("Dr. Ada Lovelace", "Family doctor"))
    same = other_party("  dr. ada   LOVELACE ", "family DOCTOR")
    different = other_party("Dr. Ada Lovelace", "Cardiologist")
    assert decide(
        client=p.case.client, party=same, purpose="referral", categories=["plan"], on=today()
    ).allowed
    assert not decide(
        client=p.case.client, party=different, purpose="referral", categories=["plan"], on=today()
    ).allowed


def test_a_consent_of_another_client_covers_nothing(personas: Personas, harbor: Harbor) -> None:
    p = personas
    consent(p.colleague, p.colleague_case.client, harbor.party)
    decision = decide(
        client=p.case.client,
        party=harbor.party,
        purpose="referral",
        categories=["plan"],
        on=today(),
    )
    assert [g.code for g in decision.gaps] == ["no_consent"]

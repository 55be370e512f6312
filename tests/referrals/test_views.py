"""Staff pages: a case's referrals, the new-referral form and its consent panel, a referral's
page and its actions, the case card, the home panel and the plan page's goal referrals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from casework.consent.models import Consent, PartyKind
from casework.core.models import AuditEvent
from casework.referrals import services
from casework.referrals.models import Referral, ReferralLink, ReferralStatus
from casework.referrals.views import case_section_context, home_waiting
from tests.factories import TeamMembershipFactory
from tests.helpers import assert_constant_queries, assert_query_budget
from tests.personas import Personas

from .conftest import Directory, PlanGoal, consent_for, draft, sent, today

pytestmark = pytest.mark.django_db

Login = Callable[..., Any]


def new_url(personas: Personas, directory: Directory, goal: PlanGoal | None = None) -> str:
    url = f"{reverse('case-referral-new', args=[personas.case.pk])}?service={directory.pantry.pk}"
    return f"{url}&goal={goal.goal.pk}" if goal else url


def form_data(directory: Directory, goal: PlanGoal, **changes: Any) -> dict[str, Any]:
    return {
        "service": directory.pantry.pk,
        "goal": goal.goal.pk,
        "action_step": goal.step.pk,
        "reason": "Runs out of food at the end of the month",
        "urgency": "routine",
        "eligibility_note": "Lives in the area",
        "in_house_note": "We have no food program",
        "self_help_note": "Her sister drives her there",
        "categories": ["plan"],
        **changes,
    }


# --- the new-referral form -------------------------------------------------------------------


def test_the_form_prefills_the_goal_reason_and_match_reasons(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    response = client_as(personas.case_manager).get(new_url(personas, directory, goal))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Weekly pantry" in html
    assert "Enough food for the kids" in html  # the goal in the client's words, as the reason
    assert "The four questions before a referral" in html
    assert "cannot be sent yet" in html  # no consent: the panel says so
    assert "Record consent" in html


def test_without_a_service_the_form_sends_to_the_directory(
    personas: Personas, goal: PlanGoal, client_as: Login
) -> None:
    url = f"{reverse('case-referral-new', args=[personas.case.pk])}?goal={goal.goal.pk}"
    response = client_as(personas.case_manager).get(url)
    assert response.status_code == 200
    assert f"/cases/{personas.case.pk}/match/?goal={goal.goal.pk}" in response.content.decode()


def test_the_consent_panel_answers_for_the_chosen_categories(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    consent_for(
        personas.case_manager,
        personas.case,
        services.referral_party(directory.pantry),
        categories=["identity_contact", "plan"],
    )
    url = reverse("case-referral-consent", args=[personas.case.pk])
    web = client_as(personas.case_manager)
    covered = web.get(url, {"service": directory.pantry.pk, "categories": ["plan"]})
    assert "Consent in force until" in covered.content.decode()
    missing = web.get(
        url, {"service": directory.pantry.pk, "categories": ["plan", "mental_health"]}
    )
    html = missing.content.decode()
    assert "The consent does not cover: Mental health." in html
    assert "Record consent" in html


def test_record_consent_opens_the_consent_form_prefilled_and_returns_to_the_referral(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    response = web.get(new_url(personas, directory, goal))
    record_url = response.context["consent_panel"]["record_url"]
    query = parse_qs(urlsplit(record_url).query)
    assert query["party"] == [f"provider:{directory.food_bank.pk}"]
    assert query["purpose"] == ["referral"]
    assert query["categories"] == ["identity_contact"]
    form_page = web.get(record_url)
    form = form_page.context["form"]
    assert form.initial["party_kind"] == PartyKind.PROVIDER
    assert form.initial["party_provider"] == directory.food_bank.pk
    assert f'name="next" value="{query["next"][0]}"' in form_page.content.decode().replace(
        "&amp;", "&"
    )
    saved = web.post(
        record_url,
        {
            "party_kind": "provider",
            "party_provider": directory.food_bank.pk,
            "purposes": ["referral"],
            "categories": ["identity_contact", "plan"],
            "effective_on": today().isoformat(),
            "expires_on": (today() + timedelta(days=300)).isoformat(),
            "signature_method": "on_screen",
            "signed_name": "Client Signature",
            "signed_confirmed": "on",
            "signed_on": today().isoformat(),
            "next": query["next"][0],
        },
    )
    assert saved.status_code == 302
    assert saved["Location"] == query["next"][0]
    assert Consent.objects.get().party_key == f"provider:{directory.food_bank.pk}"


def test_a_next_address_off_the_site_is_ignored(personas: Personas, client_as: Login) -> None:
    url = reverse("client-consent-new", args=[personas.case.client_id])
    response = client_as(personas.case_manager).get(url, {"next": "https://evil.example/"})
    assert response.context["next_url"] == ""


def test_saving_a_draft_then_send_is_refused_with_the_consent_message(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    response = web.post(new_url(personas, directory, goal), form_data(directory, goal))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("case-referral", args=[referral.pk])
    assert referral.categories == ["identity_contact", "plan"]
    assert referral.match_reasons  # the reasons the matching gave at the time
    refused = web.post(
        reverse("case-referral-send", args=[referral.pk]),
        {"expected_version": referral.version},
    )
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Not sent: the client's consent does not cover this referral." in html
    assert "There is no consent from this client" in html
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_save_and_send_sends_when_consent_covers_it(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    consent_for(personas.case_manager, personas.case, services.referral_party(directory.pantry))
    response = client_as(personas.case_manager).post(
        new_url(personas, directory, goal), {**form_data(directory, goal), "send": "1"}
    )
    assert response.status_code == 302
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_bad_input_is_shown_next_to_the_field(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    response = client_as(personas.case_manager).post(
        new_url(personas, directory, goal), form_data(directory, goal, reason="")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert not Referral.objects.exists()


def test_a_draft_is_edited_and_a_stale_form_is_refused(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    referral = draft(personas, directory.pantry, goal)
    url = reverse("case-referral-edit", args=[referral.pk])
    web = client_as(personas.case_manager)
    assert web.get(url).status_code == 200
    data = form_data(directory, goal, expected_version=referral.version, urgency="urgent")
    assert web.post(url, data).status_code == 302
    stale = web.post(url, data)
    assert stale.status_code == 409
    assert "Someone else saved this referral" in stale.content.decode()


# --- a referral's page and its actions --------------------------------------------------------


def test_the_page_shows_the_timeline_what_was_shared_and_the_actions(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry, goal)
    response = client_as(personas.case_manager).get(reverse("case-referral", args=[referral.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What happened" in html
    assert "Record the provider's answer" in html
    assert "Make a secure link" in html
    assert "Show what was shared" in html
    assert f"/referrals/{referral.pk}/letter/" in html
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="referral.view").count() == 1


def test_our_staff_see_the_step_a_completed_service_marked_done(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry, goal, categories=["identity_contact"])
    for status in ("accepted", "started", "completed"):
        referral = services.referral_record(
            actor=personas.case_manager,
            referral=referral,
            expected_version=referral.version,
            status=status,
            happened_on=today(),
        )
    html = client_as(personas.case_manager).get(reverse("case-referral", args=[referral.pk]))
    assert "Action step marked done: Register with the food bank" in html.content.decode()


def test_recording_an_answer_closing_and_the_form_errors(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry)
    web = client_as(personas.case_manager)
    record = reverse("case-referral-record", args=[referral.pk])
    bad = web.post(
        record,
        {
            "expected_version": referral.version,
            "status": "declined",
            "happened_on": today().isoformat(),
            "via": "phone",
        },
    )
    assert bad.status_code == 400
    assert bad.context["record_form"].errors["decline_reason"]
    ok = web.post(
        record,
        {
            "expected_version": referral.version,
            "status": "declined",
            "happened_on": today().isoformat(),
            "via": "phone",
            "decline_reason": "Outside their area",
        },
    )
    assert ok.status_code == 302
    referral.refresh_from_db()
    closed = web.post(
        reverse("case-referral-close", args=[referral.pk]),
        {"expected_version": referral.version, "note": "Found another pantry"},
    )
    assert closed.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED


def test_a_new_link_is_shown_once_and_can_be_revoked(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry)
    web = client_as(personas.case_manager)
    response = web.post(reverse("case-referral-link-new", args=[referral.pk]), {"days": 14})
    assert response.status_code == 200
    url = response.context["new_link"]["url"]
    assert "/r/" in url
    assert url in response.content.decode()
    again = web.get(reverse("case-referral", args=[referral.pk]))
    assert url not in again.content.decode()
    link = ReferralLink.objects.get()
    revoked = web.post(reverse("case-referral-link-revoke", args=[link.pk]))
    assert revoked.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_cancelling_from_the_page(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = draft(personas, directory.pantry)
    response = client_as(personas.case_manager).post(
        reverse("case-referral-cancel", args=[referral.pk]),
        {"expected_version": referral.version, "reason": "Not needed"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "outsider", "partner", "intake"])
def test_who_does_not_serve_the_case_sees_none_of_its_referrals(
    personas: Personas, directory: Directory, who: str, client_as: Login
) -> None:
    referral = draft(personas, directory.pantry)
    web = client_as(getattr(personas, who))
    assert web.get(reverse("case-referral", args=[referral.pk])).status_code == 404
    assert web.get(reverse("case-referrals", args=[personas.case.pk])).status_code == 404
    assert (
        web.post(
            reverse("case-referral-cancel", args=[referral.pk]),
            {"expected_version": referral.version, "reason": "x"},
        ).status_code
        == 404
    )


def test_partner_agency_staff_see_none_of_the_staff_pages(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.legal_aid)
    web = client_as(directory.harbor_staff)
    assert web.get(reverse("case-referral", args=[referral.pk])).status_code == 404
    assert web.get(reverse("case-referrals", args=[personas.case.pk])).status_code == 404
    assert web.get(new_url(personas, directory)).status_code == 404


def test_the_auditor_reads_but_may_not_act(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    TeamMembershipFactory(team=personas.team, user=personas.auditor)
    referral = sent(personas, directory.pantry)
    web = client_as(personas.auditor)
    page = web.get(reverse("case-referral", args=[referral.pk]))
    assert page.status_code == 200
    assert "Record the provider" not in page.content.decode()
    refused = web.post(
        reverse("case-referral-cancel", args=[referral.pk]),
        {"expected_version": referral.version, "reason": "x"},
    )
    assert refused.status_code == 403
    assert web.get(new_url(personas, directory)).status_code == 403


def test_the_supervisor_of_the_team_sees_and_acts(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    referral = sent(personas, directory.pantry)
    web = client_as(personas.supervisor)
    assert web.get(reverse("case-referral", args=[referral.pk])).status_code == 200
    assert web.get(reverse("case-referrals", args=[personas.case.pk])).status_code == 200


# --- the case card, the home panel and the plan page ------------------------------------------


def test_the_case_card_lists_open_referrals_with_their_next_step(
    personas: Personas, directory: Directory
) -> None:
    open_one = sent(personas, directory.pantry)
    done = draft(personas, directory.pantry)
    services.referral_cancel(
        actor=personas.case_manager, referral=done, expected_version=done.version, reason="No"
    )
    section = case_section_context(personas.case_manager, personas.case)["referral_section"]
    assert section["rows"] == [open_one]
    assert section["can_create"]
    assert not case_section_context(personas.auditor, personas.case)["referral_section"][
        "can_create"
    ]


def test_the_home_panel_lists_my_referrals_waiting_overdue_first(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    later = sent(personas, directory.pantry)
    overdue = sent(personas, directory.legal_aid)
    Referral.objects.filter(pk=overdue.pk).update(answer_due_on=today() - timedelta(days=3))
    accepted = services.referral_record(
        actor=personas.case_manager,
        referral=sent(personas, directory.pantry),
        expected_version=None,
        status="accepted",
        happened_on=today(),
    )
    section = home_waiting(personas.case_manager)
    assert section is not None
    assert [r.pk for r in section.data["referrals"]] == [overdue.pk, later.pk]
    assert accepted.pk not in [r.pk for r in section.data["referrals"]]
    assert home_waiting(personas.auditor) is None
    home = client_as(personas.case_manager).get("/")
    assert "My referrals waiting for an answer" in home.content.decode()
    assert "answer overdue since" in home.content.decode()


def test_the_plan_page_offers_find_a_service_and_shows_the_goals_referrals(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    sent(personas, directory.pantry, goal)
    response = client_as(personas.case_manager).get(reverse("case-plan", args=[personas.case.pk]))
    html = response.content.decode()
    assert f"/cases/{personas.case.pk}/match/?goal={goal.goal.pk}" in html
    assert "Weekly pantry" in html
    assert "badge--referral-sent" in html


# --- query budgets ---------------------------------------------------------------------------


def test_the_case_referrals_list_runs_a_fixed_number_of_queries(
    personas: Personas, directory: Directory, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    url = reverse("case-referrals", args=[personas.case.pk])
    sent(personas, directory.pantry)
    assert_query_budget(lambda: web.get(url), 16)
    assert_constant_queries(
        lambda: web.get(url),
        lambda: [sent(personas, directory.legal_aid) for _ in range(3)],
    )


def test_the_referral_page_runs_a_fixed_number_of_queries(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    referral = sent(personas, directory.pantry, goal)
    url = reverse("case-referral", args=[referral.pk])

    def more() -> None:
        for status in ("received", "accepted", "started"):
            services.referral_record(
                actor=personas.case_manager,
                referral=referral,
                expected_version=None,
                status=status,
                happened_on=today(),
            )
        for _ in range(3):
            services.referral_link_create(actor=personas.case_manager, referral=referral)

    assert_query_budget(lambda: web.get(url), 28)
    assert_constant_queries(lambda: web.get(url), more)


def test_the_new_referral_form_runs_a_bounded_number_of_queries(
    personas: Personas, directory: Directory, goal: PlanGoal, client_as: Login
) -> None:
    web = client_as(personas.case_manager)
    assert_query_budget(lambda: web.get(new_url(personas, directory, goal)), 40)


def test_the_home_panel_stays_constant(personas: Personas, directory: Directory) -> None:
    sent(personas, directory.pantry)
    assert_constant_queries(
        lambda: home_waiting(personas.case_manager),
        lambda: [sent(personas, directory.legal_aid) for _ in range(3)],
    )

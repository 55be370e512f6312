"""A person another team serves is not registered twice by someone who cannot see them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.urls import reverse

from casework.clients.matching import HiddenMatch, hidden_record_may_match
from casework.clients.models import Client
from casework.core.models import User
from tests.factories import CaseFactory, ClientFactory
from tests.personas import Personas

SignIn = Callable[[User], Any]

SHARON = {"first_name": "Sharon", "last_name": "Bellamy", "date_of_birth": date(1996, 5, 14)}
FORM = {
    "first_name": "Sharon",
    "last_name": "Bellamy",
    "date_of_birth": "1996-05-14",
    "name_data_quality": 1,
    "dob_data_quality": 1,
    "preferred_language": "en",
    "veteran_status": 99,
    "ssn_data_quality": 99,
}


def _sharon_on_the_colleagues_team(p: Personas) -> Client:
    client = ClientFactory(organization=p.agency, **SHARON)
    CaseFactory(client=client, team=p.other_team, case_manager=p.colleague)
    return client


def test_a_record_of_another_team_may_match_without_being_named(personas: Personas) -> None:
    p = personas
    _sharon_on_the_colleagues_team(p)
    assert hidden_record_may_match(actor=p.case_manager, **SHARON) == HiddenMatch.UNSEEN
    # Those who see the record get it among the named matches instead.
    assert hidden_record_may_match(actor=p.colleague, **SHARON) is None
    assert hidden_record_may_match(actor=p.intake, **SHARON) is None
    # Another agency's record is never considered.
    assert hidden_record_may_match(actor=p.outsider, **SHARON) is None
    # Someone unrelated is not a match.
    stranger = {**SHARON, "first_name": "Marguerite", "date_of_birth": date(1950, 1, 2)}
    assert hidden_record_may_match(actor=p.case_manager, **stranger) is None


def test_a_restricted_record_still_says_restricted(personas: Personas) -> None:
    p = personas
    client = _sharon_on_the_colleagues_team(p)
    Client.objects.filter(pk=client.pk).update(is_restricted=True, restriction_reason="safety")
    assert hidden_record_may_match(actor=p.case_manager, **SHARON) == HiddenMatch.RESTRICTED
    assert hidden_record_may_match(actor=p.intake, **SHARON) == HiddenMatch.RESTRICTED


def test_registering_them_again_warns_and_saves_nothing(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    sharon = _sharon_on_the_colleagues_team(p)
    web = client_as(p.case_manager)
    for _attempt in range(3):
        response = web.post(reverse("client-register"), FORM)
        html = response.content.decode()
        assert response.status_code == 200, html
        assert "A record you cannot see may be this person" in html
        assert "Ask intake or your supervisor" in html
        assert f"/clients/{sharon.pk}/" not in html
        warning = html.split("possible-duplicates", 1)[1].split("</section>", 1)[0]
        assert "Client #" not in warning and 'class="match"' not in warning
    assert Client.objects.filter(last_name="Bellamy").count() == 1


def test_a_confirmed_new_person_lands_on_a_page_the_user_may_see(
    personas: Personas, client_as: SignIn
) -> None:
    p = personas
    _sharon_on_the_colleagues_team(p)
    web = client_as(p.case_manager)
    response = web.post(reverse("client-register"), {**FORM, "confirmed_new": "on"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Intake opens their case" in response.content.decode()
    assert Client.objects.filter(last_name="Bellamy").count() == 2


def test_the_api_refuses_with_the_same_warning(personas: Personas, client_as: SignIn) -> None:
    p = personas
    _sharon_on_the_colleagues_team(p)
    body = {k: str(v) for k, v in SHARON.items()}
    response = client_as(p.case_manager).post(
        "/api/v1/clients", body, content_type="application/json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["hidden_match"] == "unseen"
    assert error["restricted_match"] is False
    assert error["matches"] == []
    assert "Bellamy" not in str(error)
    assert "ask intake or a supervisor" in error["message"]

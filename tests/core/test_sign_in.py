"""Signing in: passwords, throttling and lockout, two-factor, idle timeout, sign-out."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from casework.core.middleware import LAST_SEEN_KEY
from casework.core.models import AuditEvent, SignInAttempt, User
from tests.factories import PASSWORD
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("sign-in"), {"email": email, "password": password}, **extra)


def test_passwords_are_hashed_with_argon2(personas: Personas) -> None:
    assert identify_hasher(personas.case_manager.password).algorithm == "argon2"


def test_it_signs_in_with_the_right_password(client, personas: Personas) -> None:
    response = sign_in(client, personas.case_manager.email)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert AuditEvent.objects.filter(action="auth.sign_in", actor=personas.case_manager).exists()


def test_email_is_not_case_sensitive(client, personas: Personas) -> None:
    response = sign_in(client, personas.case_manager.email.upper())
    assert response.status_code == 302


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(client, personas) -> None:
    response = sign_in(client, personas.case_manager.email, "wrong password here")
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_keeps_no_typed_email_in_the_attempts_table(client, personas) -> None:
    sign_in(client, "someone@nowhere.test", "whatever password")
    stored = SignInAttempt.objects.get()
    assert "nowhere" not in stored.email
    assert len(stored.email) == 64


@override_settings(CASEWORK_LOGIN_MAX_FAILURES=3)
def test_it_locks_an_account_after_repeated_failures(client, personas: Personas) -> None:
    email = personas.case_manager.email
    for _ in range(3):
        sign_in(client, email, "not the password")
    response = sign_in(client, email)  # even the right password is refused while locked
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    personas.case_manager.refresh_from_db()
    assert personas.case_manager.locked_until is not None
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1


@override_settings(CASEWORK_LOGIN_MAX_FAILURES=3)
def test_unknown_emails_lock_the_same_way(client, personas: Personas) -> None:
    for _ in range(3):
        sign_in(client, "ghost@nowhere.test", "not the password")
    response = sign_in(client, "ghost@nowhere.test", "not the password")
    assert "locked" in response.content.decode()


@override_settings(CASEWORK_LOGIN_MAX_FAILURES=3, CASEWORK_LOGIN_LOCKOUT_MINUTES=0)
def test_the_lock_ends_by_itself(client, personas: Personas) -> None:
    for _ in range(3):
        sign_in(client, personas.case_manager.email, "not the password")
    assert sign_in(client, personas.case_manager.email).status_code == 302


@override_settings(CASEWORK_LOGIN_IP_MAX_FAILURES=4)
def test_it_throttles_an_address_guessing_across_accounts(client, personas: Personas) -> None:
    for n in range(4):
        sign_in(client, f"guess{n}@nowhere.test", "nope nope nope")
    response = sign_in(client, personas.case_manager.email)
    assert "network" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in(client, personas: Personas) -> None:
    personas.case_manager.is_active = False
    personas.case_manager.save()
    response = sign_in(client, personas.case_manager.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_next_must_stay_on_this_site(client, personas: Personas) -> None:
    response = client.post(
        reverse("sign-in") + "?next=https://evil.test/",
        {"email": personas.case_manager.email, "password": PASSWORD, "next": "https://evil.test/"},
    )
    assert response.url == reverse("home")


def enable_two_factor(user: User) -> pyotp.TOTP:
    from casework.core import services

    services.two_factor_begin(user=user)
    totp = pyotp.TOTP(user.totp_secret)
    services.two_factor_confirm(user=user, code=totp.now())
    return totp


def test_two_factor_asks_for_a_code_after_the_password(client, personas: Personas) -> None:
    totp = enable_two_factor(personas.case_manager)
    response = sign_in(client, personas.case_manager.email)
    assert response.url == reverse("sign-in-code")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("sign-in-code"), {"code": "000000"})
    assert "did not match" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The code used to confirm set-up is spent (whatever the clock says now, which may be
    # the next 30 s step already); the authenticator's next one works.
    spent_step = User.objects.get(pk=personas.case_manager.pk).totp_last_step
    response = client.post(reverse("sign-in-code"), {"code": totp.at(spent_step * totp.interval)})
    assert "did not match" in response.content.decode()
    response = client.post(reverse("sign-in-code"), {"code": next_code(totp)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.case_manager.pk)


def next_code(totp: pyotp.TOTP) -> str:
    return totp.at(time.time() + totp.interval)


def test_a_code_works_only_once(personas: Personas) -> None:
    from casework.core import services

    totp = enable_two_factor(personas.case_manager)
    user = User.objects.get(pk=personas.case_manager.pk)
    code = next_code(totp)
    assert services.two_factor_verify_code(user, code)
    assert not services.two_factor_verify_code(user, code)
    assert not services.two_factor_verify_code(User.objects.get(pk=user.pk), code)


def test_too_many_wrong_codes_start_over(client, personas: Personas) -> None:
    enable_two_factor(personas.case_manager)
    sign_in(client, personas.case_manager.email)
    for _ in range(5):
        response = client.post(reverse("sign-in-code"), {"code": "000000"})
    assert response.url == reverse("sign-in")
    assert client.post(reverse("sign-in-code"), {"code": "000000"}).url == reverse("sign-in")


def test_an_organization_can_require_two_factor(client, personas: Personas) -> None:
    personas.agency.require_two_factor = True
    personas.agency.save()
    client.force_login(personas.case_manager)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("two-factor-setup")
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    user = User.objects.get(pk=personas.case_manager.pk)
    code = pyotp.TOTP(user.totp_secret).now()
    assert client.post(reverse("two-factor-setup"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_setup_code_keeps_two_factor_off(client, personas: Personas) -> None:
    client.force_login(personas.case_manager)
    client.get(reverse("two-factor-setup"))
    response = client.post(reverse("two-factor-setup"), {"code": "123"})
    assert "did not match" in response.content.decode()
    personas.case_manager.refresh_from_db()
    assert not personas.case_manager.has_two_factor


@override_settings(CASEWORK_IDLE_TIMEOUT_MINUTES=1)
def test_an_idle_session_is_signed_out(client, personas: Personas) -> None:
    client.force_login(personas.case_manager)
    assert client.get(reverse("account")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 120
    session.save()
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("sign-in"))
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post_and_ends_the_session(client, personas: Personas) -> None:
    client.force_login(personas.case_manager)
    assert client.get(reverse("sign-out")).status_code == 405
    response = client.post(reverse("sign-out"))
    assert response.url == reverse("sign-in")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.sign_out").exists()


def test_the_signed_out_message_is_announced_without_breaking_the_page_structure(
    client, personas: Personas
) -> None:
    # A live-region role on a list item takes it out of its list (axe-core's "list" rule,
    # issue 12): each message is a paragraph that carries its own role.
    client.force_login(personas.case_manager)
    page = client.post(reverse("sign-out"), follow=True).content.decode()
    assert '<p class="notice notice--success" role="status">You are signed out.</p>' in page
    assert 'class="messages"' in page
    assert "<li" not in page.split('class="messages"')[1].split("</div>")[0]


def test_password_reset_emails_a_working_link(
    client, personas: Personas, django_capture_on_commit_callbacks, run_tasks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password-reset"), {"email": personas.case_manager.email})
    assert response.url == reverse("password-reset-done")
    run_tasks()
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/set/" in line)
    path = link[link.index("/password/set/") :]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "a brand new long passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.url == reverse("password-reset-complete")
    personas.case_manager.refresh_from_db()
    assert personas.case_manager.check_password(new)
    # The link works once.
    assert "expired" in client.get(path, follow=True).content.decode()


def test_password_reset_does_not_reveal_unknown_addresses(
    client, personas: Personas, django_capture_on_commit_callbacks, run_tasks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password-reset"), {"email": "nobody@nowhere.test"})
    assert response.url == reverse("password-reset-done")
    run_tasks()
    assert mail.outbox == []


def test_account_page_creates_shows_once_and_revokes_a_token(client, personas: Personas) -> None:
    client.force_login(personas.case_manager)
    response = client.post(reverse("token-create"), {"name": "reporting"})
    body = response.content.decode()
    assert response.status_code == 200
    token = personas.case_manager.api_tokens.get()
    assert "cw_" + token.prefix in body
    assert "Copy it now" in body
    again = client.get(reverse("account")).content.decode()
    assert "Copy it now" not in again
    client.post(reverse("token-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_without_a_name_is_refused_with_the_field_named(client, personas) -> None:
    client.force_login(personas.case_manager)
    response = client.post(reverse("token-create"), {"name": ""})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    assert not personas.case_manager.api_tokens.exists()


def test_nobody_can_revoke_someone_elses_token_from_the_account_page(client, personas) -> None:
    from casework.core import services

    token, _secret = services.api_token_create(actor=personas.colleague, name="theirs")
    client.force_login(personas.case_manager)
    assert client.post(reverse("token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

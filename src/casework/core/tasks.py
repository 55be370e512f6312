"""Background work of the core app (Django Tasks, run by ``casework worker``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from .models import User


@task()
def send_password_link(user_id: int, invitation: bool, base_url: str) -> None:
    """Email a set-password link; a deactivated or deleted account gets nothing."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        _email_password_link(user=user, invitation=invitation, base_url=base_url)


def _email_password_link(*, user: User, invitation: bool, base_url: str) -> None:
    """Email a one-time link to set a password (for invitations and resets)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "user": user,
        "link": (base_url or getattr(settings, "CASEWORK_BASE_URL", "http://127.0.0.1:8000"))
        + path,
        "invitation": invitation,
    }
    subject = _("Welcome to Casework") if invitation else _("Reset your Casework password")
    body = render_to_string("registration/password_link_email.txt", context)
    send_mail(subject, body, None, [user.email])

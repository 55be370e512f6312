"""Background work of the core app (Django Tasks, run by ``casework worker``)."""

from __future__ import annotations

from django_tasks import task

from .models import User


@task()
def send_password_link(user_id: int, invitation: bool, base_url: str) -> None:
    """Email a set-password link; a deactivated or deleted account gets nothing."""
    from .services import send_password_link as send

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        send(user=user, invitation=invitation, base_url=base_url)

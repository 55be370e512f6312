"""Background work of referrals (Django Tasks, run by ``casework worker``).

The provider's secure link goes by email from here, once the referral (or the link) is
committed. The email says only that a referral is waiting and where to open it: nothing
of the client, whatever the consent covers, since an email is not a secure channel. The
client's consented information is behind the link, where every view of it is checked
against the consent and recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from casework.core import audit
from casework.core.models import StaffProfile

from .models import ReferralLink, token_hash


@task()
def email_referral_link(link_id: int, base_url: str) -> None:
    """Email a secure link to its referral's provider.

    Nothing is sent for a link that no longer works (revoked, expired, the referral
    closed or cancelled) or when the provider's address is no longer known. The link's
    secret is derived again here (``ReferralLink.token``), never passed through the queue.
    """
    link = (
        ReferralLink.objects.select_related(
            "referral__organization",
            "referral__service",
            "referral__provider",
            "referral__case__case_manager__staff_profile",
            "referral__created_by__staff_profile",
        )
        .filter(pk=link_id)
        .first()
    )
    if link is None or not link.is_usable():
        return
    referral = link.referral
    address = referral.link_email
    token = link.token()
    if not address or token_hash(token) != link.token_hash:
        # No address any more, or a link made by hand before its secret was derived
        # (or under another secret key): the case manager passes that one on.
        return
    manager = referral.case.case_manager or referral.created_by
    try:
        profile: StaffProfile | None = manager.staff_profile
    except StaffProfile.DoesNotExist:
        profile = None
    base = base_url or getattr(settings, "CASEWORK_BASE_URL", "http://127.0.0.1:8000")
    context = {
        "agency": referral.organization.name,
        "provider": referral.provider.name,
        "link": base.rstrip("/") + reverse("referral-link", args=[token]),
        "expires_at": timezone.localtime(link.expires_at),
        "case_manager": manager.get_full_name() or manager.email,
        "case_manager_email": manager.email,
        "case_manager_phone": profile.phone if profile is not None else "",
    }
    subject = _("A referral from %(agency)s is waiting for you") % {"agency": context["agency"]}
    body = render_to_string("referrals/email/link.txt", context)
    send_mail(subject, body, None, [address])
    audit.record(
        action="referral.link_email",
        actor=None,
        organization=referral.organization_id,
        target=referral,
        client_id=referral.client_id,
        changes={"link_id": link.pk},
    )

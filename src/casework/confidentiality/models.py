"""Break-glass grants: emergency access to a record someone would not normally see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.clients.models import Client
from casework.core.models import Organization


class BreakGlassGrant(models.Model):
    """One person's emergency access to one client's record, for a limited time.

    Read-only access to the client and every case of theirs (see casework.access), granted
    after the person gave a reason; the grant itself is audited and alerts the privacy
    officers. Rows are never deleted: they are the history the privacy officer reads.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField(_("reason"))
    client_was_restricted = models.BooleanField(default=False)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "user", "expires_at"]),
            models.Index(fields=["organization", "client", "granted_at"]),
        ]

    def __str__(self) -> str:
        return f"break-glass #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()

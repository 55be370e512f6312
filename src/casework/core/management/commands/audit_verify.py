"""``casework audit-verify``: recompute every audit chain and report any break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.core import audit
from casework.core.models import AuditChainHead, AuditEvent


class Command(BaseCommand):
    help = "Check that the audit log is complete and unchanged; exit 1 on any break."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = 0
        for problem in audit.verify():
            problems += 1
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"Audit log broken: {problems} problem(s) found.", returncode=1)
        events = AuditEvent.objects.count()
        chains = AuditChainHead.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"Audit log intact: {events} events in {chains} chains")
        )

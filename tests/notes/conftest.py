from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casework.clients.models import Case
from casework.core.models import User
from casework.notes import services
from casework.notes.models import Note
from casework.notes.services import NoteFields


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def fields(text: str = "Met at the office; talked about the lease.", **kw: Any) -> NoteFields:
    values: dict[str, Any] = {
        "contact_type": "face_to_face",
        "contact_at": timezone.now() - timedelta(hours=2),
        "duration_minutes": 45,
        "sections": {"body": text},
    }
    values.update(kw)
    return NoteFields(**values)


def draft(user: User, case: Case, text: str = "First draft.", **kw: Any) -> Note:
    return services.note_create(actor=user, case=case, fields=fields(text, **kw))


def signed(user: User, case: Case, text: str = "Signed note.", **kw: Any) -> Note:
    note = draft(user, case, text, **kw)
    return services.note_sign(actor=user, note=note, expected_version=note.version)


def approved_goal(case: Case, user: User, words: str = "I want my own place.") -> Any:
    from casework.plans.models import Goal, PlanStatus, ServicePlan

    plan = ServicePlan.objects.create(
        organization=case.organization, case=case, status=PlanStatus.APPROVED, created_by=user
    )
    return Goal.objects.create(
        organization=case.organization, plan=plan, case=case, client_words=words
    )

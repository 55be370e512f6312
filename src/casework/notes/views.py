"""Pages for notes."""

from __future__ import annotations

from typing import Any

from casework.clients.models import Case
from casework.core.models import User


def case_section_context(user: User, case: Case) -> dict[str, Any]:
    """For the case page's notes section (``notes/_case_section.html``)."""
    return {}

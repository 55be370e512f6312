"""REST API for notes: a django-ninja router mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["notes"])

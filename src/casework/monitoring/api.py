"""REST API for monitoring: a django-ninja router mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["monitoring"])

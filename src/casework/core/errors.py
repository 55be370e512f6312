"""Errors that services raise; views and the API turn them into responses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

__all__ = ["ConflictError", "Http404", "NotFound", "PermissionDenied", "ValidationError"]


class NotFound(Http404):
    """The object does not exist *for this user*: never says whether it exists at all."""


class ConflictError(Exception):
    """Someone else saved the same record since it was loaded (optimistic concurrency)."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version

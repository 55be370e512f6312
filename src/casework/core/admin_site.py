"""Django's admin, opened to agency admins only (and still bound by staff flags)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from . import permissions


class CaseworkAdminSite(admin.AdminSite):
    site_header = "Casework — Django admin"
    site_title = "Casework admin"
    index_title = "Low-level administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_authenticated and permissions.can_use_django_admin(user))


admin_site = CaseworkAdminSite(name="django-admin")
admin_site.register(Group)

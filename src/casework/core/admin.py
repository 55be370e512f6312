"""Django admin: read-only inspection. Every change goes through the services.

Models are registered on Casework's own ``admin_site``; Django's autodiscover
imports this module, which is all the registration needs. Each admin only
shows rows of the signed-in person's organization.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from .admin_site import admin_site
from .models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    Organization,
    Program,
    StaffProfile,
    Team,
    TeamMembership,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Look, never touch: the admin bypasses services, audit and concurrency checks."""

    # The field that ties a row to its organization; "" for the Organization itself.
    organization_field = "organization"
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    # Whoever passes the site's gate (an agency admin with staff status) may look at
    # agency configuration; case content and the audit log use ``PermissionGatedAdmin``.
    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        organization_id = getattr(request.user, "organization_id", None)
        if organization_id is None:
            # Only a superuser outside every agency (the installation's operator) sees all.
            return queryset if getattr(request.user, "is_superuser", False) else queryset.none()
        if not self.organization_field:
            return queryset.filter(pk=organization_id)
        return queryset.filter(**{f"{self.organization_field}_id": organization_id})


class PermissionGatedAdmin(ReadOnlyAdmin):
    """Client data and the audit log: the agency admin role alone does not show them
    (see the access policy); Django's view permission does (superusers have it)."""

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return admin.ModelAdmin.has_view_permission(self, request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin.ModelAdmin.has_module_permission(self, request)


@admin.register(Organization, site=admin_site)
class OrganizationAdmin(ReadOnlyAdmin):
    organization_field = ""
    list_display = ("name", "slug", "kind", "require_two_factor", "is_active", "created_at")


@admin.register(Program, site=admin_site)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "capacity", "is_active", "version")
    list_filter = ("is_active",)
    search_fields = ("name", "code")


@admin.register(Team, site=admin_site)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "program", "is_active", "version")
    list_select_related = ("program",)
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(TeamMembership, site=admin_site)
class TeamMembershipAdmin(ReadOnlyAdmin):
    list_display = ("team", "user", "role", "created_at")
    list_select_related = ("team", "user")
    list_filter = ("role",)


@admin.register(User, site=admin_site)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    # Never the password hash or the authenticator secret.
    fields = (
        "email",
        "first_name",
        "last_name",
        "organization",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "totp_confirmed_at",
        "locked_until",
    )


@admin.register(StaffProfile, site=admin_site)
class StaffProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "job_title", "roles", "caseload_capacity", "version")
    list_select_related = ("user",)


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    fields = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(PermissionGatedAdmin):
    list_display = (
        "occurred_at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "client_id",
        "ip_address",
    )
    # The log is large: no filters that scan it for distinct values.
    search_fields = ("=action", "=object_id", "=request_id")
    ordering = ("-occurred_at",)


@admin.register(AuditChainHead, site=admin_site)
class AuditChainHeadAdmin(PermissionGatedAdmin):
    list_display = ("chain", "sequence", "hash")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        organization_id = getattr(request.user, "organization_id", None)
        if organization_id is None and getattr(request.user, "is_superuser", False):
            return queryset
        return (
            queryset.filter(organization_id=organization_id) if organization_id else queryset.none()
        )

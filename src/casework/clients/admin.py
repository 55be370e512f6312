"""Django admin for clients and cases: read-only, and only ids on lists.

Reading a client's personal details is logged like anywhere else: the detail
page records ``client.view`` via the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from casework.core.admin import PermissionGatedAdmin
from casework.core.admin_site import admin_site

from . import services
from .models import Case, CaseAssignment, Client


@admin.register(Client, site=admin_site)
class ClientAdmin(PermissionGatedAdmin):
    # Ids only on the list: names would be a read of personal data that nothing logs.
    list_display = ("id", "organization", "preferred_language", "version", "updated_at")
    list_select_related = ("organization",)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        client = self.get_object(request, object_id)
        if client is not None:
            services.client_record_viewed(
                actor=request.user,  # type: ignore[arg-type]
                client=client,
                via="django-admin",
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Case, site=admin_site)
class CaseAdmin(PermissionGatedAdmin):
    list_display = ("reference", "client_id", "program", "team", "status", "opened_on", "version")
    list_select_related = ("program", "team")
    list_filter = ("status",)
    search_fields = ("=reference",)
    # The client's name would be shown (and not logged); its id is enough here.
    exclude = ("client",)
    readonly_fields = ("client_id",)


@admin.register(CaseAssignment, site=admin_site)
class CaseAssignmentAdmin(PermissionGatedAdmin):
    list_display = ("case", "case_manager", "team", "started_at", "ended_at")
    list_select_related = ("case", "case_manager", "team")

"""Referrals in Django's admin: read-only, ids and statuses only (no reasons, notes or names)."""

from __future__ import annotations

from django.contrib import admin

from casework.core.admin import PermissionGatedAdmin
from casework.core.admin_site import admin_site

from .models import Referral, ReferralEvent


@admin.register(Referral, site=admin_site)
class ReferralAdmin(PermissionGatedAdmin):
    list_display = ("id", "organization", "case_id", "status", "sent_at", "answer_due_on")
    list_filter = ("status", "urgency")
    list_select_related = ("organization",)
    fields = ("organization", "case_id", "status", "sent_at", "answer_due_on", "closed_at")
    readonly_fields = fields


@admin.register(ReferralEvent, site=admin_site)
class ReferralEventAdmin(PermissionGatedAdmin):
    list_display = ("id", "organization", "referral_id", "status", "via", "happened_on")
    list_filter = ("status", "via")
    list_select_related = ("organization",)
    fields = ("organization", "referral_id", "status", "via", "happened_on", "recorded_at")
    readonly_fields = fields

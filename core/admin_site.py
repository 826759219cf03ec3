"""Django's admin, for the portal's superusers alone."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class PortalAdminSite(admin.AdminSite):
    """The admin edits users, their groups and rows of every unit without the portal's unit scope
    (bureau.permissions): it is for the superusers of the city's IT office. Administrators of a jurisdiction,
    even marked as staff, work through the portal's own pages, which keep them within it."""

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class PortalAdminConfig(AdminConfig):
    default_site = "core.admin_site.PortalAdminSite"

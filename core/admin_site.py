"""Django's admin: the superusers' tool, and for administrators the few lists the portal has no page for."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SuperusersOnly:
    """Mixed into every ModelAdmin that does not say `open_to_administrators = True`: the admin edits users,
    their groups and rows of every unit without the portal's unit scope (bureau.permissions), so only the
    superusers of the city's IT office may use it there."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser and super().has_module_permission(request))  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser and super().has_view_permission(request, obj))  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_superuser and super().has_add_permission(request, *args))  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser and super().has_change_permission(request, obj))  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser and super().has_delete_permission(request, obj))  # type: ignore[misc]


class PortalAdminSite(admin.AdminSite):
    """Superusers see everything. Administrators (the role, marked as staff) reach only the lists kept here
    for want of a page of their own (the joint meeting's membership, the policy fields), whose saves go
    through the services and their checks."""

    site_header = _("Network Economy Development Bureau portal: administration")
    site_title = _("Portal administration")
    index_title = _("Data administration")

    def has_permission(self, request: HttpRequest) -> bool:
        # Imported here: this module is loaded with the app registry, before the models are.
        from bureau.permissions import has_role
        from bureau.roles import Role

        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or has_role(user, Role.ADMIN)))

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "open_to_administrators", False):
            admin_class = type(
                admin_class.__name__, (SuperusersOnly, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "core.admin_site.PortalAdminSite"

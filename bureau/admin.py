from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import AdminPasswordChangeForm
from .models import Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "is_active", "is_staff"]
    list_select_related = ["unit"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Organisation"), {"fields": ("full_name", "unit")}))
    readonly_fields = ["two_factor_reset_at"]
    change_password_form = AdminPasswordChangeForm
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (the user enrols again)"), permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        done = 0
        for user in queryset:
            try:
                services.two_factor_reset(user=user, actor=actor)
            except PermissionDenied:
                self.message_user(
                    request, _("You may not reset %(user)s.") % {"user": user.username}, level=messages.ERROR
                )
                continue
            done += 1
        if done:
            message = ngettext(
                "Two-factor sign-in was reset for %(n)d user.", "Two-factor sign-in was reset for %(n)d users.", done
            )
            self.message_user(request, message % {"n": done}, level=messages.SUCCESS)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Two-factor sign-in"), {"fields": ("two_factor_reset_at",)}))


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["name", "code", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "code"]

"""The membership is kept by administrators in Django's admin; every save goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.models import User

from . import services
from .models import Membership


class MembershipForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["unit", "representative", "representative_name", "deputy", "deputy_name", "joined_on", "left_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit") and data.get("joined_on"):
            services.membership_check_seat(
                unit=data["unit"], joined_on=data["joined_on"], left_on=data.get("left_on"),
                exclude_pk=self.instance.pk,
            )  # fmt: skip
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    open_to_administrators = True  # core.admin_site: no portal page keeps the membership
    form = MembershipForm
    list_display = ["unit", "representative_column", "deputy_column", "joined_on", "left_on"]
    list_select_related = ["unit", "representative", "deputy"]
    list_filter = ["left_on"]

    @admin.display(description=_("representative"))
    def representative_column(self, obj: Membership) -> str:
        return obj.representative_label

    @admin.display(description=_("deputy"))
    def deputy_column(self, obj: Membership) -> str:
        return obj.deputy_label

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["unit", "joined_on"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm[Membership], change: bool
    ) -> None:
        actor = request.user if isinstance(request.user, User) else None
        data = {k: v for k, v in form.cleaned_data.items() if k in services.MEMBERSHIP_FIELDS}
        if change:
            saved = services.membership_update(actor=actor, membership=obj, **data)
        else:
            saved = services.membership_add(
                actor=actor, unit=form.cleaned_data["unit"], joined_on=form.cleaned_data["joined_on"], **data
            )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False  # a unit leaves on a date; past meetings keep who was a member then

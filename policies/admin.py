from django.contrib import admin

from .models import PolicyField


@admin.register(PolicyField)
class PolicyFieldAdmin(admin.ModelAdmin[PolicyField]):
    """The managed list of fields; policies themselves change only through the catalogue's workflow."""

    open_to_administrators = True  # core.admin_site: no portal page keeps the list of fields

    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]

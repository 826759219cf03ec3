"""Read-only views of the data center for administrators: every change goes through the pages and services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DataSet, Enterprise, Indicator, IngestionJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DataSet)
class DataSetAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "owner_unit", "sensitivity", "record_count"]
    list_filter = ["sensitivity", "frequency"]
    list_select_related = ["owner_unit"]
    search_fields = ["code", "name"]


@admin.register(IngestionJob)
class IngestionJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "dataset", "original_name", "status", "rows_read", "rows_rejected", "created_at"]
    list_filter = ["status"]
    list_select_related = ["dataset"]
    exclude = ["file"]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["credit_code", "name", "county", "industry", "size_class"]
    list_filter = ["size_class", "industry"]
    search_fields = ["credit_code", "name"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "dataset", "aggregation", "computed_at"]
    list_select_related = ["dataset"]

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.urls import reverse
from rest_framework import serializers

from bureau.models import Unit

from ..models import DataSet, DataSetShare, Enterprise, Indicator, IndicatorValue, IngestionJob


class DataSetSerializer(serializers.ModelSerializer[DataSet]):
    schema = serializers.SerializerMethodField()

    class Meta:
        model = DataSet
        fields = ["id", "code", "name", "description", "owner_unit", "frequency", "sensitivity", "reject_threshold",
                  "record_count", "schema"]  # fmt: skip

    def get_schema(self, obj: DataSet) -> dict[str, Any] | None:
        schema = obj.current_schema
        if schema is None:
            return None
        return {"version": schema.version, "fields": schema.fields, "natural_key": list(schema.natural_key)}


class DataSetShareSerializer(serializers.ModelSerializer[DataSetShare]):
    unit_name = serializers.CharField(source="unit.full_name", read_only=True)
    shared_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = DataSetShare
        fields = ["unit", "unit_name", "shared_by", "created_at"]


class ShareRequestSerializer(serializers.Serializer[Any]):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())


class IngestionJobSerializer(serializers.ModelSerializer[IngestionJob]):
    url = serializers.SerializerMethodField()
    error_report = serializers.SerializerMethodField()
    schema_version = serializers.IntegerField(source="schema_version.version", read_only=True)

    class Meta:
        model = IngestionJob
        fields = ["id", "url", "dataset", "schema_version", "status", "phase", "original_name", "declared_format",
                  "encoding", "size_bytes", "checksum", "bytes_read", "rows_read", "rows_expected", "rows_inserted",
                  "rows_updated", "rows_unchanged", "rows_rejected", "rows_duplicate", "error", "duplicate_of",
                  "attempts", "created_at", "started_at", "finished_at", "duration_seconds",
                  "error_report"]  # fmt: skip
        read_only_fields = fields

    def get_url(self, obj: IngestionJob) -> str:
        return self._absolute(reverse("api:ingestion-job-detail", args=[obj.pk]))

    def get_error_report(self, obj: IngestionJob) -> str:
        return self._absolute(reverse("api:ingestion-job-errors", args=[obj.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RecordSerializer(serializers.Serializer[Any]):
    """One record of a data set (datacenter.storage.RecordRow): its natural key and typed values."""

    key = serializers.CharField(read_only=True, help_text="The natural key's values joined by U+001F.")
    payload = serializers.JSONField(source="values", read_only=True)
    enterprise = serializers.CharField(read_only=True, allow_null=True, help_text="The credit code it names.")
    line = serializers.IntegerField(read_only=True)
    job = serializers.IntegerField(read_only=True)
    first_loaded_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class EnterpriseSerializer(serializers.ModelSerializer[Enterprise]):
    class Meta:
        model = Enterprise
        fields = ["credit_code", "name", "county", "home_unit", "industry", "employees", "revenue", "size_class",
                  "chain_segment", "fields", "updated_at"]  # fmt: skip


class ProfileSectionSerializer(serializers.Serializer[Any]):
    """One app's section of the enterprise profile (datacenter.registry); records in `data` as {"id", "name"}."""

    key = serializers.CharField()
    title = serializers.CharField()
    template = serializers.CharField()
    data = serializers.JSONField()  # type: ignore[assignment]  # DRF takes declared fields off the class


class EnterpriseProfileSerializer(serializers.Serializer[Any]):
    enterprise = EnterpriseSerializer()
    sections = ProfileSectionSerializer(many=True)


def as_json(value: Any) -> Any:
    """A profile section's data for the API: records become {"id", "name"}, dates and amounts strings."""
    if isinstance(value, Model):
        return {"id": value.pk, "name": str(value)}
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json(item) for item in value]
    if isinstance(value, datetime.date | Decimal):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return value


class IndicatorValueSerializer(serializers.ModelSerializer[IndicatorValue]):
    class Meta:
        model = IndicatorValue
        fields = ["period", "county", "value"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "dataset", "aggregation", "value_field", "date_field", "county_field",
                  "unit_label", "computed_at"]  # fmt: skip

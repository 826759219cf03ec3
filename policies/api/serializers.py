from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.search import highlight

from .. import registry, selectors
from ..models import Interpretation, LegacyPolicy, Policy, PolicyAttachment


class VersionSerializer(serializers.ModelSerializer[Policy]):
    class Meta:
        model = Policy
        fields = ["id", "version", "status", "document_number", "published_on", "effective_on", "ended_on"]


class PolicySerializer(serializers.ModelSerializer[Policy]):
    issuing_authority_name = serializers.CharField(source="issuing_authority.name", read_only=True)
    field_codes: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="fields", slug_field="code", many=True, read_only=True
    )
    rank = serializers.SerializerMethodField()
    highlight = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = [
            "id", "lineage", "version", "title", "document_number", "issuing_authority", "issuing_authority_name",
            "written_on", "published_on", "effective_on", "expires_on", "ended_on", "tier", "master", "segments",
            "field_codes", "topic", "keywords", "status", "rank", "highlight",
        ]  # fmt: skip

    def get_rank(self, obj: Policy) -> float | None:
        rank = getattr(obj, "rank", None)
        return round(float(rank), 6) if rank is not None else None

    def get_highlight(self, obj: Policy) -> str | None:
        request = self.context.get("request")
        q = request.query_params.get("q", "").strip() if request is not None else ""
        return str(highlight(obj.full_text, q)) if q else None


class InterpretationSerializer(serializers.ModelSerializer[Interpretation]):
    class Meta:
        model = Interpretation
        fields = ["id", "title", "published_on", "body"]


class AttachmentSerializer(serializers.ModelSerializer[PolicyAttachment]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = PolicyAttachment
        fields = ["id", "name", "size", "url"]

    def get_url(self, obj: PolicyAttachment) -> str:
        return reverse("policies:attachment-download", args=[obj.pk])


class LegacyPolicySerializer(serializers.ModelSerializer[LegacyPolicy]):
    issuing_authority_name = serializers.CharField(source="issuing_authority.name", read_only=True)

    class Meta:
        model = LegacyPolicy
        fields = ["id", "title", "document_number", "issuing_authority", "issuing_authority_name", "issued_on",
                  "disposition", "target"]  # fmt: skip


class PolicyDetailSerializer(PolicySerializer):
    versions = serializers.SerializerMethodField()
    interpretations = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    legacy_policies = serializers.SerializerMethodField()
    linked = serializers.SerializerMethodField()

    class Meta(PolicySerializer.Meta):
        fields = [*PolicySerializer.Meta.fields, "full_text", "replaced_by", "repealing_document", "versions",
                  "interpretations", "attachments", "legacy_policies", "linked"]  # fmt: skip

    def _user(self) -> Any:
        return self.context["request"].user

    def get_versions(self, obj: Policy) -> list[dict[str, Any]]:
        return list(VersionSerializer(selectors.policy_versions(user=self._user(), policy=obj), many=True).data)

    def get_interpretations(self, obj: Policy) -> list[dict[str, Any]]:
        rows = selectors.policy_interpretations(user=self._user(), policy=obj)
        return list(InterpretationSerializer(rows, many=True).data)

    def get_attachments(self, obj: Policy) -> list[dict[str, Any]]:
        return list(AttachmentSerializer(selectors.policy_attachments(user=self._user(), policy=obj), many=True).data)

    def get_legacy_policies(self, obj: Policy) -> list[dict[str, Any]]:
        rows = selectors.legacy_replaced_by(user=self._user(), policy=obj)
        return list(LegacyPolicySerializer(rows, many=True).data)

    def get_linked(self, obj: Policy) -> list[dict[str, Any]]:
        return [
            {"key": s.key, "title": s.title, "items": [{"label": i.label, "url": i.url} for i in s.items]}
            for s in registry.policy_sections(policy=obj, user=self._user())
        ]


@extend_schema_field(OpenApiTypes.INT)
class ReadablePolicyField(serializers.PrimaryKeyRelatedField[Policy]):
    """A policy the requesting user reads: any other id is a 400 on this field, not a 404."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return selectors.policy_list(user=request.user) if request is not None else Policy.objects.none()


class RepealSerializer(serializers.Serializer[Any]):
    replaced_by = ReadablePolicyField(required=False, allow_null=True)
    repealing_document = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=255,  # the model field's
    )
    on = serializers.DateField(required=False, allow_null=True)


class CoverageQuerySerializer(serializers.Serializer[Any]):
    as_of = serializers.DateField(required=False)

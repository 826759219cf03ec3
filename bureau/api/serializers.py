from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors
from ..models import ApiToken, Appointment, Person, Post, Transfer, TransferStep, Unit, User


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = [
            "id", "code", "name", "short_name", "kind", "level", "division_type", "parent", "depth",
            "headcount_min", "headcount_max", "sort_order", "is_active", "established_on", "dissolved_on",
        ]  # fmt: skip
        read_only_fields = ["depth"]


class PostSerializer(serializers.ModelSerializer[Post]):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "unit", "unit_name", "title", "is_leadership", "max_holders", "sort_order"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = ["id", "name", "home_unit", "title", "phone", "email", "notes"]


class PlacementSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    works_in = serializers.IntegerField(source="placement.works_in.pk")
    paid_by = serializers.IntegerField(source="placement.paid_by.pk")
    assessed_by = serializers.IntegerField(source="placement.assessed_by.pk")
    transfer = serializers.IntegerField(source="placement.transfer.pk", allow_null=True, default=None)
    phase = serializers.CharField(source="placement.phase", allow_null=True)


class AppointmentSerializer(serializers.ModelSerializer[Appointment]):
    person_name = serializers.CharField(source="person.name", read_only=True)
    post_title = serializers.CharField(source="post.title", read_only=True)
    unit = serializers.IntegerField(source="post.unit_id", read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id", "person", "person_name", "post", "post_title", "unit", "start_date", "end_date",
            "is_concurrent", "on_behalf_of", "note",
        ]  # fmt: skip


class AppointmentEndSerializer(serializers.Serializer[Any]):
    end_date = serializers.DateField(label=_("End date"))


class TransferStepSerializer(serializers.ModelSerializer[TransferStep]):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = TransferStep
        fields = ["from_status", "to_status", "effective_date", "actor", "note", "created_at"]


@extend_schema_field(OpenApiTypes.INT)
class ReadablePersonField(serializers.PrimaryKeyRelatedField[Person]):
    """A person the requesting user reads: any other id is a 400 on this field, not a 404."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return selectors.person_list(user=request.user) if request is not None else Person.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class TransferDivisionField(serializers.PrimaryKeyRelatedField[Unit]):
    """A division whose people the requesting user may transfer: any other id is a 400 on this field."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return selectors.transfer_divisions(user=request.user) if request is not None else Unit.objects.none()


class TransferSerializer(serializers.ModelSerializer[Transfer]):
    steps = TransferStepSerializer(many=True, read_only=True)
    person = ReadablePersonField(label=_("Person"))
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "person", "person_name", "from_unit", "to_unit", "status", "batch", "planned_on", "virtual_on",
            "physical_on", "completed_on", "cancelled_on", "reason", "quota_override_reason", "steps",
        ]  # fmt: skip
        read_only_fields = [
            "from_unit", "status", "batch", "virtual_on", "physical_on", "completed_on", "cancelled_on", "steps",
        ]  # fmt: skip


class TransferPlanDivisionSerializer(serializers.Serializer[Any]):
    division = TransferDivisionField(label=_("Division"))
    to_unit = serializers.PrimaryKeyRelatedField(label=_("Transfer into"), queryset=Unit.objects.all())
    planned_on = serializers.DateField(label=_("Planned on"))
    reason = serializers.CharField(label=_("Reason"), required=False, allow_blank=True, default="")
    quota_override_reason = serializers.CharField(
        label=_("Headcount override reason"), required=False, allow_blank=True, default=""
    )


class TransferAdvanceSerializer(serializers.Serializer[Any]):
    effective_date = serializers.DateField(label=_("Effective date"), required=False, allow_null=True)
    note = serializers.CharField(label=_("Note"), required=False, allow_blank=True, default="")
    quota_override_reason = serializers.CharField(
        label=_("Headcount override reason"), required=False, allow_blank=True, default=""
    )


class TransferCancelSerializer(serializers.Serializer[Any]):
    effective_date = serializers.DateField(label=_("Effective date"))
    reason = serializers.CharField(label=_("Reason"))


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A department API token as administrators see it: never its secret (the portal keeps only a hash)."""

    user = serializers.PrimaryKeyRelatedField(label=_("Account"), queryset=User.objects.filter(is_active=True))

    class Meta:
        model = ApiToken
        fields = [
            "id", "name", "user", "prefix", "expires_on", "created_at", "created_by", "last_used_at",
            "revoked_at", "revoked_by", "replaced_by",
        ]  # fmt: skip
        read_only_fields = [
            "prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by", "replaced_by",
        ]  # fmt: skip


class IssuedApiTokenSerializer(ApiTokenSerializer):
    """A token just issued, with its secret: this answer is the only place the secret appears."""

    secret = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]

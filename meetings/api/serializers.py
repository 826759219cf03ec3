from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bureau.models import Unit

from ..choices import (
    ActionStatus,
    AgendaItemKind,
    AgendaItemStatus,
    AttendanceStatus,
    MeetingStatus,
    MinutesStatus,
    Outcome,
)
from ..models import (
    ActionItem,
    AgendaAttachment,
    AgendaItem,
    Attendance,
    Brief,
    ItemSummary,
    Meeting,
    Minutes,
    MinutesComment,
    ProgressPost,
)


def choice(enum: type[models.TextChoices], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose values the schema lists inline (not as a named enum component), so the
    many `status` fields of different state machines never clash by name in the OpenAPI schema."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": list(enum.values)}]})
    class Field(serializers.ChoiceField):
        pass

    return Field(choices=enum.choices, **kwargs)


class AttachmentSerializer(serializers.ModelSerializer[AgendaAttachment]):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AgendaAttachment
        fields = ["id", "name", "size", "download_url"]

    def get_download_url(self, obj: AgendaAttachment) -> str:
        return f"/meetings/attachments/{obj.pk}/"


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    kind = choice(AgendaItemKind, read_only=True)
    status = choice(AgendaItemStatus, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    upload = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "id", "meeting", "kind", "unit", "title", "background", "request", "status", "position",
            "carried_action", "attachments", "upload", "created_at",
        ]  # fmt: skip
        read_only_fields = ["kind", "status", "position", "carried_action", "created_at"]


class AttendanceSerializer(serializers.ModelSerializer[Attendance]):
    status = choice(AttendanceStatus)

    class Meta:
        model = Attendance
        fields = ["id", "meeting", "unit", "status", "attendee_name", "absence_reason"]
        read_only_fields = ["meeting"]


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    status = choice(MeetingStatus, read_only=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    minutes = serializers.PrimaryKeyRelatedField[Minutes](many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id", "number", "title", "date", "start_time", "end_time", "place", "online_url", "convening_unit",
            "recording_unit", "agenda_deadline", "status", "invited_at", "minutes_due_on", "agenda", "attendance",
            "minutes",
        ]  # fmt: skip
        read_only_fields = ["status", "invited_at", "minutes_due_on"]
        extra_kwargs = {"number": {"required": False, "validators": []}}


class MeetingListSerializer(MeetingSerializer):
    class Meta(MeetingSerializer.Meta):
        fields = [f for f in MeetingSerializer.Meta.fields if f not in ("agenda", "attendance", "minutes")]


class TransitionSerializer(serializers.Serializer[None]):
    """No input: the step is named by the action."""


class MeetingTransitionSerializer(serializers.Serializer[None]):
    to = choice(MeetingStatus)


class MinutesTransitionSerializer(serializers.Serializer[None]):
    to = choice(MinutesStatus)
    comment_deadline = serializers.DateTimeField(required=False)


class AttendanceInputSerializer(serializers.Serializer[None]):
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    status = choice(AttendanceStatus)
    attendee_name = serializers.CharField(required=False, allow_blank=True, default="")
    absence_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReorderSerializer(serializers.Serializer[None]):
    order = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class DecideSerializer(serializers.Serializer[None]):
    status = choice(AgendaItemStatus)


class ItemSummarySerializer(serializers.ModelSerializer[ItemSummary]):
    outcome = choice(Outcome)

    class Meta:
        model = ItemSummary
        fields = ["id", "agenda_item", "summary", "outcome", "owner_unit", "due_on", "expected_result"]


class ItemInputSerializer(serializers.Serializer[None]):
    agenda_item = serializers.PrimaryKeyRelatedField(queryset=AgendaItem.objects.all())
    summary = serializers.CharField()
    outcome = choice(Outcome, default=Outcome.INFORMATION)
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    expected_result = serializers.CharField(required=False, allow_blank=True, default="")


class CommentSerializer(serializers.ModelSerializer[MinutesComment]):
    class Meta:
        model = MinutesComment
        fields = ["id", "item", "unit", "author", "body", "created_at"]
        read_only_fields = ["unit", "author", "created_at"]


class MinutesSerializer(serializers.ModelSerializer[Minutes]):
    status = choice(MinutesStatus, read_only=True)
    items = ItemSummarySerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = Minutes
        fields = [
            "id", "meeting", "version", "status", "preamble", "reason", "previous", "comment_deadline",
            "circulated_at", "approved_at", "published_at", "items", "comments",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("meeting", "preamble")]


class CorrectionSerializer(serializers.Serializer[None]):
    reason = serializers.CharField()


class ProgressSerializer(serializers.ModelSerializer[ProgressPost]):
    status_after = choice(ActionStatus, read_only=True)

    class Meta:
        model = ProgressPost
        fields = ["id", "author", "body", "status_after", "created_at"]


class ProgressInputSerializer(serializers.Serializer[None]):
    body = serializers.CharField()
    done = serializers.BooleanField(default=False)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class ActionItemSerializer(serializers.ModelSerializer[ActionItem]):
    status = choice(ActionStatus, read_only=True)
    progress = ProgressSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id", "meeting", "agenda_item", "title", "owner_unit", "due_on", "expected_result", "status",
            "evidence", "done_on", "overdue_since", "closed_at", "progress",
        ]  # fmt: skip
        read_only_fields = fields


class BriefSerializer(serializers.ModelSerializer[Brief]):
    class Meta:
        model = Brief
        fields = ["id", "unit", "title", "body", "posted_by", "created_at"]
        read_only_fields = ["posted_by", "created_at"]

"""The joint meeting's API: configuration of the scoped viewsets; each workflow action calls one service."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from bureau.api.viewsets import ScopedGenericViewSet, ScopedReadOnlyViewSet
from bureau.models import User

from .. import selectors, services
from ..filtersets import ActionItemFilterSet, AgendaItemFilterSet, MeetingFilterSet, MinutesFilterSet
from ..models import ActionItem, AgendaItem, Brief, Meeting, Minutes
from . import serializers as s

M = TypeVar("M", bound=Model)


class ReadThroughSelector(ScopedGenericViewSet[M]):
    """Rows come from the app's selector, which adds the members' rule to `restrict()`; services check writes."""

    def get_queryset(self) -> QuerySet[M]:
        return self.select(self.request.user)  # type: ignore[attr-defined]

    def actor(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # the permission classes let only signed-in users through
        return user


def _ok(serializer: type[BaseSerializer[Any]], obj: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(serializer(obj).data, status=code)


class MeetingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet[Meeting], ReadThroughSelector[Meeting]):
    """Meetings with their agenda, attendance and minutes versions."""

    queryset = Meeting.objects.all()
    filterset_class = MeetingFilterSet
    ordering_fields = ["number", "date"]

    @staticmethod
    def select(user: Any) -> QuerySet[Meeting]:
        return selectors.meeting_list(user=user).prefetch_related("agenda__attachments", "attendance", "minutes")

    def get_serializer_class(self) -> type[BaseSerializer[Meeting]]:
        return s.MeetingListSerializer if self.action == "list" else s.MeetingSerializer

    def perform_create(self, serializer: BaseSerializer[Meeting]) -> None:
        serializer.instance = services.meeting_schedule(actor=self.actor(), **serializer.validated_data)

    @extend_schema(request=s.MeetingTransitionSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.MeetingTransitionSerializer)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        data = self._input(s.MeetingTransitionSerializer)
        meeting = services.meeting_transition(actor=self.actor(), meeting=self.get_object(), to=data["to"])
        return _ok(s.MeetingSerializer, self.select(request.user).get(pk=meeting.pk))

    @extend_schema(request=s.AttendanceInputSerializer, responses=s.AttendanceSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.AttendanceInputSerializer)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        row = services.attendance_record(
            actor=self.actor(), meeting=self.get_object(), **self._input(s.AttendanceInputSerializer)
        )
        return _ok(s.AttendanceSerializer, row)

    @extend_schema(request=s.ReorderSerializer, responses=s.MeetingSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ReorderSerializer)
    def reorder(self, request: Request, pk: str | None = None) -> Response:
        """The convenor orders the agenda: `order` lists every agenda item id, first to last."""
        meeting = self.get_object()
        services.agenda_reorder(actor=self.actor(), meeting=meeting, order=self._input(s.ReorderSerializer)["order"])
        return _ok(s.MeetingSerializer, self.select(request.user).get(pk=meeting.pk))

    def _input(self, serializer: type[BaseSerializer[Any]]) -> dict[str, Any]:
        checked = serializer(data=self.request.data)
        checked.is_valid(raise_exception=True)
        return dict(checked.validated_data)


class AgendaItemViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet[AgendaItem], ReadThroughSelector[AgendaItem]):
    """Agenda items: member units submit them (files as multipart `upload`), the convenor accepts or defers."""

    queryset = AgendaItem.objects.all()
    serializer_class = s.AgendaItemSerializer
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser]  # multipart for the attachments
    filterset_class = AgendaItemFilterSet

    @staticmethod
    def select(user: Any) -> QuerySet[AgendaItem]:
        return selectors.agenda_item_list(user=user).prefetch_related("attachments")

    def perform_create(self, serializer: BaseSerializer[AgendaItem]) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.agenda_item_submit(
            actor=self.actor(), meeting=data["meeting"], unit=data["unit"], title=data["title"],
            background=data.get("background", ""), request=data.get("request", ""), attachments=data.get("upload", []),
        )  # fmt: skip

    @extend_schema(request=s.DecideSerializer, responses=s.AgendaItemSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.DecideSerializer)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        checked = s.DecideSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        item = services.agenda_item_decide(
            actor=self.actor(), item=self.get_object(), status=checked.validated_data["status"]
        )
        return _ok(s.AgendaItemSerializer, item)


class MinutesViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet[Minutes], ReadThroughSelector[Minutes]
):
    """Minutes versions; only the participants of a meeting see its unpublished minutes."""

    queryset = Minutes.objects.all()
    serializer_class = s.MinutesSerializer
    filterset_class = MinutesFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    @staticmethod
    def select(user: Any) -> QuerySet[Minutes]:
        return selectors.minutes_list(user=user).prefetch_related("items", "comments")

    def perform_create(self, serializer: BaseSerializer[Minutes]) -> None:
        data = serializer.validated_data
        serializer.instance = services.minutes_file(
            actor=self.actor(),
            meeting=data["meeting"],
            preamble=data.get("preamble", ""),
        )

    def perform_update(self, serializer: BaseSerializer[Minutes]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.minutes_update(
            actor=self.actor(),
            minutes=serializer.instance,
            # A PATCH that leaves the preamble out keeps it.
            preamble=serializer.validated_data.get("preamble", serializer.instance.preamble),
        )

    @extend_schema(request=s.ItemInputSerializer, responses=s.ItemSummarySerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ItemInputSerializer)
    def items(self, request: Request, pk: str | None = None) -> Response:
        checked = s.ItemInputSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        row = services.minutes_save_item(actor=self.actor(), minutes=self.get_object(), **checked.validated_data)
        return _ok(s.ItemSummarySerializer, row)

    @extend_schema(request=s.MinutesTransitionSerializer, responses=s.MinutesSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.MinutesTransitionSerializer)
    def transition(self, request: Request, pk: str | None = None) -> Response:
        checked = s.MinutesTransitionSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        minutes = services.minutes_transition(actor=self.actor(), minutes=self.get_object(), **checked.validated_data)
        return _ok(s.MinutesSerializer, self.select(request.user).get(pk=minutes.pk))

    @extend_schema(request=s.CommentSerializer, responses={201: s.CommentSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.CommentSerializer)
    def comments(self, request: Request, pk: str | None = None) -> Response:
        checked = s.CommentSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        comment = services.minutes_comment(actor=self.actor(), minutes=self.get_object(), **checked.validated_data)
        return _ok(s.CommentSerializer, comment, status.HTTP_201_CREATED)

    @extend_schema(request=s.CorrectionSerializer, responses={201: s.MinutesSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.CorrectionSerializer)
    def correct(self, request: Request, pk: str | None = None) -> Response:
        checked = s.CorrectionSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        draft = services.minutes_correct(
            actor=self.actor(), minutes=self.get_object(), reason=checked.validated_data["reason"]
        )
        return _ok(s.MinutesSerializer, draft, status.HTTP_201_CREATED)


class ActionItemViewSet(ScopedReadOnlyViewSet[ActionItem], ReadThroughSelector[ActionItem]):
    """Action items (督办事项); owners post progress, the convenor confirms closure."""

    queryset = ActionItem.objects.all()
    serializer_class = s.ActionItemSerializer
    filterset_class = ActionItemFilterSet
    ordering_fields = ["due_on", "status"]

    @staticmethod
    def select(user: Any) -> QuerySet[ActionItem]:
        return selectors.action_item_list(user=user).prefetch_related("progress")

    @extend_schema(request=s.ProgressInputSerializer, responses={201: s.ProgressSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ProgressInputSerializer)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        checked = s.ProgressInputSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        post = services.action_progress(actor=self.actor(), item=self.get_object(), **checked.validated_data)
        return _ok(s.ProgressSerializer, post, status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionSerializer, responses=s.ActionItemSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.TransitionSerializer)
    def close(self, request: Request, pk: str | None = None) -> Response:
        item = services.action_confirm_closure(actor=self.actor(), item=self.get_object())
        return _ok(s.ActionItemSerializer, item)

    @extend_schema(request=s.CorrectionSerializer, responses=s.ActionItemSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.CorrectionSerializer)
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        checked = s.CorrectionSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        item = services.action_reopen(
            actor=self.actor(), item=self.get_object(), reason=checked.validated_data["reason"]
        )
        return _ok(s.ActionItemSerializer, item)


class BriefViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet[Brief], ReadThroughSelector[Brief]):
    """Information briefs (信息通报) from member units to the members."""

    queryset = Brief.objects.all()
    serializer_class = s.BriefSerializer

    @staticmethod
    def select(user: Any) -> QuerySet[Brief]:
        return selectors.brief_list(user=user)

    def perform_create(self, serializer: BaseSerializer[Brief]) -> None:
        data = serializer.validated_data
        serializer.instance = services.brief_post(
            actor=self.actor(),
            unit=data["unit"],
            title=data["title"],
            body=data["body"],
        )

"""The organisation's API: viewsets are configuration; writes and workflow steps call services."""

from __future__ import annotations

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.idempotency import idempotent

from .. import selectors, services
from ..filtersets import AppointmentFilterSet, PersonFilterSet, TransferFilterSet, UnitFilterSet
from ..models import Appointment, Person, Transfer, Unit
from .serializers import (
    AppointmentEndSerializer,
    AppointmentSerializer,
    PersonSerializer,
    PlacementSerializer,
    TransferAdvanceSerializer,
    TransferCancelSerializer,
    TransferPlanDivisionSerializer,
    TransferSerializer,
    UnitSerializer,
)
from .viewsets import ServiceModelViewSet, acting_user, validated

AS_OF = OpenApiParameter("as_of", datetime.date, description="YYYY-MM-DD")


class UnitViewSet(ServiceModelViewSet[Unit]):
    """The organisation's units, one tree."""

    queryset = Unit.objects.select_related("parent").order_by("path")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["path", "sort_order", "code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_service = services.unit_create
    update_service = services.unit_update


class PersonViewSet(ServiceModelViewSet[Person]):
    """People who hold posts or are transferred."""

    queryset = Person.objects.select_related("home_unit").order_by("name", "pk")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    create_service = services.person_create
    update_service = services.person_update

    @extend_schema(parameters=[OpenApiParameter("date", datetime.date)], responses=PlacementSerializer)
    @action(detail=True, methods=["get"])
    def placement(self, request: Request, pk: str | None = None) -> Response:
        """Where the person works, which unit pays and which assesses them, on `date` (default today)."""
        day = _date_param(request, "date") or timezone.localdate()
        placement = selectors.placement_on(self.get_object(), day)
        return Response(PlacementSerializer({"date": day, "placement": placement}).data)


class AppointmentViewSet(ServiceModelViewSet[Appointment]):
    """Who holds which post, from when to when. Ending one keeps it: the history is never erased."""

    queryset = Appointment.objects.select_related("person", "post__unit", "on_behalf_of").order_by("-start_date", "pk")
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilterSet
    http_method_names = ["get", "post", "head", "options"]
    create_service = services.appointment_create

    @extend_schema(request=AppointmentEndSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        data = validated(AppointmentEndSerializer, request)
        appointment = services.appointment_end(actor=acting_user(request), appointment=self.get_object(), **data)
        return Response(AppointmentSerializer(appointment).data)


class TransferViewSet(ServiceModelViewSet[Transfer]):
    """Staff transfers (划转): plan with POST, then `advance` through the phases or `cancel`."""

    queryset = (
        Transfer.objects.select_related("person", "from_unit", "to_unit")
        .prefetch_related("steps__actor")
        .order_by("-planned_on", "-pk")
    )
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    http_method_names = ["get", "post", "head", "options"]
    create_service = services.transfer_plan

    @extend_schema(request=TransferPlanDivisionSerializer, responses=TransferSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="plan-division")
    @idempotent
    def plan_division(self, request: Request) -> Response:
        """Plan the transfer of everyone holding a full-time post in a division, as one batch."""
        data = validated(TransferPlanDivisionSerializer, request)
        transfers = services.transfer_plan_division(actor=acting_user(request), **data)
        queryset = self.get_queryset().filter(pk__in=[t.pk for t in transfers])
        return Response(TransferSerializer(queryset, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferAdvanceSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def advance(self, request: Request, pk: str | None = None) -> Response:
        data = validated(TransferAdvanceSerializer, request)
        transfer = services.transfer_advance(actor=acting_user(request), transfer=self.get_object(), **data)
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data)

    @extend_schema(request=TransferCancelSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        data = validated(TransferCancelSerializer, request)
        transfer = services.transfer_cancel(actor=acting_user(request), transfer=self.get_object(), **data)
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data, status=status.HTTP_200_OK)


def _date_param(request: Request, name: str) -> datetime.date | None:
    from rest_framework.exceptions import ValidationError

    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: ["YYYY-MM-DD"]}) from exc

"""The organisation's API: viewsets are configuration; writes and workflow steps call services."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api.idempotency import idempotent
from core.api.views import LockedOut

from .. import selectors, services
from ..filtersets import AppointmentFilterSet, PersonFilterSet, TransferFilterSet, UnitFilterSet
from ..models import ApiToken, Appointment, Person, Transfer, Unit, User
from .serializers import (
    ApiTokenSerializer,
    AppointmentEndSerializer,
    AppointmentSerializer,
    IssuedApiTokenSerializer,
    PersonSerializer,
    PlacementSerializer,
    TransferAdvanceSerializer,
    TransferCancelSerializer,
    TransferPlanDivisionSerializer,
    TransferSerializer,
    UnitSerializer,
)
from .viewsets import ScopedReadOnlyViewSet, ServiceModelViewSet, acting_user, validated

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


class ApiTokenViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet[ApiToken]):
    """Department API tokens (administrators): issue with POST, then `rotate` or `revoke`.

    The secret is in the answer to POST and `rotate` only. These two take no Idempotency-Key:
    a stored answer would keep the secret.
    """

    queryset = ApiToken.objects.select_related("user").order_by("-created_at", "-pk")
    serializer_class = ApiTokenSerializer

    def _issued(self, token: ApiToken, secret: str) -> Response:
        token.secret = secret  # type: ignore[attr-defined]
        return Response(IssuedApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={201: IssuedApiTokenSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(ApiTokenSerializer, request)
        return self._issued(*services.api_token_create(actor=acting_user(request), **data))

    @extend_schema(request=None, responses={201: IssuedApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk: str | None = None) -> Response:
        """A new secret for the token; the old one is revoked at once."""
        return self._issued(*services.api_token_rotate(token=self.get_object(), actor=acting_user(request)))

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = services.api_token_revoke(token=self.get_object(), actor=acting_user(request))
        return Response(ApiTokenSerializer(token).data)


def _date_param(request: Request, name: str) -> datetime.date | None:
    from rest_framework.exceptions import ValidationError

    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: ["YYYY-MM-DD"]}) from exc


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        label=_("Two-factor code"),
        max_length=32,
        required=False,
        allow_blank=True,
        help_text=_("For accounts with two-factor sign-in: the code from the authenticator app, or a recovery code."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        user = authenticate(request, username=attrs["username"], password=attrs["password"])
        if getattr(request, "axes_locked_out", False):
            raise LockedOut
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("Unable to sign in with the username and password given."))
        assert isinstance(user, User)
        has_device = services.two_factor_has_device(user=user)
        if services.two_factor_needed(user=user, has_device=has_device):
            code = attrs.get("otp") or ""
            if not has_device:
                raise serializers.ValidationError(
                    {"otp": _("This account signs in with two-factor authentication: enrol in the portal first.")}
                )
            if not code:
                raise serializers.ValidationError({"otp": _("Enter the code from your authenticator app.")})
            if services.two_factor_verify(user=user, code=code) is None:
                raise serializers.ValidationError({"otp": _("The code is not correct.")})
        attrs["user"] = user
        return attrs


class IssuedTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_on = serializers.DateField()


class ObtainTokenView(APIView):
    """Exchange a username and password (and a two-factor code where the account has one) for an expiring token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: IssuedTokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, secret = services.api_token_issue_for_sign_in(user=serializer.validated_data["user"])
        return Response({"token": secret, "expires_on": token.expires_on}, status=status.HTTP_200_OK)

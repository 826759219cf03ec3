from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


class LockedOut(exceptions.APIException):
    """django-axes refused: too many failed sign-ins for this account or address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = _(
        "Too many failed sign-in attempts for this account or from this address. "
        "Try again later, or ask an administrator to unlock it."
    )


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(label=_("Password"), style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        user = authenticate(request, username=attrs["username"], password=attrs["password"])
        if getattr(request, "axes_locked_out", False):
            raise LockedOut
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("Unable to sign in with the username and password given."))
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    unit = serializers.IntegerField(allow_null=True)


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(APIView):
    """Who the caller is: the account behind the token or session, its roles and unit."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": getattr(user, "full_name", ""),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "unit": getattr(user, "unit_id", None),
        }
        return Response(MeSerializer(data).data)

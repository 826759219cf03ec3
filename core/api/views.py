from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import APIRootView
from rest_framework.views import APIView


class LockedOut(exceptions.APIException):
    """django-axes refused: too many failed sign-ins for this account or address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = _(
        "Too many failed sign-in attempts for this account or from this address. "
        "Try again later, or ask an administrator to unlock it."
    )


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    unit = serializers.IntegerField(allow_null=True)


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


class ApiRootView(APIRootView):
    """The API's front page: a link to every list of every app (config.api_router gathers the routers)."""

    def get_view_name(self) -> str:
        return str(_("Network Economy Development Bureau portal API"))

    def get_view_description(self, html: bool = False) -> str:
        text = str(
            _(
                "The portal's REST API for departments' systems: each link below is a list. Send "
                "'Authorization: Token <token>'; the documentation is at /api/docs/."
            )
        )
        return mark_safe(f"<p>{escape(text)}</p>") if html else text  # noqa: S308 (escaped)

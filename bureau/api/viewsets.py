"""The base of every app's API viewsets: permissions come from bureau.permissions, nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, Serializer
from rest_framework.views import APIView

from core.api.idempotency import idempotent

from .. import permissions as scope
from ..models import User

M = TypeVar("M", bound=Model)

# The scope a queryset is restricted to for each standard viewset action. Custom
# actions (workflow steps) see what the user may view; their service checks the rest.
ACTION_SCOPE = {"update": "change", "partial_update": "change", "destroy": "delete"}
ACTION_PERMISSION = {"list": "view", "retrieve": "view", "create": "add", **ACTION_SCOPE}


class ModelPermission(permissions.BasePermission):
    """The model permission the action needs; models with object grants let the grants decide."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        model = view.get_queryset().model  # type: ignore[attr-defined]
        needed = ACTION_PERMISSION.get(getattr(view, "action", None) or "")
        if needed is None:
            return True  # a workflow action: its service checks who may
        if request.user.has_perm(scope.perm_name(model, needed)):
            return True
        # A user without the model permission may still hold grants on single objects.
        return needed in ("view", "change", "delete") and getattr(model, "object_grants", False)


class ScopedGenericViewSet(viewsets.GenericViewSet[M]):
    """Restricts the queryset to what the user may do for the current action."""

    permission_classes = [ModelPermission]

    def get_queryset(self) -> QuerySet[M]:
        queryset = super().get_queryset()
        return scope.restrict(queryset, self.request.user, ACTION_SCOPE.get(self.action or "", "view"))

    def filter_queryset(self, queryset: QuerySet[M, Any]) -> QuerySet[M, Any]:
        # The list's query parameters filter lists. On one object they never narrow the look-up: there they
        # mean the action's own thing (a data set's records filtered by a field that shares a filter's name).
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)


class ScopedReadOnlyViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, ScopedGenericViewSet[M]):
    pass


class ScopedModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ScopedGenericViewSet[M],
):
    pass


class ServiceModelViewSet(ScopedModelViewSet[M]):
    """Creates and updates go through the app's services: set `create_service` / `update_service`.

    The create service is called as `create_service(actor=user, **validated_data)`, the update
    service as `update_service(actor=user, <model_name>=instance, **validated_data)`.
    """

    create_service: Callable[..., M] | None = None
    update_service: Callable[..., M] | None = None

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaseSerializer[M]) -> None:
        create = type(self).create_service
        if create is None:
            raise MethodNotAllowed("POST")
        serializer.instance = create(actor=acting_user(self.request), **serializer.validated_data)

    def perform_update(self, serializer: BaseSerializer[M]) -> None:
        update = type(self).update_service
        if update is None:
            raise MethodNotAllowed(self.request.method or "PUT")
        instance = serializer.instance
        assert instance is not None
        target = {str(instance._meta.model_name): instance}
        serializer.instance = update(actor=acting_user(self.request), **target, **serializer.validated_data)


def acting_user(request: Request) -> User:
    """The signed-in user behind a request that passed the permission classes."""
    user = request.user
    assert isinstance(user, User), "the permission classes let only signed-in users through"
    return user


def validated(serializer_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """The body of a workflow action, checked by `serializer_class` (a 400 in the error format if not).

    The serializer gets the request in its context, so its fields can offer only what the user may see.
    """
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

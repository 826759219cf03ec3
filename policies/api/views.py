from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.api.viewsets import ScopedGenericViewSet, ScopedReadOnlyViewSet

from .. import selectors, services
from ..filtersets import LegacyPolicyFilterSet, PolicyFilterSet
from ..models import LegacyPolicy, Policy
from .serializers import (
    CoverageQuerySerializer,
    LegacyPolicySerializer,
    PolicyDetailSerializer,
    PolicySerializer,
    RepealSerializer,
    VersionSerializer,
)


class PolicyViewSet(ScopedReadOnlyViewSet[Policy]):
    """The catalogue: published policies for everyone; drafts only for bureau staff. `?q=` ranks by relevance."""

    queryset = Policy.objects.all()
    serializer_class = PolicySerializer
    filterset_class = PolicyFilterSet
    ordering_fields = ["published_on", "effective_on", "document_number", "title"]

    def get_queryset(self) -> QuerySet[Policy]:
        # Published policies are public beyond the unit scope: the selector holds that rule.
        return selectors.policy_list(user=self.request.user)

    def get_serializer_class(self) -> type[PolicySerializer]:
        return PolicyDetailSerializer if self.action == "retrieve" else PolicySerializer

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request: Request, pk: str | None = None) -> Response:
        policy = self.get_object()
        rows = selectors.policy_versions(user=request.user, policy=policy)
        return Response(VersionSerializer(rows, many=True).data)

    @extend_schema(request=None, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        policy = services.policy_submit(actor=request.user, policy=self.get_object())  # type: ignore[arg-type]
        return Response(PolicySerializer(policy, context={"request": request}).data)

    @extend_schema(request=None, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        policy = services.policy_publish(actor=request.user, policy=self.get_object())  # type: ignore[arg-type]
        return Response(PolicySerializer(policy, context={"request": request}).data)

    @extend_schema(request=RepealSerializer, responses=PolicySerializer)
    @action(detail=True, methods=["post"])
    def repeal(self, request: Request, pk: str | None = None) -> Response:
        body = RepealSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        policy = services.policy_repeal(
            actor=request.user,  # type: ignore[arg-type]
            policy=self.get_object(),
            replaced_by=body.validated_data.get("replaced_by"),
            repealing_document=body.validated_data["repealing_document"],
            on=body.validated_data.get("on"),
        )
        return Response(PolicySerializer(policy, context={"request": request}).data)


class LegacyPolicyViewSet(ScopedReadOnlyViewSet[LegacyPolicy]):
    """Legacy department policies and the catalogue policy each was merged into, superseded or repealed by."""

    queryset = LegacyPolicy.objects.all()
    serializer_class = LegacyPolicySerializer
    filterset_class = LegacyPolicyFilterSet

    def get_queryset(self) -> QuerySet[LegacyPolicy]:
        return selectors.legacy_list(user=self.request.user)


class PolicyCoverageViewSet(ScopedGenericViewSet[Policy]):
    """The chain segment x field matrix of policies in force on `as_of` (default today)."""

    queryset = Policy.objects.all()
    pagination_class = None
    filter_backends: list[type] = []

    @extend_schema(parameters=[OpenApiParameter("as_of", type=str, description="YYYY-MM-DD")], responses=dict)
    def list(self, request: Request) -> Response:
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = query.validated_data.get("as_of") or timezone.localdate()
        return Response(selectors.coverage(user=request.user, as_of=as_of).as_json())

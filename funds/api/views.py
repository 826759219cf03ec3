"""The ledger through the API: read-only; money moves only through the fund's workflow services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from bureau.api.viewsets import ScopedReadOnlyViewSet, ServiceModelViewSet, acting_user, validated
from core.api.idempotency import idempotent

from .. import services
from ..filtersets import AccountFilterSet, ApplicationFilterSet, LedgerTransferFilterSet
from ..models import Account, Application, FundSource, LedgerTransfer, Programme
from .serializers import (
    AccountSerializer,
    ApplicationAssignSerializer,
    ApplicationDecideSerializer,
    ApplicationDisburseSerializer,
    ApplicationObjectSerializer,
    ApplicationReasonSerializer,
    ApplicationReviewSerializer,
    ApplicationScoreSerializer,
    ApplicationSerializer,
    ApplicationSubmitSerializer,
    FundSourceSerializer,
    LedgerTransferSerializer,
    ProgrammeSerializer,
)


class AccountViewSet(ScopedReadOnlyViewSet[Account]):
    """Ledger accounts with their balances (yuan, two decimal places)."""

    queryset = Account.objects.order_by("code")
    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet


class LedgerTransferViewSet(ScopedReadOnlyViewSet[LedgerTransfer]):
    """Posted ledger transfers, newest first. They are never changed; a correction is a new transfer."""

    queryset = LedgerTransfer.objects.select_related("actor").order_by("-created_at", "-pk")
    serializer_class = LedgerTransferSerializer
    filterset_class = LedgerTransferFilterSet


class FundSourceViewSet(ServiceModelViewSet[FundSource]):
    """Departments' budget lines that contribute to the pool."""

    queryset = FundSource.objects.select_related("department", "account").order_by("-fiscal_year", "pk")
    serializer_class = FundSourceSerializer
    filterset_fields = ["fiscal_year", "department"]
    http_method_names = ["get", "post", "head", "options"]
    create_service = services.fund_source_create


class ProgrammeViewSet(ScopedReadOnlyViewSet[Programme]):
    """Support programmes, each governed by a policy, with their budget and what is committed."""

    queryset = Programme.objects.select_related("budget_account", "commitments_account").order_by(
        "-fiscal_year", "code"
    )
    serializer_class = ProgrammeSerializer
    filterset_fields = ["fiscal_year", "status", "policy", "owner_unit"]


class ApplicationViewSet(ServiceModelViewSet[Application]):
    """Applications and their workflow. Every money-moving POST honours `Idempotency-Key`."""

    queryset = (
        Application.objects.select_related("programme", "enterprise", "submitted_by_unit")
        .prefetch_related("steps__actor")
        .order_by("-created_at", "-pk")
    )
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilterSet
    http_method_names = ["get", "post", "head", "options"]
    create_service = services.application_create

    def _step(self, request: Request, service: Any, serializer_class: type[Serializer[Any]] | None = None) -> Response:
        """Run one workflow service on the application and answer with its new state."""
        data = validated(serializer_class, request) if serializer_class else {}
        application = service(actor=acting_user(request), application=self.get_object(), **data)
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(request=ApplicationSubmitSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_submit, ApplicationSubmitSerializer)

    @extend_schema(request=ApplicationReviewSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def review(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_review, ApplicationReviewSerializer)

    @extend_schema(request=ApplicationAssignSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_assign_experts, ApplicationAssignSerializer)

    @extend_schema(request=ApplicationScoreSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_score, ApplicationScoreSerializer)

    @extend_schema(request=ApplicationDecideSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def decide(self, request: Request, pk: str | None = None) -> Response:
        data = validated(ApplicationDecideSerializer, request)
        application = services.application_decide(
            actor=acting_user(request), application=self.get_object(), approve=data["approve"],
            amount_fen=data["amount"], reason=data["reason"],
        )  # fmt: skip
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(request=ApplicationObjectSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def object(self, request: Request, pk: str | None = None) -> Response:
        data = validated(ApplicationObjectSerializer, request)
        objection = services.application_object(actor=acting_user(request), application=self.get_object(), **data)
        return Response(ApplicationSerializer(self.get_queryset().get(pk=objection.application_id)).data)

    @extend_schema(request=ApplicationDisburseSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def disburse(self, request: Request, pk: str | None = None) -> Response:
        data = validated(ApplicationDisburseSerializer, request)
        application = services.application_disburse(
            actor=acting_user(request), application=self.get_object(), amount_fen=data["amount"],
            tranche_key=data["tranche_key"],
        )  # fmt: skip
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)

    @extend_schema(request=ApplicationReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_accept, ApplicationReasonSerializer)

    @extend_schema(request=ApplicationReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_withdraw, ApplicationReasonSerializer)

    @extend_schema(request=ApplicationReasonSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.application_cancel, ApplicationReasonSerializer)

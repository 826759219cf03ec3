"""The data center's API: configuration over bureau's scoped viewsets; actions call one service each."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bureau.api.viewsets import ScopedReadOnlyViewSet, validated
from bureau.models import Unit, User

from .. import exports, selectors, services
from ..filtersets import DataSetFilterSet, EnterpriseFilterSet, IngestionJobFilterSet
from ..models import DataSet, Enterprise, Indicator, IngestionJob
from ..registry import build_profile
from .serializers import (
    DataSetSerializer,
    DataSetShareSerializer,
    EnterpriseProfileSerializer,
    EnterpriseSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    IngestionJobSerializer,
    RecordSerializer,
    ShareRequestSerializer,
    as_json,
)


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The file is larger than the upload limit.")
    default_code = "too_large"


class JsonLinesParser(parsers.BaseParser):
    """Hands the request body on as a stream: the service copies it in chunks, never whole."""

    media_type = "application/x-ndjson"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return stream


class JsonLinesAltParser(JsonLinesParser):
    media_type = "application/jsonl"


def actor(request: Request) -> User:
    """The authenticated user (the viewset's permission class lets no anonymous request through)."""
    return cast(User, request.user)


def refuse_oversized(request: Request) -> None:
    """Refuse by the declared length before reading any of the body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.UPLOAD_MAX_BYTES:
        raise TooLarge


class DataSetViewSet(ScopedReadOnlyViewSet[DataSet]):
    """The catalogue. Sensitive data sets show only to their owner department and the center."""

    queryset = DataSet.objects.select_related("owner_unit").prefetch_related("schema_versions").order_by("code")
    serializer_class = DataSetSerializer
    filterset_class = DataSetFilterSet

    def get_queryset(self) -> QuerySet[DataSet]:
        return super().get_queryset().filter(pk__in=selectors.dataset_list(user=self.request.user).values("pk"))

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "application/x-ndjson": OpenApiTypes.BINARY,
            "application/jsonl": OpenApiTypes.BINARY,
        },
        parameters=[OpenApiParameter("name", str, description="The file name of a JSON-lines body, for the job.")],
        responses={202: IngestionJobSerializer},
    )
    @action(
        detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, JsonLinesParser, JsonLinesAltParser]
    )
    def uploads(self, request: Request, pk: str | None = None) -> Response:
        """Upload a file (multipart field `file`) or push JSON lines as the body; 202 with the job."""
        refuse_oversized(request)
        dataset = self.get_object()
        if request.content_type.startswith(("application/x-ndjson", "application/jsonl")):
            stream, name = request.stream, request.query_params.get("name", "push.jsonl")
            if stream is None:  # no body, or one sent chunked, without a length (Django reads neither)
                raise exceptions.ValidationError(
                    {"file": [_("Send the JSON lines as the request body, with a Content-Length header.")]}
                )
            job = services.job_create(dataset=dataset, stream=stream, original_name=name, actor=actor(request),
                                      declared_format="jsonl")  # fmt: skip
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise exceptions.ValidationError({"file": [_("Attach the file as the field “file”.")]})
            job = services.job_create(dataset=dataset, stream=upload.chunks(), original_name=upload.name or "upload",
                                      actor=actor(request))  # fmt: skip
        data = IngestionJobSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})

    uploads.extra_error_statuses = ("413",)  # type: ignore[attr-defined]  # TooLarge, documented in the schema

    @extend_schema(responses=RecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def records(self, request: Request, pk: str | None = None) -> Response:
        dataset = self.get_object()
        schema = dataset.current_schema
        names = schema.field_names() if schema else []
        filters = {k: v for k, v in request.query_params.items() if k in names}
        records = selectors.record_list(user=request.user, dataset=dataset, filters=filters)
        page = self.paginate_queryset(records)  # type: ignore[arg-type]
        return self.get_paginated_response(RecordSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=DataSetShareSerializer(many=True))
    @extend_schema(methods=["POST"], request=ShareRequestSerializer, responses={201: DataSetShareSerializer})
    @action(detail=True, methods=["get", "post"])
    def shares(self, request: Request, pk: str | None = None) -> Response:
        """The units a sensitive data set is shared with; POST `{"unit": id}` shares it with one more (the center)."""
        dataset = self.get_object()
        if request.method == "POST":
            body = validated(ShareRequestSerializer, request)
            share = services.dataset_share(dataset=dataset, unit=body["unit"], actor=actor(request))
            return Response(DataSetShareSerializer(share).data, status=status.HTTP_201_CREATED)
        shares = self.paginate_queryset(selectors.dataset_shares(user=request.user, dataset=dataset))  # type: ignore[arg-type]
        return self.get_paginated_response(DataSetShareSerializer(shares, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<unit_id>[0-9]+)")
    def unshare(self, request: Request, pk: str | None = None, unit_id: str | None = None) -> Response:
        """Revoke the share with one unit (the center)."""
        dataset = self.get_object()
        unit = get_object_or_404(Unit, pk=unit_id)
        services.dataset_unshare(dataset=dataset, unit=unit, actor=actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class IngestionJobViewSet(ScopedReadOnlyViewSet[IngestionJob]):
    queryset = IngestionJob.objects.select_related("dataset", "schema_version").order_by("-created_at", "-id")
    serializer_class = IngestionJobSerializer
    filterset_class = IngestionJobFilterSet

    def get_queryset(self) -> QuerySet[IngestionJob]:
        return super().get_queryset().filter(dataset__in=selectors.dataset_list(user=self.request.user).values("pk"))

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        job = services.job_cancel(job=self.get_object(), actor=actor(request))
        return Response(self.get_serializer(job).data)

    @extend_schema(request=None, responses={202: IngestionJobSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        job = services.job_retry(job=self.get_object(), actor=actor(request))
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], pagination_class=None)
    def errors(self, request: Request, pk: str | None = None) -> HttpResponseBase:
        job = self.get_object()
        return exports.job_error_report(job, selectors.job_errors(user=request.user, job=job))


class EnterpriseViewSet(ScopedReadOnlyViewSet[Enterprise]):
    queryset = Enterprise.objects.select_related("home_unit").order_by("credit_code")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    lookup_field = "credit_code"

    @extend_schema(responses=EnterpriseProfileSerializer)
    @action(detail=True, methods=["get"])
    def profile(self, request: Request, credit_code: str | None = None) -> Response:
        enterprise = self.get_object()
        return Response({"enterprise": self.get_serializer(enterprise).data,
                         "sections": as_json(build_profile(enterprise, request.user))})  # fmt: skip


class IndicatorViewSet(ScopedReadOnlyViewSet[Indicator]):
    queryset = Indicator.objects.select_related("dataset").order_by("code")
    serializer_class = IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        return super().get_queryset().filter(dataset__in=selectors.dataset_list(user=self.request.user).values("pk"))

    @extend_schema(responses=IndicatorValueSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def values(self, request: Request, pk: str | None = None) -> Response:
        indicator = self.get_object()
        values = selectors.indicator_values(user=request.user, indicator=indicator)
        return Response(IndicatorValueSerializer(values, many=True).data)


def job_url(job: IngestionJob) -> str:
    return reverse("api:ingestion-job-detail", args=[job.pk])

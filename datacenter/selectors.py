"""Reads of the data center: every one takes `user=` and goes through bureau.permissions.restrict."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from bureau.models import User
from bureau.permissions import restrict

from .models import DataSet, Enterprise, Indicator, IndicatorValue, IngestionJob, JobError, Record
from .permissions import sensitive_visible_q

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


def granted_datasets(user: AnyUser, action: str = "view") -> QuerySet[DataSet]:
    if not user.is_authenticated:
        return DataSet.objects.none()
    return get_objects_for_user(
        user, f"datacenter.{action}_dataset", klass=DataSet, accept_global_perms=False, with_superuser=False
    )


def dataset_list(*, user: AnyUser, action: str = "view") -> QuerySet[DataSet]:
    """Data sets the user may see: role and unit scope, grants, and the rule for sensitive ones."""
    granted = granted_datasets(user, action).values("pk")
    visible = restrict(DataSet.objects.all(), user, action).filter(sensitive_visible_q(user) | Q(pk__in=granted))
    return visible.select_related("owner_unit").order_by("code")


def _in_visible_datasets(queryset: QuerySet[M], user: AnyUser, path: str) -> QuerySet[M]:
    """Rows of data sets the user sees, the scope of the rows' own model applied too (grants reach the rows)."""
    granted = granted_datasets(user).values("pk")
    visible = dataset_list(user=user).values("pk")
    model_perm = f"{queryset.model._meta.app_label}.view_{queryset.model._meta.model_name}"
    scoped = restrict(queryset, user).filter(**{f"{path}__in": visible})
    if user.is_authenticated and user.has_perm(model_perm):
        return scoped | queryset.filter(**{f"{path}__in": granted})
    return scoped


def record_list(*, user: AnyUser, dataset: DataSet, filters: dict[str, Any] | None = None) -> QuerySet[Record]:
    qs = _in_visible_datasets(Record.objects.filter(dataset=dataset), user, "dataset")
    for name, value in (filters or {}).items():
        if value not in (None, ""):
            qs = qs.filter(**{f"payload__{name}": value})
    return qs.order_by("key")


def job_list(*, user: AnyUser) -> QuerySet[IngestionJob]:
    return (
        _in_visible_datasets(IngestionJob.objects.all(), user, "dataset")
        .select_related("dataset", "created_by")
        .order_by("-created_at", "-id")
    )


def job_errors(*, user: AnyUser, job: IngestionJob) -> QuerySet[JobError]:
    visible = job_list(user=user).filter(pk=job.pk)
    return JobError.objects.filter(job__in=visible).order_by("line", "id")


def enterprise_list(*, user: AnyUser) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.all(), user).select_related("home_unit").order_by("credit_code")


def enterprise_records(*, user: AnyUser, enterprise: Enterprise) -> QuerySet[Record]:
    """Every record about the enterprise in the data sets the user sees, newest first."""
    return (
        _in_visible_datasets(Record.objects.filter(enterprise=enterprise), user, "dataset")
        .select_related("dataset__owner_unit")
        .order_by("-updated_at")
    )


def indicator_list(*, user: AnyUser) -> QuerySet[Indicator]:
    return _in_visible_datasets(Indicator.objects.all(), user, "dataset").select_related("dataset").order_by("code")


def indicator_values(*, user: AnyUser, indicator: Indicator) -> QuerySet[IndicatorValue]:
    visible = indicator_list(user=user).filter(pk=indicator.pk)
    return IndicatorValue.objects.filter(indicator__in=visible).order_by("period", "county")


def job_outcomes() -> dict[tuple[str, ...], float]:
    """Ingestion jobs by status, for the monitoring (core.metrics)."""
    from django.db.models import Count

    from .models import IngestionJob

    return {(row["status"],): float(row["n"]) for row in IngestionJob.objects.values("status").annotate(n=Count("pk"))}

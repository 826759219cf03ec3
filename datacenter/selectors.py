"""Reads of the data center: every one takes `user=` and goes through bureau.permissions.restrict."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from bureau.models import User
from bureau.choices import UnitKind
from bureau.models import Unit
from bureau.permissions import restrict, unit_granted

from .models import (
    DataSet,
    DataSetShare,
    Enterprise,
    Indicator,
    IndicatorValue,
    IngestionJob,
    JobError,
    Record,
    SchemaVersion,
)
from .permissions import sensitive_visible_q

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


def granted_datasets(user: AnyUser, action: str = "view") -> QuerySet[DataSet]:
    """Data sets granted to the user alone (guardian) or, to read, shared with the user's unit."""
    if not user.is_authenticated:
        return DataSet.objects.none()
    granted = get_objects_for_user(
        user, f"datacenter.{action}_dataset", klass=DataSet, accept_global_perms=False, with_superuser=False
    )
    if action != "view":
        return granted
    return DataSet.objects.filter(Q(pk__in=granted.values("pk")) | Q(pk__in=unit_granted(DataSet, user).values("pk")))


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


# Units a sensitive data set may be opened to: government units that work with data, not enterprises,
# associations or the leading group (whose members read through their own units).
SHAREABLE_KINDS = (UnitKind.BUREAU, UnitKind.DIVISION, UnitKind.DEPARTMENT, UnitKind.DEPARTMENT_DIVISION,
                   UnitKind.COUNTY_BUREAU, UnitKind.ZONE_BUREAU)  # fmt: skip


def share_candidates(*, dataset: DataSet) -> QuerySet[Unit]:
    """Units the data set can be shared with: active government units that do not see it already.

    Not the owner department and the units below it, not the center (both read it anyway), not a unit it is
    shared with already, nor one below such a unit.
    """
    owner = dataset.owner_unit
    shared = list(DataSetShare.objects.filter(dataset=dataset).values_list("unit__path", flat=True))
    units = Unit.objects.filter(kind__in=SHAREABLE_KINDS, is_active=True).exclude(path__startswith=owner.path)
    for path in [*shared, *Unit.objects.filter(kind=UnitKind.CENTER).values_list("path", flat=True)]:
        units = units.exclude(path__startswith=path)
    return units.select_related("parent").order_by("path")


def dataset_shares(*, user: AnyUser, dataset: DataSet) -> QuerySet[DataSetShare]:
    """Whom a data set is shared with, for those who may read the shares (the center, leaders, bureau staff)."""
    visible = dataset_list(user=user).filter(pk=dataset.pk).values("pk")
    return (
        restrict(DataSetShare.objects.filter(dataset__in=visible), user)
        .select_related("unit__parent", "shared_by")
        .order_by("created_at", "id")
    )


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

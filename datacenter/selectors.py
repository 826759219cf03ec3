"""Reads of the data center: every one takes `user=` and goes through bureau.permissions.restrict."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from guardian.shortcuts import get_objects_for_user

from bureau.choices import UnitKind
from bureau.models import Unit, User
from bureau.permissions import restrict, unit_granted

from . import storage
from .choices import EnterpriseAttribute, FieldType
from .models import (
    DataSet,
    DataSetShare,
    Enterprise,
    Indicator,
    IndicatorValue,
    IngestionJob,
    JobError,
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


def schema_versions(*, user: AnyUser, dataset: DataSet) -> QuerySet[SchemaVersion]:
    visible = dataset_list(user=user).filter(pk=dataset.pk).values("pk")
    return (
        restrict(SchemaVersion.objects.filter(dataset__in=visible), user)
        .select_related("created_by")
        .order_by("-version")
    )


def field_type_label(value: str) -> str:
    return str(FieldType(value).label) if value in FieldType.values else value


def _describe(f: dict[str, Any]) -> str:
    return _("“%(name)s” (%(type)s)") % {"name": f["name"], "type": field_type_label(f["type"])}


def schema_diff(old: SchemaVersion | None, new: SchemaVersion) -> list[str]:
    """What changed from one schema version to the next, one sentence each."""
    if old is None:
        return [_("First version: %(n)d fields, natural key %(key)s.")
                % {"n": len(new.fields), "key": ", ".join(new.natural_key)}]  # fmt: skip
    before = {f["name"]: f for f in old.fields}
    after = {f["name"]: f for f in new.fields}
    changes = [_("Field %(field)s added.") % {"field": _describe(f)} for f in new.fields if f["name"] not in before]
    changes += [_("Field %(field)s removed.") % {"field": _describe(f)} for f in old.fields if f["name"] not in after]
    yes_no = {True: _("required"), False: _("optional")}
    attributes = dict(EnterpriseAttribute.choices)
    for f in new.fields:
        was = before.get(f["name"])
        if was is None:
            continue
        parts = []
        if was["type"] != f["type"]:
            parts.append(
                _("type %(old)s → %(new)s") % {"old": field_type_label(was["type"]), "new": field_type_label(f["type"])}
            )
        if (was.get("label") or "") != (f.get("label") or ""):
            parts.append(
                _("label “%(old)s” → “%(new)s”") % {"old": was.get("label") or "", "new": f.get("label") or ""}
            )
        if bool(was.get("required")) != bool(f.get("required")):
            parts.append(str(yes_no[bool(f.get("required"))]))
        if (was.get("choices") or []) != (f.get("choices") or []):
            parts.append(_("values %(old)s → %(new)s") % {"old": ", ".join(was.get("choices") or []) or "—",
                                                          "new": ", ".join(f.get("choices") or []) or "—"})  # fmt: skip
        if (was.get("maps_to") or "") != (f.get("maps_to") or ""):
            fed = [attributes.get(field.get("maps_to") or "", "—") for field in (was, f)]
            parts.append(_("feeds %(old)s → %(new)s") % {"old": fed[0], "new": fed[1]})
        if parts:
            changes.append(
                _("Field “%(name)s”: %(changes)s.")
                % {"name": f["name"], "changes": pgettext("list separator", "; ").join(parts)}
            )
    common = [n for n in before if n in after]
    if common != [n for n in after if n in before]:
        changes.append(_("Fields reordered."))
    if list(old.natural_key) != list(new.natural_key):
        changes.append(_("Natural key %(old)s → %(new)s.") % {"old": ", ".join(old.natural_key),
                                                             "new": ", ".join(new.natural_key)})  # fmt: skip
    return changes


def schema_history(*, user: AnyUser, dataset: DataSet) -> list[tuple[SchemaVersion, list[str]]]:
    """Every schema version of the data set, newest first, with what changed from the one before."""
    versions = list(schema_versions(user=user, dataset=dataset))
    older = [*versions[1:], None]
    return [(version, schema_diff(previous, version)) for version, previous in zip(versions, older, strict=True)]


def readable_datasets(user: AnyUser) -> QuerySet[DataSet]:
    """Data sets whose records the user reads: a role that reads records, and the data set seen or granted."""
    if not user.is_authenticated or not user.has_perm("datacenter.view_record"):
        return DataSet.objects.none()
    visible = dataset_list(user=user).values("pk")
    return DataSet.objects.filter(Q(pk__in=visible) | Q(pk__in=granted_datasets(user).values("pk")))


def record_list(*, user: AnyUser, dataset: DataSet, filters: dict[str, Any] | None = None) -> storage.RecordRows:
    """The data set's records in key order, filtered by field values (exact, typed: ValidationError if not)."""
    schema = dataset.current_schema
    # Read now, not from the instance: it may be older than the last load.
    total = readable_datasets(user).filter(pk=dataset.pk).values_list("record_count", flat=True).first()
    if schema is None or total is None:
        return storage.RecordRows(None, [], [])
    return storage.RecordRows(dataset.pk, schema.fields, list(schema.natural_key), filters, total=total)


def enterprise_records(
    *, user: AnyUser, enterprise: Enterprise, limit: int = 200
) -> list[tuple[DataSet, Any, dict[str, Any]]]:
    """Every record naming the enterprise in the data sets whose records the user reads, newest first:
    (data set, updated at, values by field name)."""
    readable = {
        d.pk: d for d in readable_datasets(user).select_related("owner_unit").prefetch_related("schema_versions")
    }
    schemas = []
    for pk, d in readable.items():
        latest = d.current_schema  # from the prefetch
        if latest is not None and storage.code_field(latest.fields):
            schemas.append((pk, latest.fields))
    rows = storage.enterprise_rows(schemas, enterprise.credit_code, limit)
    return [(readable[pk], updated, values) for pk, updated, values in rows]


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


def indicator_list(*, user: AnyUser) -> QuerySet[Indicator]:
    return _in_visible_datasets(Indicator.objects.all(), user, "dataset").select_related("dataset").order_by("code")


def indicator_values(*, user: AnyUser, indicator: Indicator) -> QuerySet[IndicatorValue]:
    visible = indicator_list(user=user).filter(pk=indicator.pk)
    return IndicatorValue.objects.filter(indicator__in=visible).order_by("period", "county")


def indicators_values(*, user: AnyUser, indicators: Iterable[Indicator]) -> QuerySet[IndicatorValue]:
    """The values of several indicators in one query, scoped like indicator_values: by indicator, month, county."""
    visible = indicator_list(user=user).filter(pk__in=[indicator.pk for indicator in indicators])
    return IndicatorValue.objects.filter(indicator__in=visible.values("pk")).order_by("indicator", "period", "county")


def job_outcomes() -> dict[tuple[str, ...], float]:
    """Ingestion jobs by status, for the monitoring (core.metrics)."""
    from django.db.models import Count

    from .models import IngestionJob

    return {(row["status"],): float(row["n"]) for row in IngestionJob.objects.values("status").annotate(n=Count("pk"))}

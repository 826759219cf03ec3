"""The big-data center: data sets and their schemas, records, ingestion jobs, the enterprise master, indicators."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.history import track
from core.models import TimeStampedModel

from .choices import (
    Aggregation,
    ChainSegment,
    Frequency,
    Industry,
    JobPhase,
    JobStatus,
    Sensitivity,
    SizeClass,
    SourceFormat,
)


@track()
class DataSet(TimeStampedModel):
    """A department's data set registered in the center's catalogue; its rows live in a table of their own.

    That table (datacenter.storage) has a typed column per field of the schema.
    """

    scope_unit_field = "owner_unit"
    # A sensitive data set can be shared with one user (guardian) or one unit and the units below it (`shares`).
    object_grants = True
    unit_grants = "shares__unit"

    owner_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("owner department"), on_delete=models.PROTECT, related_name="data_sets"
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(pgettext_lazy("data set", "description"), blank=True)
    frequency = models.CharField(_("update frequency"), max_length=16, choices=Frequency.choices)
    sensitivity = models.CharField(
        _("sensitivity"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.INTERNAL
    )
    # Share of rejected rows above which a load commits nothing.
    reject_threshold = models.DecimalField(_("reject threshold"), max_digits=4, decimal_places=3, default=0.05)
    record_count = models.PositiveIntegerField(_("records"), default=0, editable=False)
    # Where the center pulls the data set from on schedule (Celery beat), when the department publishes it.
    pull_url = models.URLField(_("pull from URL"), blank=True, max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["code"]
        # The records live in a table per data set (datacenter.storage), not in a model of their own.
        permissions = [("view_record", _("Can view the records of data sets"))]
        constraints = [
            models.CheckConstraint(
                name="dataset_reject_threshold_share",
                condition=Q(reject_threshold__gte=0) & Q(reject_threshold__lte=1),
                violation_error_message=_("The reject threshold is a share between 0 and 1."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def current_schema(self) -> SchemaVersion | None:
        # From a prefetch of the versions when a list made one (newest first, by SchemaVersion's ordering), so a
        # list does not ask once per row; else one query.
        if "schema_versions" in getattr(self, "_prefetched_objects_cache", {}):
            return next(iter(self.schema_versions.all()), None)
        return self.schema_versions.order_by("-version").first()


class DataSetUserObjectPermission(UserObjectPermissionBase):
    """Direct per-user grants on single data sets."""

    content_object = models.ForeignKey(DataSet, on_delete=models.CASCADE)


class DataSetGroupObjectPermission(GroupObjectPermissionBase):
    """Direct per-group grants on single data sets (a unit's role group)."""

    content_object = models.ForeignKey(DataSet, on_delete=models.CASCADE)


@track()
class DataSetShare(models.Model):
    """A sensitive data set opened by the big-data center to one more unit, and the units below it, to read."""

    scope_unit_field = "dataset__owner_unit"

    dataset = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("shared with"), on_delete=models.PROTECT, related_name="shared_data_sets"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shared by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data set share")
        verbose_name_plural = _("data set shares")
        ordering = ["dataset", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "unit"],
                name="datasetshare_unique_unit",
                violation_error_message=_("The data set is already shared with this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} -> {self.unit_id}"


@track()
class SchemaVersion(models.Model):
    """One version of a data set's schema: typed fields and the natural key. Never changed once saved.

    `fields` is a list of {"name", "label", "type", "required", "choices", "maps_to"};
    a change makes a new version that applies to later loads.
    """

    scope_unit_field = "dataset__owner_unit"

    dataset = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="schema_versions"
    )
    version = models.PositiveIntegerField(_("version"))
    fields: models.JSONField[list[dict[str, Any]]] = models.JSONField(pgettext_lazy("schema", "fields"))
    natural_key = ArrayField(models.CharField(max_length=64), verbose_name=_("natural key"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("schema version")
        verbose_name_plural = _("schema versions")
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "version"],
                name="schemaversion_unique_version",
                violation_error_message=_("This version of the schema exists already."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dataset.code} v{self.version}"

    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


@track(set_based_inserts=True)
class Enterprise(TimeStampedModel):
    """An enterprise of the master (企业库), keyed by its unified social credit code (统一社会信用代码)."""

    # The county or zone bureau that looks after it; the city when its county is unknown.
    scope_unit_field = "home_unit"

    credit_code = models.CharField(_("unified social credit code"), max_length=18, primary_key=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    county = models.CharField(_("county"), max_length=64, blank=True)
    home_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("responsible bureau"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    revenue = models.DecimalField(_("revenue (10k CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    size_class = models.CharField(_("size class"), max_length=16, choices=SizeClass.choices, blank=True)
    chain_segment = models.CharField(_("chain segment"), max_length=16, choices=ChainSegment.choices, blank=True)
    fields = ArrayField(models.CharField(max_length=32), verbose_name=_("fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["credit_code"]
        indexes = [models.Index(fields=["county"], name="enterprise_county")]
        constraints = [
            models.CheckConstraint(
                name="enterprise_credit_code_form",
                condition=Q(credit_code__regex=r"^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$"),
                violation_error_message=_("A unified social credit code has 18 characters."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or '-'} ({self.credit_code})"


# Job error rows and indicator values are bulk data written set-based by the ingestion (hundreds of
# thousands of rows per load): a history trigger would copy every row again on every load and grow the
# event table without bound. Their history, and that of the records in each data set's own table
# (datacenter.storage), is the tracked IngestionJob that loaded them (who, when, which file, the counts).


@track(exclude=["phase", "rows_read", "rows_expected", "bytes_read", "heartbeat_at", "sent_at"])
class IngestionJob(TimeStampedModel):
    """One load of one file into one data set, run by a Celery worker; all its accepted rows commit or none."""

    scope_unit_field = "dataset__owner_unit"

    dataset = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="jobs")
    schema_version = models.ForeignKey(
        SchemaVersion, verbose_name=_("schema version"), on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(_("phase"), max_length=16, choices=JobPhase.choices, default=JobPhase.WAITING)
    # Stored under a neutral generated name outside any served folder; never served inline.
    file = models.FileField(_("file"), upload_to="datacenter/uploads/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    declared_format = models.CharField(_("format"), max_length=8, choices=SourceFormat.choices)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"))
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    bytes_read = models.PositiveBigIntegerField(_("bytes read"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    # An estimate while reading (from the bytes read so far), exact once read.
    rows_expected = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    rows_inserted = models.PositiveIntegerField(_("rows inserted"), default=0)
    rows_updated = models.PositiveIntegerField(_("rows updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("duplicate keys"), default=0)
    error = models.TextField(_("error"), blank=True)
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("repeat of"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # When the job was last handed to the broker (None: never, e.g. Redis was down); the beat sweep reads it.
    sent_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingestion job")
        verbose_name_plural = _("ingestion jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="ingestionjob_status_beat")]
        constraints = [
            models.CheckConstraint(
                name="ingestionjob_finished_after_started",
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                violation_error_message=_("A job cannot finish before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        from django.utils import timezone

        end = self.finished_at or timezone.now()
        return max((end - self.started_at).total_seconds(), 0.0)


class JobError(models.Model):
    """One rejected value (or a whole-file error) of a job: line, field, reason and what was sent."""

    scope_unit_field = "job__dataset__owner_unit"

    job = models.ForeignKey(IngestionJob, verbose_name=_("job"), on_delete=models.CASCADE, related_name="errors")
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    field = models.CharField(_("field"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=255)
    original = models.TextField(_("original values"), blank=True)

    class Meta:
        verbose_name = _("job error")
        verbose_name_plural = _("job errors")
        ordering = ["job", "line", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


@track()
class Indicator(TimeStampedModel):
    """An aggregation over a data set (sum, count or average of a field) by county and month."""

    scope_unit_field = "dataset__owner_unit"

    dataset = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices)
    value_field = models.CharField(_("value field"), max_length=64, blank=True)
    date_field = models.CharField(_("date field"), max_length=64)
    county_field = models.CharField(_("county field"), max_length=64, blank=True)
    unit_label = models.CharField(_("unit of measure"), max_length=32, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="indicator_value_field_unless_count",
                condition=Q(aggregation=Aggregation.COUNT) | ~Q(value_field=""),
                violation_error_message=_("A sum or an average needs a value field."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """A computed value of an indicator for one month and county ("" for all counties); rebuilt on each load."""

    scope_unit_field = "indicator__dataset__owner_unit"

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    period = models.DateField(_("month"))
    county = models.CharField(_("county"), max_length=64, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "period", "county"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "county"],
                name="indicatorvalue_unique",
                violation_error_message=_("One value per indicator, month and county."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.county}: {self.value}"

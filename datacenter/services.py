"""Writes of the data center: typed, atomic, each taking the acting user."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import uuid
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bureau.choices import UnitKind
from bureau.models import Unit, User
from bureau.permissions import check, jurisdiction_of, may_act_in_unit
from core.metrics import queue_length

from . import ingestion, remote, storage, workflows
from .choices import (
    Aggregation,
    EnterpriseAttribute,
    FieldType,
    JobPhase,
    JobStatus,
    Sensitivity,
    SourceFormat,
)
from .models import DataSet, DataSetShare, Enterprise, Indicator, IngestionJob, JobError, SchemaVersion
from .permissions import is_center_member, may_write_sensitive
from .sizes import classify

logger = logging.getLogger(__name__)
Actor = User | None
# Names become columns of the record table: PostgreSQL allows 63 bytes, with room for a renamed-aside copy.
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
# The records' filters are query parameters named after the fields: these names already mean something there.
RESERVED_NAMES = frozenset({"page", "page_size", "export", "ordering", "format", "q", "search"})
# Advisory lock namespaces (first key of the two-key form).
JOB_LOCK = 51_001
DATASET_LOCK = 51_002
# What sending a task raises while the broker (Redis) is unreachable.
BROKER_UNAVAILABLE = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)
EXTENSIONS = {".csv": SourceFormat.CSV, ".txt": SourceFormat.CSV, ".xlsx": SourceFormat.XLSX,
              ".jsonl": SourceFormat.JSONL, ".ndjson": SourceFormat.JSONL}  # fmt: skip


def _require_center(actor: Actor) -> None:
    if actor is not None and not is_center_member(actor):
        raise PermissionDenied(_("Only the big-data center manages the catalogue."))


# --- the catalogue ----------------------------------------------------------------------


class SchemaInvalid(ValidationError):
    """A schema's problems: `{"fields": [messages]}`, each also in `problems` with its row and column.

    A problem's row is the index of the field in the list given (None for the schema as a whole), its column
    the key of that field ("name", "type", "choices", "maps_to") or "" for the row as a whole.
    """

    def __init__(self, problems: list[tuple[int | None, str, str]]) -> None:
        super().__init__({"fields": [message for _row, _column, message in problems]})
        self.problems = problems


def clean_schema(fields: list[dict[str, Any]], natural_key: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Check a schema and return it in its stored form; raises SchemaInvalid naming each problem's row."""
    cleaned: list[dict[str, Any]] = []
    problems: list[tuple[int | None, str, str]] = []
    seen: set[str] = set()
    credit_codes = 0
    for row, f in enumerate(fields):
        name = str(f.get("name", "")).strip()
        ftype = str(f.get("type", "")).strip()
        if not NAME_RE.match(name):
            problems.append((row, "name", _("“%(name)s” is not a field name (lower-case letters, digits, _).")
                             % {"name": name}))  # fmt: skip
            continue
        if name in RESERVED_NAMES:
            reserved = _("“%(name)s” is reserved for the pages and the API; name the field otherwise.")
            problems.append((row, "name", reserved % {"name": name}))
            continue
        if name in seen:
            problems.append((row, "name", _("The field “%(name)s” appears twice.") % {"name": name}))
        seen.add(name)
        if ftype not in FieldType.values:
            problems.append((row, "type", _("The field “%(name)s” has an unknown type “%(type)s”.")
                             % {"name": name, "type": ftype}))  # fmt: skip
        choices = [str(c).strip() for c in f.get("choices") or [] if str(c).strip()]
        if ftype == FieldType.ENUM and not choices:
            problems.append((row, "choices", _("The enumeration “%(name)s” needs its values.") % {"name": name}))
        for value in sorted({c for c in choices if choices.count(c) > 1}):
            problems.append((row, "choices", _("The enumeration “%(name)s” lists “%(value)s” twice.")
                             % {"name": name, "value": value}))  # fmt: skip
        maps_to = str(f.get("maps_to") or "")
        if maps_to and maps_to not in EnterpriseAttribute.values:
            problems.append((row, "maps_to", _("The field “%(name)s” maps to an unknown attribute.") % {"name": name}))
        if ftype == FieldType.CREDIT_CODE:
            credit_codes += 1
            if credit_codes > 1:
                problems.append((row, "type", _("A schema may have one credit-code field.")))
        cleaned.append({"name": name, "label": str(f.get("label") or "").strip(), "type": ftype,
                        "required": bool(f.get("required")), "choices": choices, "maps_to": maps_to})  # fmt: skip
    if not fields:
        problems.append((None, "", _("A schema needs at least one field.")))
    key = [k.strip() for k in natural_key if k.strip()]
    if not key:
        problems.append((None, "", _("A schema needs a natural key.")))
    for k in key:
        if k not in seen:
            problems.append((None, "", _("The natural key field “%(name)s” is not in the schema.") % {"name": k}))
    if problems:
        raise SchemaInvalid(problems)
    return cleaned, key


@transaction.atomic
def dataset_create(
    *, owner_unit: Unit, code: str, name: str, frequency: str, sensitivity: str = Sensitivity.INTERNAL,
    description: str = "", fields: list[dict[str, Any]], natural_key: list[str],
    reject_threshold: Decimal = Decimal("0.05"), pull_url: str = "", actor: Actor,
) -> DataSet:  # fmt: skip
    """Register a data set with its first schema version."""
    if actor is not None and not may_act_in_unit(actor, "add", DataSet, owner_unit):
        raise PermissionDenied
    _require_center(actor)
    cleaned, key = clean_schema(fields, natural_key)
    dataset = DataSet(owner_unit=owner_unit, code=code, name=name, frequency=frequency, sensitivity=sensitivity,
                      description=description, reject_threshold=reject_threshold, pull_url=pull_url,
                      created_by=actor)  # fmt: skip
    dataset.full_clean()
    dataset.save()
    SchemaVersion.objects.create(dataset=dataset, version=1, fields=cleaned, natural_key=key, created_by=actor)
    with connection.cursor() as cursor:
        # A table left behind under this id (a test database's flushed rows) must not lend its records.
        storage.drop_table(cursor, dataset.pk)
        storage.ensure_table(cursor, dataset.pk, cleaned, key)
    return dataset


@transaction.atomic
def dataset_update(*, dataset: DataSet, actor: Actor, **changes: Any) -> DataSet:
    allowed = {"name", "description", "frequency", "sensitivity", "reject_threshold", "owner_unit", "pull_url"}
    if set(changes) - allowed:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(set(changes) - allowed))})
    dataset = DataSet.objects.select_for_update().get(pk=dataset.pk)
    if actor is not None:
        check(actor, "change", dataset)
        _require_center(actor)
    for name, value in changes.items():
        setattr(dataset, name, value)
    dataset.full_clean()
    dataset.save()
    return dataset


@transaction.atomic
def schema_change(
    *, dataset: DataSet, fields: list[dict[str, Any]], natural_key: list[str], actor: Actor
) -> SchemaVersion:
    """A new schema version; it applies to loads started after it. An unchanged schema makes no version."""
    dataset = DataSet.objects.select_for_update().get(pk=dataset.pk)
    if actor is not None:
        check(actor, "change", dataset)
        _require_center(actor)
    cleaned, key = clean_schema(fields, natural_key)
    current = dataset.current_schema
    if current is not None and current.fields == cleaned and list(current.natural_key) == key:
        return current
    version = (current.version if current else 0) + 1
    with connection.cursor() as cursor:
        # The record table takes the new columns and key now, so pages and the API can show them at once.
        storage.ensure_table(cursor, dataset.pk, cleaned, key)
    return SchemaVersion.objects.create(dataset=dataset, version=version, fields=cleaned, natural_key=key,
                                        created_by=actor)  # fmt: skip


@transaction.atomic
def dataset_share(*, dataset: DataSet, unit: Unit, actor: Actor) -> DataSetShare:
    """Open a sensitive data set to one more unit (and the units below it), to read; recorded in the history."""
    from .selectors import share_candidates

    dataset = DataSet.objects.select_for_update().select_related("owner_unit").get(pk=dataset.pk)
    if actor is not None:
        check(actor, "change", dataset)
        _require_center(actor)
    if dataset.sensitivity != Sensitivity.SENSITIVE:
        raise ValidationError(
            {"unit": _("Only a sensitive data set is shared with single units; the others follow the units' scope.")}
        )
    if DataSetShare.objects.filter(dataset=dataset, unit=unit).exists():
        raise ValidationError({"unit": _("The data set is already shared with this unit.")})
    if not share_candidates(dataset=dataset).filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": _("Choose a department, division or bureau that does not read the data set already.")}
        )
    return DataSetShare.objects.create(dataset=dataset, unit=unit, shared_by=actor)


@transaction.atomic
def dataset_unshare(*, dataset: DataSet, unit: Unit, actor: Actor) -> None:
    """Take back a share: the unit's people no longer see the data set or its records."""
    dataset = DataSet.objects.select_for_update().get(pk=dataset.pk)
    if actor is not None:
        check(actor, "change", dataset)
        _require_center(actor)
    deleted, _rows = DataSetShare.objects.filter(dataset=dataset, unit=unit).delete()
    if not deleted:
        raise ValidationError({"unit": _("The data set is not shared with this unit.")})


# --- uploads and jobs ---------------------------------------------------------------------


def format_from_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError(
            {"file": _("Upload a CSV, XLSX or JSON lines file (.csv, .xlsx, .jsonl), not “%(suffix)s”.")
             % {"suffix": suffix or name}}
        )  # fmt: skip
    return EXTENSIONS[suffix]


def store_upload(stream: IO[bytes] | Iterable[bytes], *, limit: int) -> tuple[File[Any], int, str]:
    """Copy an upload chunk by chunk into a temporary file, hashing it and stopping at the size limit."""
    import tempfile

    digest = hashlib.sha256()
    size = 0
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller inside a File
    try:
        chunks = iter(lambda: stream.read(256 * 1024), b"") if hasattr(stream, "read") else iter(stream)
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise ValidationError(
                    {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
                )
            digest.update(chunk)
            tmp.write(chunk)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return File(tmp), size, digest.hexdigest()


def job_create(
    *, dataset: DataSet, stream: IO[bytes] | Iterable[bytes], original_name: str, actor: Actor,
    declared_format: str | None = None, enqueue: bool = True,
) -> IngestionJob:  # fmt: skip
    """Store an upload and queue its job; the worker is told once the transaction commits.

    `enqueue=False` leaves the job for the caller to run with `job_run` (the demo data loads in-process).
    """
    if actor is not None:
        from .selectors import dataset_list

        if not dataset_list(user=actor).filter(pk=dataset.pk).exists():
            raise PermissionDenied
        if not may_act_in_unit(actor, "add", IngestionJob, dataset.owner_unit) or not may_write_sensitive(
            actor, dataset
        ):
            raise PermissionDenied(_("You may upload only to your own department's data sets."))
    fmt = declared_format or format_from_name(original_name)
    file, size, checksum = store_upload(stream, limit=settings.UPLOAD_MAX_BYTES)
    with file:
        if size == 0:
            raise ValidationError({"file": _("The file is empty.")})
        with transaction.atomic():
            # Read now, not from a prefetch made before the upload streamed in: the schema current when queued.
            schema = SchemaVersion.objects.filter(dataset=dataset).order_by("-version").first()
            if schema is None:
                raise ValidationError(_("The data set has no schema yet."))
            job = IngestionJob(dataset=dataset, schema_version=schema, original_name=original_name[:255],
                               declared_format=fmt, size_bytes=size, checksum=checksum, created_by=actor)  # fmt: skip
            # A generated name without the user's extension: never served, never executable.
            job.file.save(f"{uuid.uuid4().hex}.upload", file, save=False)
            job.save()
            if enqueue:
                _enqueue(job.pk)
    return job


def _remote_chunks(response: Any, limit: int) -> Iterable[bytes]:
    length = response.headers.get("Content-Length") or ""
    declared = int(length) if length.isdigit() else 0  # a malformed length is no length: the limit still holds
    if declared > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}})
    received = 0
    while chunk := response.read(256 * 1024):
        received += len(chunk)
        yield chunk
    if declared and received < declared:  # the connection closed early: http.client then just stops reading
        raise ValidationError(
            {"pull_url": _("The address sent %(got)d of the %(declared)d bytes it announced: the file is incomplete.")
             % {"got": received, "declared": declared}}
        )  # fmt: skip


def dataset_pull(*, dataset: DataSet, actor: Actor) -> IngestionJob:
    """Fetch the data set from its department's HTTP endpoint, streamed, and queue the load like an upload."""
    import http.client
    import urllib.parse

    if actor is not None:
        check(actor, "change", dataset)
        if not may_write_sensitive(actor, dataset):
            raise PermissionDenied
    url = dataset.pull_url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"pull_url": _("Only http and https addresses can be pulled.")})
    name = Path(parts.path).name or f"{dataset.code}.csv"
    if Path(name).suffix.lower() not in EXTENSIONS:
        name = f"{dataset.code}.csv"
    try:
        with remote.open_url(url, timeout=60) as response:
            return job_create(dataset=dataset, stream=_remote_chunks(response, settings.UPLOAD_MAX_BYTES),
                              original_name=name, actor=actor)  # fmt: skip
    except (OSError, http.client.HTTPException) as exc:  # refused, timed out, cut short, not HTTP at all
        forbidden = getattr(exc, "reason", exc)  # urllib wraps what the connection raised
        if isinstance(forbidden, remote.ForbiddenAddress):
            raise ValidationError(
                {"pull_url": _("The address leads to %(address)s, which the data center may not pull from.")
                 % {"address": forbidden.address}}
            ) from exc  # fmt: skip
        raise ValidationError({"pull_url": _("The address cannot be read: %(reason)s") % {"reason": exc}}) from exc


def datasets_pull_all() -> dict[str, int]:
    """Beat: pull every data set that has an address; a file that has not changed loads as a no-op repeat."""
    queued = failed = 0
    for dataset in DataSet.objects.exclude(pull_url="").order_by("pk"):
        try:
            dataset_pull(dataset=dataset, actor=None)
            queued += 1
        except Exception:  # one department's server must not stop the pulls of the others
            logger.warning("pulling data set %s failed", dataset.code, exc_info=True)
            failed += 1
    return {"queued": queued, "failed": failed}


def _enqueue(job_id: int) -> None:
    transaction.on_commit(lambda: _send_job(job_id))


def _send_job(job_id: int) -> bool:
    """Hand a queued job to the workers. While the broker is unreachable the job stays queued in
    the database (the request still succeeds) and the beat sweep sends it again (`jobs_resend_waiting`)."""
    from .tasks import run_ingestion_job

    try:
        # Nobody reads the result: not subscribing to it keeps an unreachable Redis from holding the request.
        run_ingestion_job.apply_async(args=(job_id,), queue=settings.DATACENTER_QUEUE, ignore_result=True)
    except BROKER_UNAVAILABLE:
        logger.warning("job %s stays queued: the broker is unreachable, the sweep sends it again", job_id)
        return False
    IngestionJob.objects.filter(pk=job_id).update(sent_at=timezone.now())
    return True


@contextmanager
def _job_alive_lock(job_id: int) -> Any:
    """A session advisory lock held while an attempt runs: it vanishes with a dead worker's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [JOB_LOCK, job_id])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_LOCK, job_id])


def job_run(*, job_id: int) -> IngestionJob | None:
    """Run a queued job (or one whose worker died) to the end; a no-op for a finished or live job."""
    with _job_alive_lock(job_id) as got:
        if not got:
            logger.info("job %s is running elsewhere", job_id)
            return None
        with transaction.atomic():
            job = IngestionJob.objects.select_for_update().get(pk=job_id)
            if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
                return job
            if job.attempts >= settings.DATACENTER_MAX_ATTEMPTS:
                return _finish_failed(
                    job, _("The job was interrupted %(n)d times; it is given up.") % {"n": job.attempts}
                )
            workflows.check(job.status, JobStatus.RUNNING, "worker")
            now = timezone.now()
            job.status, job.phase, job.attempts = JobStatus.RUNNING, JobPhase.READING, job.attempts + 1
            job.started_at = job.started_at or now
            job.heartbeat_at = now
            job.bytes_read = job.rows_read = 0
            job.save()
        try:
            return _load(job)
        except ingestion.JobCancelled:
            return IngestionJob.objects.get(pk=job_id)
        except ingestion.FileRejected as exc:
            return _finish_failed(job, exc.message, exc.line)
        except (OperationalError, InterfaceError):
            raise  # a lost connection and the like: the task retries it, the job stays running
        except Exception as exc:
            logger.exception("ingestion job %s crashed", job_id)
            _finish_failed(job, _("The job stopped on an internal error: %(error)s") % {"error": type(exc).__name__})
            raise


def _finish_failed(job: IngestionJob, message: str, line: int | None = None) -> IngestionJob:
    with transaction.atomic():
        job = IngestionJob.objects.select_for_update().get(pk=job.pk)
        if job.status == JobStatus.CANCELLED:
            return job
        workflows.check(job.status, JobStatus.FAILED, "worker")
        with connection.cursor() as cursor:  # what a killed worker left behind
            ingestion.drop_workspace(cursor, job.pk)
        JobError.objects.filter(job=job).delete()
        JobError.objects.create(job=job, line=line, reason=message[:255])
        job.status, job.phase, job.error = JobStatus.FAILED, JobPhase.DONE, message
        job.finished_at = timezone.now()
        job.save()
    return job


class _SideChannel:
    """A second database connection in autocommit, so progress shows while the load's transaction is open."""

    def __init__(self, job: IngestionJob) -> None:
        self.job = job
        self.conn = ingestion.autocommit_connection()

    def report(self, rows: int, nbytes: int, phase: str = JobPhase.READING, expected: int | None = None) -> None:
        if nbytes and self.job.declared_format != SourceFormat.XLSX:
            expected = max(rows, round(rows * self.job.size_bytes / nbytes)) if nbytes < self.job.size_bytes else rows
        with self.conn.cursor() as cursor:
            cursor.execute(
                """UPDATE datacenter_ingestionjob SET rows_read = %s, bytes_read = %s, rows_expected = %s,
                   phase = %s, heartbeat_at = now() WHERE id = %s RETURNING status""",
                [rows, nbytes, expected, phase, self.job.pk],
            )
            row = cursor.fetchone()
        if row is not None and row[0] == JobStatus.CANCELLED:
            raise ingestion.JobCancelled

    def phase(self, phase: str) -> None:
        with self.conn.cursor() as cursor:
            cursor.execute(
                "UPDATE datacenter_ingestionjob SET phase = %s, heartbeat_at = now() WHERE id = %s RETURNING status",
                [phase, self.job.pk],
            )
            row = cursor.fetchone()
        if row is not None and row[0] == JobStatus.CANCELLED:
            raise ingestion.JobCancelled

    def close(self) -> None:
        self.conn.close()


def county_units() -> dict[str, int]:
    """County and zone bureaus by the county's name (their name without the bureau suffix)."""
    units = Unit.objects.filter(kind__in=[UnitKind.COUNTY_BUREAU, UnitKind.ZONE_BUREAU])
    return {u.name.removesuffix("网络经济发展局"): u.pk for u in units}


def _load(job: IngestionJob) -> IngestionJob:
    dataset = job.dataset
    schema = job.schema_version
    side = _SideChannel(job)
    work: ingestion.Workspace | None = None
    outcome = ingestion.Outcome()
    try:
        path = Path(job.file.path)
        fmt, encoding, bom = ingestion.sniff(path, job.declared_format)
        outcome.encoding = encoding
        work = ingestion.Workspace(job.pk)
        with transaction.atomic(), connection.cursor() as cursor:
            # The enterprises' last lines hash the whole batch; the server's default 4 MB would spill them to
            # disk. For this transaction only.
            cursor.execute("SET LOCAL work_mem = '128MB'")
            work.attach(cursor)
            # One load per data set at a time: the repeat check and the merge see each other's results.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DATASET_LOCK, dataset.pk])
            repeat = (
                IngestionJob.objects.filter(dataset=dataset, schema_version=schema, checksum=job.checksum,
                                            status=JobStatus.SUCCEEDED).exclude(pk=job.pk).order_by("pk").first()
            )  # fmt: skip
            if repeat is None:
                # A workbook says how many rows it has; for text the total is estimated from the bytes read.
                progress = ingestion.Progress(lambda r, b: side.report(r, b, expected=progress.expected))
                labels = {f["name"]: f.get("label", "") for f in schema.fields}
                # A data set's first load writes each accepted row once, into the table it will publish.
                first_load = not storage.holds_records(cursor, dataset.pk)
                with outcome.timed("copy"):
                    columns = ingestion.stage(work.cursor, job.pk, path, fmt, encoding, bom, schema.fields,
                                              list(schema.natural_key), labels, progress, first_load)  # fmt: skip
                side.report(progress.rows, progress.bytes, JobPhase.VALIDATING)
                batch = ingestion.Batch(
                    job_id=job.pk, dataset_id=dataset.pk, fields=schema.fields, natural_key=list(schema.natural_key),
                    stage_columns=columns, city_unit_id=jurisdiction_of(dataset.owner_unit).pk,
                    county_units=county_units(), threshold=dataset.reject_threshold,
                    sensitive=dataset.sensitivity == Sensitivity.SENSITIVE, first_load=first_load,
                )  # fmt: skip
                JobError.objects.filter(job=job).delete()
                ingestion.validate_and_merge(cursor, work, batch, outcome, side.phase)
            locked = IngestionJob.objects.select_for_update().get(pk=job.pk)
            if locked.status == JobStatus.CANCELLED:
                raise ingestion.JobCancelled
            job = locked
            job.encoding = outcome.encoding
            job.phase = JobPhase.DONE
            job.finished_at = timezone.now()
            if repeat is not None:
                job.duplicate_of = repeat
                job.status = JobStatus.SUCCEEDED
            elif outcome.threshold_exceeded:
                job.status = JobStatus.FAILED
                share = outcome.rows_rejected / outcome.rows_read
                job.error = _(
                    "%(rejected)d of %(read)d rows (%(share).1f%%) were rejected, more than the threshold of "
                    "%(threshold).1f%%: nothing was loaded. See the error report."
                ) % {"rejected": outcome.rows_rejected, "read": outcome.rows_read, "share": share * 100,
                     "threshold": float(dataset.reject_threshold) * 100}  # fmt: skip
            else:
                job.status = JobStatus.SUCCEEDED
            workflows.check(JobStatus.RUNNING, job.status, "worker")
            for name in ("rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected",
                         "rows_duplicate"):  # fmt: skip
                setattr(job, name, getattr(outcome, name))
            job.rows_expected = outcome.rows_read if repeat is None else job.rows_expected
            job.timings = outcome.timings
            job.save()
            if job.status == JobStatus.SUCCEEDED and outcome.rows_inserted:
                DataSet.objects.filter(pk=dataset.pk).update(record_count=F("record_count") + outcome.rows_inserted)
            if job.status == JobStatus.SUCCEEDED and repeat is None:
                _enqueue_indicators(dataset.pk)
        logger.info("ingestion job %s %s", job.pk, job.status, extra={"job": job.pk, "timings": outcome.timings,
                    "rows": outcome.rows_read})  # fmt: skip
    finally:
        side.close()
        if work is not None:
            work.close()
    return job


def _enqueue_indicators(dataset_id: int) -> None:
    from .tasks import compute_indicators

    def send() -> None:
        try:
            compute_indicators.apply_async(args=(dataset_id,), ignore_result=True)
        except BROKER_UNAVAILABLE:
            logger.warning("indicators of data set %s not recomputed: the broker is unreachable", dataset_id)

    if Indicator.objects.filter(dataset_id=dataset_id).exists():
        transaction.on_commit(send)


@transaction.atomic
def job_cancel(*, job: IngestionJob, actor: Actor) -> IngestionJob:
    """Stop a queued or running job; the worker notices within a second and commits nothing."""
    job = IngestionJob.objects.select_for_update().get(pk=job.pk)
    if actor is not None:
        check(actor, "change", job)
        if not may_write_sensitive(actor, job.dataset):
            raise PermissionDenied
    workflows.check(job.status, JobStatus.CANCELLED, "user")
    job.status, job.phase, job.finished_at = JobStatus.CANCELLED, JobPhase.DONE, timezone.now()
    job.error = _("Cancelled by %(user)s.") % {"user": actor or _("the system")}
    job.save()
    return job


@transaction.atomic
def job_retry(*, job: IngestionJob, actor: Actor) -> IngestionJob:
    """Queue a failed or cancelled job again, from scratch, against the data set's current schema."""
    job = IngestionJob.objects.select_for_update().get(pk=job.pk)
    if actor is not None:
        check(actor, "change", job)
        if not may_write_sensitive(actor, job.dataset):
            raise PermissionDenied
    workflows.check(job.status, JobStatus.QUEUED, "user")
    JobError.objects.filter(job=job).delete()
    schema = job.dataset.current_schema
    assert schema is not None
    job.schema_version = schema
    job.status, job.phase, job.error, job.attempts = JobStatus.QUEUED, JobPhase.WAITING, "", 0
    job.started_at = job.finished_at = job.heartbeat_at = None
    for name in ("bytes_read", "rows_read", "rows_inserted", "rows_updated", "rows_unchanged", "rows_rejected",
                 "rows_duplicate"):  # fmt: skip
        setattr(job, name, 0)
    job.rows_expected = None
    job.save()
    _enqueue(job.pk)
    return job


def jobs_sweep_stale() -> dict[str, int]:
    """Beat: a running job whose heartbeat stopped and whose worker is gone is retried, or failed after the limit."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.DATACENTER_STALE_SECONDS)
    retried = failed = 0
    stale = IngestionJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True)
    for job_id in list(stale):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [JOB_LOCK, job_id])
                if not cursor.fetchone()[0]:
                    continue  # a live worker holds it
            job = IngestionJob.objects.select_for_update().get(pk=job_id)
            if job.status != JobStatus.RUNNING:
                continue
            if job.attempts >= settings.DATACENTER_MAX_ATTEMPTS:
                workflows.check(job.status, JobStatus.FAILED, "sweep")
                job.status, job.phase, job.finished_at = JobStatus.FAILED, JobPhase.DONE, timezone.now()
                job.error = _("The worker stopped responding %(n)d times; the job is given up.") % {"n": job.attempts}
                job.save()
                JobError.objects.create(job=job, reason=job.error[:255])
                with connection.cursor() as cursor:  # what the killed workers left behind
                    ingestion.drop_workspace(cursor, job.pk)
                failed += 1
            else:
                _enqueue(job.pk)
                retried += 1
    return {"retried": retried, "failed": failed}


def jobs_resend_waiting() -> dict[str, int]:
    """Beat: send the jobs still queued after DATACENTER_REQUEUE_SECONDS whose message never reached the
    broker (it was down when they were created), or was lost there (a Redis restarted without its data).
    A second message for a job is harmless: `job_run` runs a job once (advisory lock and status check)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.DATACENTER_REQUEUE_SECONDS)
    waiting = IngestionJob.objects.filter(status=JobStatus.QUEUED, created_at__lte=cutoff).order_by("pk")
    unsent = list(waiting.filter(sent_at__isnull=True).values_list("pk", flat=True))
    sent = list(waiting.filter(sent_at__lte=cutoff).values_list("pk", flat=True))
    # Sent and still waiting is a backlog while the broker's queue holds as many messages; fewer, and some were lost.
    lost = sent if sent and (queue_length(settings.DATACENTER_QUEUE) or 0) < len(sent) else []
    return {"resent": sum(_send_job(job_id) for job_id in [*unsent, *lost])}


# --- the enterprise master ----------------------------------------------------------------


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, actor: Actor, **changes: Any) -> Enterprise:
    """Correct an enterprise's attributes; its size class follows MIIT's rules."""
    allowed = {"name", "county", "industry", "employees", "revenue", "chain_segment", "fields"}
    if set(changes) - allowed:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(set(changes) - allowed))})
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if actor is not None:
        check(actor, "change", enterprise)
    for name, value in changes.items():
        setattr(enterprise, name, value)
    enterprise.size_class = classify(enterprise.industry, enterprise.employees, enterprise.revenue)
    enterprise.full_clean()
    enterprise.save()
    return enterprise


# --- indicators ----------------------------------------------------------------------------


@transaction.atomic
def indicator_create(
    *, dataset: DataSet, code: str, name: str, aggregation: str, date_field: str, value_field: str = "",
    county_field: str = "", unit_label: str = "", actor: Actor,
) -> Indicator:  # fmt: skip
    if actor is not None and not may_act_in_unit(actor, "add", Indicator, dataset.owner_unit):
        raise PermissionDenied
    _require_center(actor)
    schema = dataset.current_schema
    types = {f["name"]: f["type"] for f in (schema.fields if schema else [])}
    errors: dict[str, str] = {}
    if types.get(date_field) != FieldType.DATE:
        errors["date_field"] = _("Choose a date field of the data set.")
    if aggregation != Aggregation.COUNT and types.get(value_field) not in (FieldType.INTEGER, FieldType.DECIMAL):
        errors["value_field"] = _("Choose a number field of the data set.")
    if county_field and county_field not in types:
        errors["county_field"] = _("Choose a field of the data set.")
    if errors:
        raise ValidationError(errors)
    indicator = Indicator(dataset=dataset, code=code, name=name, aggregation=aggregation, date_field=date_field,
                          value_field=value_field, county_field=county_field, unit_label=unit_label)  # fmt: skip
    indicator.full_clean()
    indicator.save()
    _enqueue_indicators(dataset.pk)
    return indicator


@transaction.atomic
def indicators_compute(*, dataset_id: int) -> int:
    """Rebuild the values of the data set's indicators by month and county (and all counties), in SQL."""
    count = 0
    t = storage.table(dataset_id)
    with connection.cursor() as cursor:
        have = storage.columns(cursor, dataset_id)
    for indicator in Indicator.objects.select_for_update().filter(dataset_id=dataset_id).order_by("pk"):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM datacenter_indicatorvalue WHERE indicator_id = %s", [indicator.pk])
            used = [indicator.date_field, indicator.county_field, indicator.value_field]
            if any(name and name not in have for name in used):
                continue  # a field the records do not have (yet): no values rather than an error
            date = storage.ident(indicator.date_field)
            # A date field stored as text (a schema changed under it) is read where it is a date.
            period = date if have[indicator.date_field] == "date" else (
                f"CASE WHEN pg_input_is_valid({date}::text, 'date') THEN {date}::text::date END")  # fmt: skip
            county = f"coalesce({storage.ident(indicator.county_field)}::text, '')" if indicator.county_field else "''"
            value = storage.ident(indicator.value_field) if indicator.value_field else ""
            if value and have[indicator.value_field] not in ("bigint", "numeric"):
                value = f"CASE WHEN pg_input_is_valid({value}::text, 'numeric') THEN {value}::text::numeric END"
            aggregate = {"sum": f"sum({value})", "avg": f"avg({value})", "count": "count(*)"}[indicator.aggregation]
            cursor.execute(
                f"""INSERT INTO datacenter_indicatorvalue (indicator_id, period, county, value)
                SELECT %s, period, coalesce(county, ''), round(v, 4) FROM (
                    SELECT date_trunc('month', {period})::date AS period, {county} AS county, {aggregate} AS v
                    FROM {t} WHERE {period} IS NOT NULL
                    GROUP BY GROUPING SETS ((1, 2), (1))) AS g
                WHERE v IS NOT NULL AND (county IS NULL OR county <> '')""",  # noqa: S608 - identifiers from the schema
                [indicator.pk],
            )
            count += cursor.rowcount
        Indicator.objects.filter(pk=indicator.pk).update(computed_at=timezone.now())
    return count

# ruff: noqa: S608, E501
# The SQL here is assembled from constant fragments and schema field names that
# services.clean_schema restricts to [a-z0-9_]; every value from a file or a user is a parameter.
"""The set-based ingestion engine behind `services.job_run`.

The file is never loaded whole: it is streamed into a text staging table with COPY
(PostgreSQL converts the encoding), then every check, cast, rejection and the merge
are SQL statements over the whole batch, as CKAN's xloader does. XLSX and JSON lines
are converted row by row into the same CSV stream. Everything happens in one
transaction: the accepted rows commit together, or nothing does.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pgtrigger
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from core.history import set_based_audit

from . import storage
from .choices import FALSE_WORDS, INDUSTRY_NAMES, TRUE_WORDS, EnterpriseAttribute, FieldType, Industry, SourceFormat
from .sizes import classify_sql

if TYPE_CHECKING:
    from . import vectorised

SAMPLE_BYTES = 1024 * 1024
READ_CHUNK = 256 * 1024
PROGRESS_EVERY_SECONDS = 0.5
MAX_ERROR_ROWS = 100_000
# Python's str.strip() whitespace among the characters a cell may hold, for the credit-code check.
WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
CELL_TRIM = " \t\r\n\u3000"
FULL_WIDTH = "０１２３４５６７８９．，－＋"
HALF_WIDTH = "0123456789.,-+"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class FileRejected(Exception):
    """The whole file is refused; nothing is loaded. `line` is where, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class JobCancelled(Exception):
    """A user cancelled the job while it ran."""


@dataclass
class Outcome:
    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    encoding: str = ""
    threshold_exceeded: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, for the log and the benchmark

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[step] = round(self.timings.get(step, 0.0) + time.monotonic() - started, 3)


# --- the credit-code check in SQL -------------------------------------------------------


def _stdnum_char_map() -> tuple[str, str]:
    """python-stdnum's own table of Unicode look-alikes (full-width digits, dashes, spaces...) and their ASCII.

    Taken from the pinned library itself, so the SQL cleans a code exactly as stdnum's clean() does.
    """
    from stdnum.util import _char_map

    return "".join(_char_map), "".join(_char_map.values())


def uscc_compact_sql(code: str) -> str:
    """stdnum's compact(): map look-alike characters to ASCII, drop spaces and hyphens, strip whitespace, upper-case."""
    look_alikes, ascii_ = _stdnum_char_map()
    mapped = translate_non_ascii_sql(code, sql_literal(look_alikes), sql_literal(ascii_))
    return f"upper(btrim(translate({mapped}, ' -', ''), {sql_literal(WHITESPACE)}))"


def translate_non_ascii_sql(text: str, source: str, target: str) -> str:
    """translate() for tables of non-ASCII characters: all-ASCII text (one byte a character) skips the work."""
    return f"(CASE WHEN octet_length({text}) = char_length({text}) THEN {text} ELSE translate({text}, {source}, {target}) END)"


def uscc_valid_compact_sql(c: str) -> str:
    """Is the compacted code `c` (a SQL expression, used several times: pass a column) a valid USCC?

    18 characters: 8 digits, then 10 of the 31-character alphabet; check character by GB 32100-2015.
    """
    terms = " + ".join(
        f"(strpos('{USCC_ALPHABET}', substr({c}, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(USCC_WEIGHTS)
    )
    return (
        f"({c} ~ '^[0-9]{{8}}[0-9A-HJ-NPQRTUWXY]{{10}}$' AND "
        f"substr({c}, 18, 1) = substr('{USCC_ALPHABET}', mod(31 - mod({terms}, 31), 31) + 1, 1))"
    )


def uscc_check_sql(code: str) -> str:
    """A SQL boolean expression: is `code` (a SQL text expression) a valid USCC, as python-stdnum's cn.uscc says."""
    return f"(SELECT {uscc_valid_compact_sql('c')} FROM (SELECT {uscc_compact_sql(code)} AS c) AS uscc)"


def sql_literal(value: str) -> str:
    """A SQL string literal (E'' form) for constant text built here, never for user input."""
    escaped = value.replace("\\", "\\\\").replace("'", "''")
    out = "".join(ch if ch.isprintable() and ch not in "\x85\xa0" else f"\\u{ord(ch):04x}" for ch in escaped)
    return f"E'{out}'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- sniffing: format and encoding ----------------------------------------------------


def sniff(path: Path, declared: str) -> tuple[str, str, int]:
    """(format, PostgreSQL encoding name, bytes of BOM to skip) from the file's first bytes."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if not sample.strip():
        raise FileRejected(_("The file is empty."))
    is_zip = sample.startswith(b"PK\x03\x04")
    if declared == SourceFormat.XLSX and not is_zip:
        raise FileRejected(_("The file is not an Excel workbook (XLSX), although its name says so."))
    if is_zip and declared != SourceFormat.XLSX:
        raise FileRejected(_("The file is a ZIP archive (perhaps a workbook), not the text file its name says."))
    if is_zip:
        return SourceFormat.XLSX, "UTF8", 0
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(_("The file is UTF-16 text; save it as UTF-8 or GB18030."))
    if b"\x00" in sample:
        raise FileRejected(_("The file holds binary data, not text."))
    bom = 3 if sample.startswith(codecs.BOM_UTF8) else 0
    body = sample[bom:]
    encoding = ""
    for python_name, pg_name in (("utf-8", "UTF8"), ("gb18030", "GB18030")):
        try:
            codecs.getincrementaldecoder(python_name)().decode(body, final=len(sample) < SAMPLE_BYTES)
        except UnicodeDecodeError:
            continue
        encoding = pg_name
        break
    if not encoding:
        raise FileRejected(_("The file is neither UTF-8 nor GB18030 (GBK) text."))
    looks_json = body.lstrip()[:1] == b"{"
    if declared == SourceFormat.JSONL and not looks_json:
        raise FileRejected(_("The file is not JSON lines: its first line is not a JSON object."))
    if declared == SourceFormat.CSV and looks_json:
        raise FileRejected(_("The file holds JSON lines, not CSV as its name says."))
    if looks_json and encoding != "UTF8":
        raise FileRejected(_("JSON lines must be UTF-8."))
    return declared, encoding, bom


# --- streams that feed COPY -----------------------------------------------------------


class Progress:
    """Counts rows and bytes as COPY reads, and reports them at most twice a second."""

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self.report = report
        self.expected: int | None = None  # rows, when the format tells (a workbook's dimension)
        self.rows = 0
        self.bytes = 0
        self.last = 0.0

    def tick(self, rows: int, nbytes: int, force: bool = False) -> None:
        self.rows += rows
        self.bytes += nbytes
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            self.report(self.rows, self.bytes)


class CsvSource:
    """The raw CSV bytes after the header, read in chunks; refuses a line longer than the limit."""

    def __init__(self, raw: IO[bytes], progress: Progress, first_line: int) -> None:
        self.raw = raw
        self.progress = progress
        self.limit = settings.DATACENTER_MAX_LINE_BYTES
        self.current = 0  # length of the line being read
        self.line = first_line

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(min(READ_CHUNK, self.limit))
        if not chunk:
            self.progress.tick(0, 0, force=True)
            return b""
        first = chunk.find(b"\n")
        if first < 0:
            self.current += len(chunk)
        else:
            if self.current + first > self.limit:
                self._too_long()
            self.current = len(chunk) - chunk.rfind(b"\n") - 1
        if self.current > self.limit:
            self._too_long()
        newlines = chunk.count(b"\n")
        self.line += newlines
        self.progress.tick(newlines, len(chunk))
        return chunk

    def _too_long(self) -> None:
        raise FileRejected(
            _("Line %(line)d is longer than %(limit)d bytes.") % {"line": self.line + 1, "limit": self.limit},
            line=self.line + 1,
        )

    def readline(self, size: int = -1) -> bytes:  # psycopg2 only calls read()
        return self.read(size)


class RowsSource:
    """CSV bytes (UTF-8) generated from rows of another format, for the same COPY."""

    def __init__(self, rows: Iterator[list[str]], progress: Progress, position: Callable[[], int]) -> None:
        self.rows = rows
        self.progress = progress
        self.position = position
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def read(self, size: int = -1) -> bytes:
        count = 0
        for row in self.rows:
            self.writer.writerow(row)
            count += 1
            if count >= 2000:
                break
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        before = self.progress.bytes
        self.progress.tick(count, max(self.position() - before, 0), force=not data)
        return data

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def check_workbook(path: Path) -> None:
    """Refuse zip bombs, several sheets and merged cells before openpyxl reads anything."""
    limit = settings.DATACENTER_XLSX_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unpacked = sum(i.file_size for i in infos)
            if unpacked > limit or any(i.compress_size and i.file_size / i.compress_size > 1000 for i in infos):
                raise FileRejected(
                    _("The workbook would unpack to %(size)d MB, far more than its size: refused as a zip bomb.")
                    % {"size": unpacked // (1024 * 1024)}
                )
            sheets = [i for i in infos if re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename)]
            if "xl/workbook.xml" not in zf.namelist() or not sheets:
                raise FileRejected(_("The file is a ZIP archive but not an Excel workbook."))
            if len(sheets) > 1:
                raise FileRejected(
                    _("The workbook has %(n)d sheets; put the data in one sheet per file.") % {"n": len(sheets)}
                )
            merged: list[bytes] = []
            tail = b""
            with zf.open(sheets[0]) as sheet:
                while chunk := sheet.read(READ_CHUNK):
                    merged += re.findall(rb'<mergeCell ref="([A-Z0-9:]+)"', tail + chunk)
                    tail = chunk[-64:]
            if merged:
                refs = ", ".join(sorted({m.decode() for m in merged})[:5])
                raise FileRejected(_("The sheet has merged cells (%(refs)s); unmerge them first.") % {"refs": refs})
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("The workbook is damaged: %(reason)s") % {"reason": exc}) from exc


def xlsx_rows(path: Path, names: list[str], labels: dict[str, str]) -> tuple[Iterator[list[str]], int | None]:
    """Data rows of the single sheet as text, in schema order, with a trailing `bad` column."""
    from openpyxl import load_workbook

    check_workbook(path)
    handle = path.open("rb")  # a file object: openpyxl would refuse our neutral file name
    try:
        wb = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        handle.close()
        raise FileRejected(_("The workbook cannot be read: %(reason)s") % {"reason": exc}) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [cell_text(v).strip() for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    positions = match_header(header, names, labels)
    expected = (ws.max_row - 1) if ws.max_row else None
    width = len(header)

    def generate() -> Iterator[list[str]]:
        try:
            for row in rows:
                values = [cell_text(v) for v in row]
                extra = [v for v in values[width:] if v.strip()]
                values = (values + [""] * width)[:width]
                bad = _("more values than the header has columns") if extra else ""
                yield [values[p] for p in positions] + [bad]
        finally:
            wb.close()
            handle.close()

    return generate(), expected


def jsonl_rows(raw: IO[bytes], names: list[str]) -> Iterator[list[str]]:
    """Rows from JSON lines, in schema order, with a trailing `bad` column; blank lines are skipped."""
    limit = settings.DATACENTER_MAX_LINE_BYTES
    known = set(names)
    number = 0
    while True:
        line = raw.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            raise FileRejected(
                _("Line %(line)d is longer than %(limit)d bytes.") % {"line": number, "limit": limit}, line=number
            )
        if not line.strip():
            yield [""] * len(names) + [_("empty line")]
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            yield [""] * len(names) + [_("not a JSON object")]
            continue
        if not isinstance(obj, dict):
            yield [""] * len(names) + [_("not a JSON object")]
            continue
        unknown = sorted(set(obj) - known)
        nested = [k for k, v in obj.items() if isinstance(v, dict | list)]
        bad = ""
        if unknown:
            bad = _("unknown fields: %(names)s") % {"names": ", ".join(unknown)}
        elif nested:
            bad = _("nested values in: %(names)s") % {"names": ", ".join(nested)}
        yield [cell_text(obj.get(n)) for n in names] + [bad]


def match_header(header: list[str], names: list[str], labels: dict[str, str]) -> list[int]:
    """Positions of the schema's fields in the header (by name or label); refuses a header that doesn't match."""
    by_label = {label: name for name, label in labels.items() if label}
    columns = [by_label.get(h, h) for h in header]
    missing = [n for n in names if n not in columns]
    unknown = [h for h, c in zip(header, columns, strict=True) if c not in names]
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if missing or unknown or doubled:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        if doubled:
            parts.append(_("repeated columns: %(names)s") % {"names": ", ".join(doubled)})
        raise FileRejected(_("The header does not match the schema (%(parts)s).") % {"parts": "; ".join(parts)}, 1)
    return [columns.index(n) for n in names]


def read_csv_header(raw: IO[bytes], encoding: str, names: list[str], labels: dict[str, str]) -> tuple[list[int], int]:
    """Reads the header line; returns the positions of the schema's fields in it and the column count."""
    limit = settings.DATACENTER_MAX_LINE_BYTES
    line = raw.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        raise FileRejected(_("Line %(line)d is longer than %(limit)d bytes.") % {"line": 1, "limit": limit}, line=1)
    text = line.decode("utf-8" if encoding == "UTF8" else "gb18030", errors="replace")
    header = [h.strip(CELL_TRIM) for h in next(csv.reader([text]), [])]
    if not any(header):
        raise FileRejected(_("The file has no header line."), 1)
    return match_header(header, names, labels), len(header)


# --- the SQL over the batch -----------------------------------------------------------

PG_MESSAGES = {
    "extra data after last expected column": lambda: _("more values than the header has columns"),
    "missing data for column": lambda: _("fewer values than the header has columns"),
    "unterminated CSV quoted field": lambda: _("a quoted value is never closed"),
    "invalid byte sequence": lambda: _("bytes that are not valid in the file's encoding"),
    "character with byte sequence": lambda: _("a character that has no equivalent in UTF-8"),
}


def copy_error(exc: Exception, line_offset: int) -> FileRejected:
    """A COPY failure as a file-level error naming the line, in the user's words."""
    diag = getattr(exc, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(exc)).strip()
    context = getattr(diag, "context", None) or ""
    match = re.search(r"line (\d+)", context)
    line = int(match.group(1)) + line_offset if match else None
    reason = next((text() for key, text in PG_MESSAGES.items() if key in primary), primary)
    if line is not None:
        return FileRejected(_("Line %(line)d: %(reason)s.") % {"line": line, "reason": reason}, line)
    return FileRejected(_("The file cannot be read: %(reason)s.") % {"reason": reason})


def slow_value_sql(ftype: str, t: str, choices: list[str]) -> str:
    """The typed value of one cell from its trimmed text `t`, taking every form the portal accepts
    (thousands separators, full-width digits, dates in Chinese or compact form); NULL when invalid.

    Costly, so `value_sql` calls it only for cells that are not already in their plain form.
    """
    digits = translate_non_ascii_sql(t, f"'{FULL_WIDTH}'", f"'{HALF_WIDTH}'")
    # A number is checked by PostgreSQL's own input function once the text is known to hold only digits,
    # signs and a point: the input function alone would also take 0x1F, 1_000, 1e5 or NaN.
    if ftype == FieldType.INTEGER:
        return (
            f"(CASE WHEN translate({digits}, '0123456789+-', '') = '' AND pg_input_is_valid({digits}, 'bigint') "
            f"THEN ({digits})::bigint "
            f"WHEN {digits} ~ '^[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+$' AND pg_input_is_valid(replace({digits}, ',', ''), 'bigint') "
            f"THEN replace({digits}, ',', '')::bigint END)"
        )
    if ftype == FieldType.DECIMAL:
        return (
            f"(CASE WHEN translate({digits}, '0123456789+-.', '') = '' AND length({digits}) <= 40 "
            f"AND pg_input_is_valid({digits}, 'numeric') THEN ({digits})::numeric "
            f"WHEN {digits} ~ '^[+-]?[0-9]{{1,3}}(,[0-9]{{3}}){{1,12}}(\\.[0-9]+)?$' THEN replace({digits}, ',', '')::numeric END)"
        )
    if ftype == FieldType.DATE:
        iso = (
            f"(CASE WHEN {digits} ~ '^[0-9]{{4}}[-/.年][0-9]{{1,2}}[-/.月][0-9]{{1,2}}日?([ T][0-9:.]+)?$' "
            f"THEN regexp_replace({digits}, '^([0-9]{{4}})[-/.年]([0-9]{{1,2}})[-/.月]([0-9]{{1,2}})日?.*$', '\\1-\\2-\\3') "
            f"WHEN {digits} ~ '^[0-9]{{8}}$' THEN substr({digits}, 1, 4) || '-' || substr({digits}, 5, 2) || '-' || substr({digits}, 7, 2) END)"
        )
        return f"(CASE WHEN pg_input_is_valid({iso}, 'date') THEN ({iso})::date END)"
    if ftype == FieldType.BOOLEAN:
        return yes_no_sql(f"lower({t})")
    if ftype == FieldType.ENUM:
        return one_of_sql(t, choices)
    return t


def yes_no_sql(text: str) -> str:
    return f"(CASE WHEN {text} IN ({words(TRUE_WORDS)}) THEN true WHEN {text} IN ({words(FALSE_WORDS)}) THEN false END)"


def one_of_sql(text: str, choices: list[str]) -> str:
    return f"(CASE WHEN {text} IN ({words(choices)}) THEN {text} END)"


def words(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(sql_literal(v) for v in values) or "NULL"


def trimmed_sql(raw: str) -> str:
    return f"NULLIF(btrim({raw}, {sql_literal(CELL_TRIM)}), '')"


def value_sql(ftype: str, raw: str, choices: list[str]) -> str:
    """The typed value of the raw cell `raw`: a cheap test takes the plain form most cells come in, and only
    the others go through `slow_value_sql` (CASE evaluates a branch only when it is taken)."""
    t = trimmed_sql(raw)
    slow = slow_value_sql(ftype, t, choices)
    # The plain form is the one PostgreSQL prints back: parse, print, compare. That turns away what its input
    # functions take but a department never means (0x1F, 1_000, 1e5, 'epoch', 03/04/2024...), which then go to
    # the slow path and its stricter rules. Needs DateStyle ISO (set by the job) for dates.
    if ftype in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE):
        sql = storage.SQL_TYPES[ftype]
        fast = f"pg_input_is_valid({raw}, '{sql}') AND ({raw})::{sql}::text = {raw}"
        if ftype == FieldType.DECIMAL:  # numeric prints NaN and Infinity back as they came
            fast += f" AND {raw} NOT IN ('NaN', 'Infinity', '-Infinity')"
        return f"(CASE WHEN {fast} THEN ({raw})::{sql} ELSE {slow} END)"
    # A cell exactly as listed needs no trimming or case folding (COALESCE evaluates lazily too).
    if ftype == FieldType.BOOLEAN:
        return f"COALESCE({yes_no_sql(raw)}, {slow})"
    if ftype == FieldType.ENUM:
        return f"COALESCE({one_of_sql(raw, choices)}, {slow})"
    return t


def invalid_reason(ftype: str, choices: list[str]) -> str:
    reasons: dict[str, str] = {
        FieldType.INTEGER: _("not a whole number"),
        FieldType.DECIMAL: _("not a number (use digits, an optional decimal point and thousands commas)"),
        FieldType.DATE: _("not a date in an unambiguous format (such as 2024-03-31 or 2024年3月31日)"),
        FieldType.BOOLEAN: _("not yes or no"),
        FieldType.CREDIT_CODE: _("not a valid unified social credit code (wrong form or check character)"),
    }
    if ftype == FieldType.ENUM:
        return _("not one of: %(choices)s") % {"choices": ", ".join(choices)}
    return reasons.get(ftype, _("invalid value"))


@dataclass
class Batch:
    """What the SQL needs to know about one load."""

    job_id: int
    dataset_id: int
    fields: list[dict[str, Any]]
    natural_key: list[str]
    stage_columns: list[str]  # for each schema field, its staging column
    city_unit_id: int
    county_units: dict[str, int]
    threshold: Decimal
    sensitive: bool = False  # the data set's records are for its owner and the center alone
    # The data set held no records when the job began, and its lock keeps it so: dc_norm is logged, to become
    # its record table, and no record is merged.
    first_load: bool = False

    @property
    def work(self) -> str:
        """The schema of the job's working tables (dc_stage, dc_uscc, dc_norm, dc_dup)."""
        return stage_schema(self.job_id)

    def required(self, f: dict[str, Any]) -> bool:
        return bool(f.get("required")) or f["name"] in self.natural_key

    def values(self, collate: bool = False, alias: str = "") -> list[str]:
        """Every field's column of dc_norm (v0, v1...), text in the record table's byte order if `collate`,
        qualified by `alias` where a record table's columns (named by the data set) could shadow them."""
        text = [collate and storage.SQL_TYPES[f["type"]] == "text" for f in self.fields]
        prefix = f"{alias}." if alias else ""
        return [f"{prefix}v{i}" + (storage.TEXT_COLLATION if t else "") for i, t in enumerate(text)]

    def key_values(self, collate: bool = False, alias: str = "") -> list[str]:
        """The natural key's columns of dc_norm, as `values` gives them."""
        by_name = dict(zip((f["name"] for f in self.fields), self.values(collate, alias), strict=True))
        return [by_name[k] for k in self.natural_key]


def validate_and_merge(
    cursor: Any, work: Workspace, batch: Batch, outcome: Outcome, on_phase: Callable[[str], None]
) -> None:
    """Validate, reject and merge the staged rows (tables dc_stage and dc_norm) with set-based SQL.

    The working tables are written on the workspace's connection; `cursor`, in the job's transaction, writes
    what the load publishes: the error report, the enterprise master and the records.
    """
    on_phase("validating")
    fields = batch.fields
    codes = [i for i, f in enumerate(fields) if f["type"] == FieldType.CREDIT_CODE]
    if codes:
        with outcome.timed("credit codes"):
            # Cleaning a code and its check character are the costliest tests of a row: done once per distinct
            # text (monthly figures repeat each code every month) and joined back.
            every = " UNION ALL ".join(f"SELECT {batch.stage_columns[i]} AS raw FROM dc_stage" for i in codes)
            work.cursor.execute(
                f"""CREATE UNLOGGED TABLE {batch.work}.dc_uscc AS
            SELECT raw, CASE WHEN {uscc_valid_compact_sql("code")} THEN code END AS code
            FROM (SELECT raw, {uscc_compact_sql("raw")} AS code FROM (SELECT DISTINCT raw FROM ({every}) AS e) AS d WHERE raw IS NOT NULL OFFSET 0) AS c"""
            )
            work.cursor.execute("ANALYZE dc_uscc")
    values = []
    for i, f in enumerate(fields):
        raw = f"s.{batch.stage_columns[i]}"
        values.append(f"u{i}.code" if i in codes else value_sql(f["type"], raw, f.get("choices") or []))
    joins = "".join(f" LEFT JOIN dc_uscc AS u{i} ON u{i}.raw = s.{batch.stage_columns[i]}" for i in codes)
    # A row is rejected for a file-level problem (`bad`), a required value missing, or a value given but
    # invalid; "given" is tested only once the value came out NULL.
    rejected = " OR ".join(
        ["bad IS NOT NULL"]
        + [
            f"v{i} IS NULL" if batch.required(f) else f"(v{i} IS NULL AND {trimmed_sql(f'r{i}')} IS NOT NULL)"
            for i, f in enumerate(fields)
        ]
    )
    raws = ", ".join(f"s.{c} AS r{i}" for i, c in enumerate(batch.stage_columns))
    vs = ", ".join(batch.values())
    with outcome.timed("normalise"):
        work.cursor.execute(
            # Fenced with OFFSET 0 so each value is computed once, then tested for the rejection.
            f"""INSERT INTO dc_norm (ln, {vs}, rejected)
        SELECT ln, {vs}, ({rejected}) AS rejected FROM (
            SELECT s.ln, NULLIF(s.bad, '') AS bad, {raws}, {", ".join(f"{v} AS v{i}" for i, v in enumerate(values))}
            FROM dc_stage s{joins} OFFSET 0) AS n"""
        )
    work.cursor.execute("SELECT count(*), count(*) FILTER (WHERE rejected) FROM dc_norm")
    outcome.rows_read, outcome.rows_rejected = work.cursor.fetchone()
    if outcome.rows_read == 0:
        raise FileRejected(_("The file has a header but no rows."))
    if outcome.rows_rejected:
        with outcome.timed("errors"):
            report_rejected(cursor, batch)
    if Decimal(outcome.rows_rejected) > batch.threshold * outcome.rows_read:
        outcome.threshold_exceeded = True
        return

    on_phase("merging")
    accepted = outcome.rows_read - outcome.rows_rejected
    storage.ensure_table(cursor, batch.dataset_id, fields, batch.natural_key)
    # A first load's dc_norm becomes the record table: its key index is built on the workspace's connection
    # while this one merges the enterprises, two statements on two cores (docs/benchmarks.md).
    building = None
    if batch.first_load:
        if outcome.rows_rejected:  # reported already; the table keeps only what it publishes
            work.cursor.execute("DELETE FROM dc_norm WHERE rejected")
        building = work.start(index_in_place, batch, outcome)
        # Both cores are taken by the two statements: parallel workers for this one would only contend with them.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    try:
        if codes:
            with outcome.timed("enterprises"):
                merge_enterprises(cursor, batch, codes[0])
    except BaseException:
        work.abandon(building)
        raise
    with outcome.timed("records"):
        built = work.wait(building)
        if built is not None:
            publish_in_place(cursor, batch)
            inserted, updated = built, 0
        else:  # none built, or a key sent twice (its unique index refused it): the long way, which reports it
            inserted, updated = write_checked(cursor, batch, outcome)
    outcome.rows_inserted, outcome.rows_updated = inserted, updated
    outcome.rows_unchanged = accepted - outcome.rows_duplicate - inserted - updated


def write_checked(cursor: Any, batch: Batch, outcome: Outcome) -> tuple[int, int]:
    """Write the records in the job's transaction; a key the file holds twice is reported, its last line wins."""
    # Most files hold each key once: the write is tried as is, and only a file with repeated keys pays for
    # finding them (the new table's unique index refuses them on a bulk load, one on the batch on a merge).
    try:
        with transaction.atomic():  # a savepoint, rolled back when the write is refused
            if not batch.first_load:
                # ON CONFLICT notices a key sent twice only when its earlier line changed the record; this
                # index finds every one.
                keys = ", ".join(batch.key_values())
                cursor.execute(f"CREATE UNIQUE INDEX dc_norm_key ON dc_norm ({keys}) WHERE NOT rejected")
            return write_records(cursor, batch)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
            raise
    outcome.rows_duplicate = report_duplicates(cursor, batch)
    return write_records(cursor, batch, skip_superseded=True)


def index_in_place(work_cursor: Any, batch: Batch, outcome: Outcome) -> int:
    """Give a first load's dc_norm (its accepted rows alone) the record table's indexes, in the workspace;
    returns its rows. Raises UniqueViolation when a key is sent twice."""
    started = time.monotonic()
    work_cursor.execute("SET max_parallel_maintenance_workers = 0")  # the cores are taken (validate_and_merge)
    columns = dict(zip((f["name"] for f in batch.fields), batch.values(), strict=True))
    wanted = storage.wanted_indexes(batch.dataset_id, batch.fields, batch.natural_key, on=f"{batch.work}.dc_norm",
                                    prefix=storage.LOADING_PREFIX, columns=columns)  # fmt: skip
    for create in wanted.values():
        work_cursor.execute(create)
    outcome.timings["records, alongside"] = round(time.monotonic() - started, 3)
    return outcome.rows_read - outcome.rows_rejected


def publish_in_place(cursor: Any, batch: Batch) -> None:
    """Make a first load's indexed dc_norm the data set's record table, in the job's transaction.

    Catalogue changes only, no row is copied: the columns take the fields' names (through temporary names,
    as a field may be called v1 or ln), ln becomes _line (it is the file's line), and the provenance columns
    are added with this load's values as their defaults, which PostgreSQL keeps in the catalogue, then dropped.
    """
    t = f"{batch.work}.dc_norm"
    added = {"_job": str(int(batch.job_id)), "_loaded_at": "now()", "_updated_at": "now()"}
    types = storage.PROVENANCE_TYPES
    adds = ", ".join(f"ADD COLUMN {c} {types[c]} NOT NULL DEFAULT {value}" for c, value in added.items())
    cursor.execute(f"ALTER TABLE {t} DROP COLUMN rejected, {adds}")
    cursor.execute(f"ALTER TABLE {t} {', '.join(f'ALTER {c} DROP DEFAULT' for c in added)}")
    for i in range(len(batch.fields)):
        cursor.execute(f"ALTER TABLE {t} RENAME v{i} TO _f{i}")
    cursor.execute(f"ALTER TABLE {t} RENAME ln TO _line")
    for i, f in enumerate(batch.fields):
        cursor.execute(f"ALTER TABLE {t} RENAME _f{i} TO {storage.ident(f['name'])}")
    cursor.execute(f"ALTER TABLE {t} RENAME TO {storage.loading_table(batch.dataset_id)}")
    storage.swap_in_built(cursor, batch.dataset_id, batch.work, batch.fields, batch.natural_key)


UNIQUE_VIOLATION = "23505"
LOCK_NOT_AVAILABLE = "55P03"


def report_rejected(cursor: Any, batch: Batch) -> None:
    """The error report: one line per rejected row and field, with the reason and the row as it was sent."""
    params: list[Any] = []
    parts = ["SELECT ln, '' AS field, bad AS reason FROM rej WHERE bad IS NOT NULL"]
    for i, f in enumerate(batch.fields):
        t = trimmed_sql(f"r{i}")
        params += [_("a value is required"), invalid_reason(f["type"], f.get("choices") or [])]
        given = "" if batch.required(f) else f" AND {t} IS NOT NULL"
        parts.append(
            f"SELECT ln, {sql_literal(f['name'])}, CASE WHEN {t} IS NULL THEN %s ELSE %s END "
            f"FROM rej WHERE bad IS NULL AND v{i} IS NULL{given}"
        )
    raws = ", ".join(f"s.{c} AS r{i}" for i, c in enumerate(batch.stage_columns))
    original = "concat_ws(',', " + ", ".join(f"r{i}" for i in range(len(batch.fields))) + ")"
    cursor.execute(
        f"""WITH rej AS MATERIALIZED (
            SELECT n.*, NULLIF(s.bad, '') AS bad, {raws} FROM dc_norm n JOIN dc_stage s ON s.ln = n.ln WHERE n.rejected)
        INSERT INTO datacenter_joberror (job_id, line, field, reason, original)
        SELECT %s, e.ln, e.field, left(e.reason, 255), left({original}, 2000)
        FROM ({" UNION ALL ".join(parts)}) AS e JOIN rej USING (ln) ORDER BY e.ln LIMIT {MAX_ERROR_ROWS}""",
        [batch.job_id, *params],
    )


def report_duplicates(cursor: Any, batch: Batch) -> int:
    """Keys the file holds more than once: the last line wins; the earlier ones go into dc_dup and the report."""
    key = ", ".join(batch.key_values())
    same = " AND ".join(f"l.{k} = d.{k}" for k in batch.key_values())
    cursor.execute(
        f"""CREATE UNLOGGED TABLE {batch.work}.dc_dup AS
        SELECT d.ln, l.ln AS winner FROM (
            SELECT {key}, max(ln) AS ln FROM dc_norm WHERE NOT rejected GROUP BY {key} HAVING count(*) > 1) AS l
        JOIN dc_norm d ON {same} AND d.ln < l.ln AND NOT d.rejected"""
    )
    raws = ", ".join(f"s.{c}" for c in batch.stage_columns)
    # A line in plain form went straight to dc_norm (vectorised): its values are the line's, as PostgreSQL prints them.
    typed = ", ".join(f"n.{v}" for v in batch.values())
    before, _sep, after = _("duplicate key; superseded by line %(line)s").partition("%(line)s")
    cursor.execute(
        f"""INSERT INTO datacenter_joberror (job_id, line, field, reason, original)
        SELECT %s, x.ln, '', %s || x.winner::text || %s,
            left(CASE WHEN s.ln IS NULL THEN concat_ws(',', {typed}) ELSE concat_ws(',', {raws}) END, 2000)
        FROM dc_dup x JOIN dc_norm n ON n.ln = x.ln LEFT JOIN dc_stage s ON s.ln = x.ln
        ORDER BY x.ln LIMIT {MAX_ERROR_ROWS}""",
        [batch.job_id, before, after],
    )
    cursor.execute("SELECT count(*) FROM dc_dup")
    return int(cursor.fetchone()[0])


def accepted_sql(skip_superseded: bool = False) -> str:
    """The accepted lines of dc_norm (as n); `skip_superseded`: without a key's earlier lines (dc_dup)."""
    return "NOT n.rejected" + (" AND NOT EXISTS (SELECT FROM dc_dup x WHERE x.ln = n.ln)" if skip_superseded else "")


def fill_new_table(cursor: Any, batch: Batch, loading: str, skip_superseded: bool = False) -> int:
    """A new record table `loading`, with no index yet, holding the accepted lines; returns how many."""
    cols = ", ".join(storage.ident(f["name"]) for f in batch.fields)
    cursor.execute(f"CREATE TABLE {loading} ({storage.columns_sql(batch.fields)})")
    cursor.execute(
        f"""INSERT INTO {loading} ({cols}, _job, _line, _loaded_at, _updated_at)
        SELECT {", ".join(batch.values())}, %s, ln, now(), now() FROM dc_norm AS n WHERE {accepted_sql(skip_superseded)}""",
        [batch.job_id],
    )
    return int(cursor.rowcount)


def write_records(cursor: Any, batch: Batch, skip_superseded: bool = False) -> tuple[int, int]:
    """Write the accepted rows into the data set's record table; returns (inserted, updated).

    On a first load the empty table is replaced: the rows go into a new table with no index to maintain, its indexes are
    built afterwards (several times faster), and it is swapped in at the end, so readers of the data set
    wait for nothing but the swap. Otherwise each key is inserted, updated if a value changed, or left alone.
    `skip_superseded`: leave out the lines dc_dup lists (a key's earlier lines in the file).
    """
    if batch.first_load:
        loading = storage.loading_table(batch.dataset_id)
        inserted = fill_new_table(cursor, batch, loading, skip_superseded)
        storage.swap_in(cursor, batch.dataset_id, loading, batch.fields, batch.natural_key)
        return inserted, 0
    t = storage.table(batch.dataset_id)
    cols = [storage.ident(f["name"]) for f in batch.fields]
    vs = ", ".join(batch.values())
    source = f"dc_norm AS n WHERE {accepted_sql(skip_superseded)}"
    params = [batch.job_id]
    # Only the lines that add or change a record go to the upsert: ON CONFLICT locks every row it meets,
    # changed or not (a resend's "records" in docs/benchmarks.md). The record table is met in a subquery of its own: its columns are named by the data set, and a field
    # called v0 or ln must not shadow the batch's.
    keys = zip(batch.natural_key, batch.key_values(collate=True, alias="n"), strict=True)
    same = " AND ".join(f"r.{storage.ident(k)} = {v}" for k, v in keys)
    source += f""" AND NOT EXISTS (SELECT FROM {t} AS r WHERE {same}
        AND ({", ".join(f"r.{c}" for c in cols)}) IS NOT DISTINCT FROM ({", ".join(batch.values(True, "n"))}))"""
    select = f"SELECT {vs}, %s, ln, now(), now() FROM {source}"
    target = f"{t} AS r ({', '.join(cols)}, _job, _line, _loaded_at, _updated_at)"
    key = ", ".join(storage.ident(k) for k in batch.natural_key)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
    # In key order, each key finds its neighbours' index pages already read, not pages all over the index.
    in_order = " ORDER BY " + ", ".join(batch.key_values(collate=True))
    cursor.execute(
        f"""WITH up AS (INSERT INTO {target} {select}{in_order}
            ON CONFLICT ({key}) DO UPDATE SET {sets}, _job = EXCLUDED._job, _line = EXCLUDED._line,
                _updated_at = EXCLUDED._updated_at
            WHERE ({", ".join(f"r.{c}" for c in cols)}) IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in cols)})
            RETURNING (xmax = 0) AS inserted)
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up""",
        params,
    )
    inserted, updated = cursor.fetchone()
    return int(inserted), int(updated)


def merge_enterprises(cursor: Any, batch: Batch, code_index: int) -> None:
    """Add the credit codes not yet in the enterprise master; fill attributes it lacks, never overwrite them.

    Each code's attributes come from its last accepted line. A sensitive data set only adds the codes: the
    master is read far more widely than the data set, and must not tell its readers what only it holds.
    """
    by_attr = {} if batch.sensitive else {str(f["maps_to"]): i for i, f in enumerate(batch.fields) if f.get("maps_to")}

    def attr(name: str) -> str:
        i = by_attr.get(name)
        return f"n.v{i}" if i is not None else "NULL"

    def number(name: str) -> str:
        # An attribute may be mapped from a field of any type; it becomes a number only where it reads as one.
        return f"(CASE WHEN pg_input_is_valid(({attr(name)})::text, 'numeric') THEN ({attr(name)})::text::numeric END)"

    given = f"btrim(({attr(EnterpriseAttribute.INDUSTRY)})::text)"
    industry = (
        "(CASE "
        + " ".join(
            f"WHEN {given} IN ({words([code, *INDUSTRY_NAMES.get(code, ())])}) THEN {sql_literal(code)}"
            for code in Industry.values
        )
        + " END)"
    )
    employees = f"(CASE WHEN {number(EnterpriseAttribute.EMPLOYEES)} BETWEEN 0 AND 2147483647 THEN {number(EnterpriseAttribute.EMPLOYEES)}::integer END)"
    revenue = f"(CASE WHEN abs({number(EnterpriseAttribute.REVENUE)}) < 1e14 THEN round({number(EnterpriseAttribute.REVENUE)}, 2) END)"
    county = f"({attr(EnterpriseAttribute.COUNTY)})::text"
    counties = ", ".join(
        f"({sql_literal(name)}::text, {int(uid)}::integer)" for name, uid in batch.county_units.items()
    )
    counties = counties or "(NULL::text, NULL::integer)"
    size = classify_sql(
        "COALESCE(NULLIF(e.industry, ''), src.industry)",
        "COALESCE(e.employees, src.employees)",
        "COALESCE(e.revenue, src.revenue)",
    )
    # The enterprise master is audited. Its row triggers would call pghistory's context function once per
    # row, and that function opens a subtransaction each time: past a few thousand rows in one transaction,
    # PostgreSQL's subtransaction bookkeeping makes that quadratic. So the triggers stand aside for this one
    # statement and the same event rows are written set-based, with the context attached once. The insert
    # trigger is not even called (core.history.set_based_audit); the update trigger, called only for the
    # few rows that change, is told to return.
    event_columns = "chain_segment, county, created_at, credit_code, employees, fields, home_unit_id, industry, name, revenue, size_class"
    code = f"v{code_index}"
    # No other transaction writes the master until this one commits (readers go on): so the codes it lacks
    # are added by a plain INSERT, where ON CONFLICT would insert each one speculatively (0.2 s more for
    # 100,000), and no concurrent load or application can add one of them meanwhile.
    cursor.execute("LOCK TABLE datacenter_enterprise IN SHARE ROW EXCLUSIVE MODE")
    # The master's foreign keys are checked when this statement ends, not at commit: a first load runs it
    # beside the key index build, which the commit must wait for (0.2 s for 100,000 enterprises).
    cursor.execute(
        "SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint"
        " WHERE conrelid = 'datacenter_enterprise'::regclass AND contype = 'f' AND condeferrable"
    )
    (deferrable,) = cursor.fetchone()
    if deferrable:
        cursor.execute(f"SET CONSTRAINTS {deferrable} IMMEDIATE")
    set_based_audit(cursor, on=True)
    with pgtrigger.ignore("datacenter.Enterprise:update_update"):
        cursor.execute(
            f"""WITH src AS MATERIALIZED (
            SELECT n.{code} AS code, coalesce(left(({attr(EnterpriseAttribute.NAME)})::text, 200), '') AS name,
                coalesce(left({county}, 64), '') AS county, coalesce({industry}, '') AS industry,
                {employees} AS employees, {revenue} AS revenue
            FROM (SELECT {code}, max(ln) AS ln FROM dc_norm WHERE NOT rejected GROUP BY {code}) AS last
            JOIN dc_norm n ON n.ln = last.ln),
        placed AS MATERIALIZED (
            SELECT src.*, coalesce(cu.id, %s) AS home_unit_id, known.credit_code IS NOT NULL AS known
            FROM src LEFT JOIN (VALUES {counties}) AS cu(name, id) ON cu.name = src.county
            LEFT JOIN datacenter_enterprise AS known ON known.credit_code = src.code
            -- Only what the master lacks (on a resend, nothing); the lock keeps it so until the UPDATE below.
            WHERE known.credit_code IS NULL OR (known.name = '' AND src.name <> '')
                OR (known.county = '' AND src.county <> '') OR (known.industry = '' AND src.industry <> '')
                OR (known.employees IS NULL AND src.employees IS NOT NULL)
                OR (known.revenue IS NULL AND src.revenue IS NOT NULL)),
        added AS (
            INSERT INTO datacenter_enterprise (credit_code, name, county, home_unit_id, industry, employees, revenue,
                size_class, chain_segment, fields, created_at, updated_at)
            SELECT code, name, county, home_unit_id, industry, employees, revenue,
                {classify_sql("industry", "employees", "revenue")}, '', '{{}}', now(), now()
            FROM placed WHERE NOT known
            ORDER BY code  -- in the master's key order, the indexes of the master and its history fill page by page
            RETURNING *),
        -- A known enterprise only gains what it lacks; nothing it has is overwritten.
        filled AS (
            UPDATE datacenter_enterprise AS e SET
                name = COALESCE(NULLIF(e.name, ''), src.name),
                county = COALESCE(NULLIF(e.county, ''), src.county),
                home_unit_id = CASE WHEN e.county = '' AND src.county <> '' THEN src.home_unit_id ELSE e.home_unit_id END,
                industry = COALESCE(NULLIF(e.industry, ''), src.industry),
                employees = COALESCE(e.employees, src.employees),
                revenue = COALESCE(e.revenue, src.revenue),
                size_class = {size},
                updated_at = now()
            FROM placed AS src
            WHERE src.known AND e.credit_code = src.code
            RETURNING e.*)
        INSERT INTO datacenter_enterpriseevent ({event_columns}, pgh_obj_id, pgh_label, pgh_created_at, pgh_context_id)
        SELECT {event_columns}, credit_code, label, now(), (SELECT _pgh_attach_context())
        FROM (SELECT *, 'insert' AS label FROM added UNION ALL SELECT *, 'update' FROM filled) AS changed""",
            [batch.city_unit_id],
        )
    set_based_audit(cursor, on=False)
    if deferrable:
        cursor.execute(f"SET CONSTRAINTS {deferrable} DEFERRED")


def stage_schema(job_id: int) -> str:
    return f"dc_load_{int(job_id)}"


def stage(
    cursor: Any, job_id: int, path: Path, fmt: str, encoding: str, bom: int, fields: list[dict[str, Any]],
    natural_key: list[str], labels: dict[str, str], progress: Progress, first_load: bool = False,
) -> list[str]:  # fmt: skip
    """Load the file into the job's working tables: its rows as sent into dc_stage, except the rows a UTF-8
    CSV has in plain form, which go typed into dc_norm at once (`vectorised`). Each row is numbered (ln) by
    its line in the file, as the error report names it. Returns each schema field's staging column."""
    names = [f["name"] for f in fields]
    if fmt == SourceFormat.CSV:
        with path.open("rb") as raw:
            raw.seek(bom)
            positions, width = read_csv_header(raw, encoding, names, labels)
            columns = [f"c{i}" for i in range(width)]
            create_stage(cursor, job_id, columns, fields, first_line=2, logged=first_load)  # after the header
            body = raw.tell()
            # Arrow and numpy, 70 MB: a worker loads them as it starts (config.celery), a web process never.
            from . import vectorised

            plain = [
                vectorised.Column(position=p, ftype=f["type"], choices=f.get("choices") or [],
                                  required=bool(f.get("required")) or f["name"] in natural_key)
                for p, f in zip(positions, fields, strict=True)
            ]  # fmt: skip
            if encoding != "UTF8" or not copy_plain(cursor, CsvSource(raw, progress, first_line=1), width, plain):
                raw.seek(body)
                progress.rows = progress.bytes = 0
                copy(cursor, columns, encoding, CsvSource(raw, progress, first_line=1), line_offset=1)
            return [columns[p] for p in positions]
    columns = [f"c{i}" for i in range(len(names))]
    first = 1 if fmt == SourceFormat.JSONL else 2  # a workbook's first row is its header
    create_stage(cursor, job_id, columns, fields, first_line=first, logged=first_load)
    with path.open("rb") as raw:
        if fmt == SourceFormat.JSONL:
            rows = jsonl_rows(raw, names)
        else:
            rows, progress.expected = xlsx_rows(path, names, labels)
        source = RowsSource(rows, progress, position=raw.tell if fmt == SourceFormat.JSONL else lambda: 0)
        copy(cursor, [*columns, "bad"], "UTF8", source, line_offset=first - 1)
    return columns


def copy_plain(cursor: Any, source: CsvSource, width: int, plain: list[vectorised.Column]) -> bool:
    """The vectorised pass: plain rows into dc_norm, the others into dc_stage. False when the file is one to
    load the SQL way (then nothing of it stays in the tables)."""
    import psycopg2

    from . import vectorised

    norm = ", ".join(["ln", *(f"v{i}" for i in range(len(plain))), "rejected"])
    stage = ", ".join(["ln", *(f"c{i}" for i in range(width))])
    rows = None
    try:
        rows = vectorised.FastRows(source, width, plain, first_line=2)
        with rows.slow_spool as spool:
            rows.start()
            try:
                cursor.copy_expert(f"COPY dc_norm ({norm}) FROM STDIN WITH ({vectorised.PLAIN_COPY})", rows, READ_CHUNK)
            finally:
                rows.stop()
            spool.seek(0)
            cursor.copy_expert(f"COPY dc_stage ({stage}) FROM STDIN WITH (FORMAT csv)", spool, READ_CHUNK)
        return True
    except (vectorised.Unsupported, FileRejected, JobCancelled):
        # Arrow reads the file in threads of its own, where the user's language is not active: a file refused
        # there is refused again by the SQL way, in the user's words (and a cancelled job stops there too).
        pass
    except psycopg2.Error:
        # What the pass raised inside COPY; psycopg2 may keep only its text.
        if not isinstance(rows and rows.failure, vectorised.Unsupported | FileRejected | JobCancelled):
            raise
    cursor.execute("TRUNCATE dc_norm, dc_stage RESTART IDENTITY")  # a file Arrow refused halfway leaves nothing
    return False


def create_stage(
    cursor: Any, job_id: int, columns: list[str], fields: list[dict[str, Any]], first_line: int, logged: bool
) -> None:
    """The job's working tables, in its workspace: dc_stage for rows as sent, dc_norm for their typed values,
    each row numbered by its line in the file from `first_line`.

    On a data set's first load (`logged`), dc_norm is a logged table typed as a record table: it becomes the
    record table (`publish_in_place`), so its rows are written once."""
    schema = stage_schema(job_id)
    cols = ", ".join(f"{c} text" for c in columns)
    typed = ", ".join(f"v{i} {storage.column_type(f['type'])}" for i, f in enumerate(fields))
    cursor.execute(
        f"CREATE UNLOGGED TABLE {schema}.dc_stage (ln bigint GENERATED BY DEFAULT AS IDENTITY "
        f"(START WITH {int(first_line)}), {cols}, bad text)"
    )
    persistence = "" if logged else "UNLOGGED "
    line = storage.PROVENANCE_TYPES["_line"]  # ln becomes a first load's _line (publish_in_place)
    cursor.execute(f"CREATE {persistence}TABLE {schema}.dc_norm (ln {line} NOT NULL, {typed}, rejected boolean)")


def autocommit_connection() -> Any:
    """A database connection of the job's own beside Django's, committing each statement."""
    from django.db import connection

    conn = connection.get_new_connection(connection.get_connection_params())
    conn.autocommit = True
    return conn


class Workspace:
    """The job's working tables, in a schema of its own, written on a connection of its own in autocommit.

    The job's transaction reads them and publishes the result; they are scratch, so committing them early
    risks nothing: a job whose worker dies leaves its workspace behind, and the retry (or the sweep that
    gives the job up) drops it before anything else. Two connections let a first load index its record
    table while the job's transaction merges the enterprise master, on two cores.

    Tables of a schema, not temporary ones: PostgreSQL's parallel workers cannot read another session's
    temporary tables, and with them the validation runs on every core. They are unlogged, except a first
    load's dc_norm, which becomes a record table.
    """

    def __init__(self, job_id: int) -> None:
        self.schema = stage_schema(job_id)
        self.conn = autocommit_connection()
        self.cursor = self.conn.cursor()
        # The distinct codes and the duplicates hash the whole batch: the server's default 4 MB would spill them
        # to disk. The validation compares dates with their printed form (value_sql).
        self.cursor.execute("SET work_mem = '128MB'; SET DateStyle = 'ISO, YMD'")
        self.cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE; CREATE SCHEMA {self.schema}")
        self.attach(self.cursor, local=False)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workspace")

    def attach(self, cursor: Any, local: bool = True) -> None:
        """Let `cursor`'s session (its transaction, when `local`) read the working tables by their names.

        Behind the session's own path (so current_schema() stays the records'), and instead of an earlier
        job's workspace that a caller's enclosing transaction still has on it."""
        cursor.execute(
            "SELECT set_config('search_path', (SELECT reset_val FROM pg_settings WHERE name = 'search_path') || %s, %s)",
            [f", {self.schema}", local],
        )

    def start(self, function: Callable[..., int], *args: Any) -> Future[int]:
        """Run `function(self.cursor, *args)` in the workspace's thread."""
        return self.pool.submit(function, self.cursor, *args)

    def wait(self, future: Future[int] | None) -> int | None:
        """The rows of the table built alongside; None without one, or when its unique index refused a key."""
        if future is None:
            return None
        try:
            return future.result()
        except Exception as exc:
            if getattr(exc, "pgcode", None) != UNIQUE_VIOLATION:
                raise
            return None

    def abandon(self, future: Future[int] | None) -> None:
        """The job's own statement failed: stop the workspace's, and wait until it has stopped."""
        if future is not None and not future.done():
            self.conn.cancel()
            future.exception()

    def close(self) -> None:
        """Drop the working tables, once the job's transaction has ended. A job run inside a caller's
        transaction (a test's) still holds them: they are then left to the next attempt or the sweep."""
        import psycopg2

        self.pool.shutdown(wait=True)
        try:
            self.cursor.execute("SET lock_timeout = '50ms'")
            self.cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        except psycopg2.Error as exc:
            if getattr(exc, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise
        finally:
            self.conn.close()


def drop_workspace(cursor: Any, job_id: int) -> None:
    cursor.execute(f"DROP SCHEMA IF EXISTS {stage_schema(job_id)} CASCADE")


def copy(cursor: Any, columns: list[str], encoding: str, source: Any, line_offset: int) -> None:
    import psycopg2

    sql = f"COPY dc_stage ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, ENCODING '{encoding}')"
    try:
        cursor.copy_expert(sql, source, READ_CHUNK)  # positional: Django's debug cursor takes no keywords
    except psycopg2.DataError as exc:
        raise copy_error(exc, line_offset) from exc
    except psycopg2.Error as exc:
        cause = exc.__context__ if isinstance(exc.__context__, FileRejected | JobCancelled) else None
        if cause is not None:
            raise cause from None
        raise copy_error(exc, line_offset) from exc

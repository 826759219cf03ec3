"""Reading the legacy-policy import file (CSV in UTF-8, or XLSX) into rows with their line numbers.

A file that cannot be read at all (wrong encoding, not a spreadsheet, missing columns) is a
ValidationError: nothing is imported. Single bad rows are the service's business.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Column -> the headers accepted for it (English key or the Chinese heading departments use).
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "标题", "文件名称"),
    "document_number": ("document_number", "发文字号", "文号"),
    "issuing_authority": ("issuing_authority", "发文机关", "发文机关代码"),
    "issued_on": ("issued_on", "发布日期", "成文日期"),
    "disposition": ("disposition", "处理方式"),
    "target": ("target", "对应政策文号", "对应政策"),
    "note": ("note", "备注"),
}
REQUIRED = ("title", "document_number", "issuing_authority", "disposition", "target")
MAX_ROWS = 10_000
# Largest import file accepted, in bytes (settings.UPLOAD_MAX_BYTES caps it further): 10,000 rows fit in far less.
MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return min(MAX_BYTES, settings.UPLOAD_MAX_BYTES)


def check_size(size: int | None) -> None:
    """Refuse a file over the limit before it is read."""
    limit = max_bytes()
    if size is None or size > limit:
        raise ValidationError(
            _("The file is too large: at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = (raw or "").strip().lstrip("\ufeff").lower()
        for column, aliases in COLUMNS.items():
            if name in aliases and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ValidationError(
            _("The file lacks the columns: %(columns)s.") % {"columns": "、".join(COLUMNS[c][1] for c in missing)},
            code="missing_columns",
        )
    return found


def _rows(table: Iterable[tuple[int, list[str]]]) -> list[Row]:
    """The data rows under the header; reading stops at the first row past MAX_ROWS (the file is refused)."""
    lines = iter(table)
    first = next(lines, None)
    if first is None:
        raise ValidationError(_("The file is empty."), code="empty")
    _line, header = first
    columns = _header_map(header)
    rows: list[Row] = []
    for line, cells in lines:
        if not any((c or "").strip() for c in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise ValidationError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}, code="too_many_rows")
        values = {col: (cells[i] if i < len(cells) else "").strip() for col, i in columns.items()}
        rows.append(Row(line, values))
    return rows


def read_csv(content: bytes) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("The file is not UTF-8 text (line %(line)d). Save it as “CSV UTF-8” and try again.")
            % {"line": content[: exc.start].count(b"\n") + 1},
            code="encoding",
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _rows((reader.line_num, row) for row in reader)
    except csv.Error as exc:
        raise ValidationError(_("The CSV file is malformed: %(error)s") % {"error": exc}, code="malformed") from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def read_xlsx(content: bytes) -> list[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValidationError(_("The file is not a readable XLSX workbook."), code="malformed") from exc
    try:
        sheet = workbook.worksheets[0]
        # Row by row: the rows past MAX_ROWS are never read.
        lines = enumerate(sheet.iter_rows(values_only=True), start=1)
        return _rows((line, [_cell(v) for v in values]) for line, values in lines)
    finally:
        workbook.close()


def read_table(filename: str, content: bytes) -> list[Row]:
    """The data rows of an import file, each with its line number in the file."""
    check_size(len(content))
    name = filename.lower()
    if name.endswith(".csv"):
        return read_csv(content)
    if name.endswith(".xlsx"):
        return read_xlsx(content)
    raise ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")

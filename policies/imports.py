"""Reading the legacy-policy import file (CSV in UTF-8, or XLSX) into rows with their line numbers.

A file that cannot be read at all (wrong encoding, not a spreadsheet, missing columns) is a
ValidationError: nothing is imported. Single bad rows are the service's business.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

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


def _rows(table: list[tuple[int, list[str]]]) -> list[Row]:
    if not table:
        raise ValidationError(_("The file is empty."), code="empty")
    _line, header = table[0]
    columns = _header_map(header)
    rows = []
    for line, cells in table[1:]:
        if not any((c or "").strip() for c in cells):
            continue
        values = {col: (cells[i] if i < len(cells) else "").strip() for col, i in columns.items()}
        rows.append(Row(line, values))
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}, code="too_many_rows")
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
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        table = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ValidationError(_("The CSV file is malformed: %(error)s") % {"error": exc}, code="malformed") from exc
    return _rows(table)


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
        table = [
            (line, [_cell(v) for v in values]) for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _rows(table)


def read_table(filename: str, content: bytes) -> list[Row]:
    """The data rows of an import file, each with its line number in the file."""
    name = filename.lower()
    if name.endswith(".csv"):
        return read_csv(content)
    if name.endswith(".xlsx"):
        return read_xlsx(content)
    raise ValidationError(_("Upload a .csv or .xlsx file."), code="file_type")

"""CSV and XLSX downloads, streamed, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from .models import IngestionJob, JobError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff".encode()  # Excel opens UTF-8 with a BOM correctly
        for line in [header, *([safe_cell(v) for v in r] for r in rows)]:
            writer.writerow(line)
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for r in rows:
        ws.append([safe_cell(v) if not isinstance(v, dict | list) else str(v) for v in r])
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def job_error_report(job: IngestionJob, errors: QuerySet[JobError]) -> StreamingHttpResponse:
    """A job's error report: line, field, reason and the row as it was sent."""
    rows = errors.values_list("line", "field", "reason", "original")
    header = [_("line"), _("field"), _("reason"), _("original values")]
    return csv_response(f"job-{job.pk}-errors.csv", header, (list(r) for r in rows.iterator()))

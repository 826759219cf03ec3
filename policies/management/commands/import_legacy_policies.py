"""Import legacy department policies from a CSV (UTF-8) or XLSX file and report rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.models import User
from policies import services


class Command(BaseCommand):
    help = (
        "Import legacy department policies (columns: 标题, 发文字号, 发文机关, 发布日期, 处理方式, 对应政策文号, 备注)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--user", help="the username the import is recorded under (default: the system)")

    def handle(self, *args: Any, path: str, user: str | None = None, **options: Any) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no such user: {user}")
        try:
            with pghistory.context(command="import_legacy_policies"):
                report = services.legacy_import(actor=actor, filename=file.name, content=file.read_bytes())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
                          f"rejected {len(report.rejected)}")  # fmt: skip
        for line, reason in report.rejected:
            self.stdout.write(f"line {line}: {reason}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} rows rejected; the other rows were imported")

"""manage.py backup [DIRECTORY]: a consistent dump of the database and the uploaded files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, one snapshot) and the uploaded files into DIRECTORY/portal-<time>/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default="backups", help="where to write (default: backups/)")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            target = backup(Path(directory))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {target}")

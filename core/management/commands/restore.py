"""manage.py restore BACKUP: load a backup made by `manage.py backup` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from core.backup import restore


class Command(BaseCommand):
    help = "Restore a backup (database and uploaded files) into the configured database, which must be empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="a folder written by manage.py backup")
        parser.add_argument("--database", default="default", help="the database alias to restore into")

    def handle(self, *args: Any, backup: str, database: str, **options: Any) -> None:
        source = Path(backup)
        if not (source / "database.dump").exists():
            raise CommandError(f"{source} is not a backup: database.dump is missing")
        with connections[database].cursor() as cursor:
            existing = connections[database].introspection.table_names(cursor)
        if existing:
            raise CommandError(
                f"the database already has {len(existing)} tables; restore only into an empty database "
                "(create one, point DATABASE_URL at it, and run restore again)"
            )
        counts = restore(source, alias=database)
        self.stdout.write(f"restored {len(counts)} tables, {sum(counts.values())} rows")

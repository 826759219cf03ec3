"""Load the demo data of every app (idempotent: a second run adds nothing twice)."""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bureau.app_modules import app_modules


class Command(BaseCommand):
    help = "Load the demo organisation, accounts and records. Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates demo accounts with a known password; pass --force to run it here")
        # Apps contribute in the order of INSTALLED_APPS, which follows their dependencies.
        with pghistory.context(command="seed_demo"):
            for config, module in app_modules("demo"):
                module.seed()
                self.stdout.write(f"seeded {config.label}")
                for line in getattr(module, "summary", lambda: [])():
                    self.stdout.write(line)

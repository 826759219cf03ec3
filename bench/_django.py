"""Benchmarks run against a database of their own (`portal_bench`) on the same server as the portal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database: str = "portal_bench") -> None:
    """Point Django at the bench database (created and migrated when missing) and set it up.

    With DATABASE_URL set, that database is used as it is: point it at a scratch database.
    """
    from core import embedded

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Measured as deployed: no debug machinery.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded.ensure_postgres(database)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = embedded.ensure_redis()
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

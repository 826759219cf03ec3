"""Consistent backups of the portal (database and uploaded files) and their restore.

The database is dumped with pg_dump's custom format, which reads one snapshot: the dump
is consistent however busy the portal is. Uploaded files are archived after it.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections


def pg_binary(name: str) -> str:
    """pg_dump / pg_restore matching the embedded server when there is one, else the system's."""
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        bundled = Path(POSTGRES_BIN_PATH) / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is missing: install the PostgreSQL client tools")
    return found


def _conninfo(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    s = connections[alias].settings_dict
    host = s.get("HOST") or s.get("OPTIONS", {}).get("host") or ""
    args = ["--dbname", s["NAME"]]
    if host:
        args += ["--host", host]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    return args, env


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of the portal's own apps, for a manifest and to compare a restore."""
    with connections[alias].cursor() as cursor:
        tables = sorted(connections[alias].introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(directory: Path) -> Path:
    """Write <directory>/portal-<time>/ with database.dump, media.tar.gz and manifest.json; return it."""
    media = Path(settings.MEDIA_ROOT).resolve()
    if directory.resolve().is_relative_to(media):
        # Each backup would hold every earlier one, and a restore would put them all back.
        raise ValueError(f"a backup cannot be written inside the uploaded files ({media}) that it backs up")
    target = directory / f"portal-{datetime.datetime.now(tz=datetime.UTC):%Y%m%d-%H%M%S}"
    target.mkdir(parents=True)
    args, env = _conninfo()
    subprocess.run(
        [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--file", str(target / "database.dump"), *args],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    manifest: dict[str, Any] = {
        "created_at": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        "tables": table_counts(),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def restore(source: Path, *, alias: str = "default", media_root: Path | None = None) -> dict[str, int]:
    """Load a backup into the database `alias` (which should be empty) and its files into MEDIA_ROOT."""
    args, env = _conninfo(alias)
    result = subprocess.run(
        [pg_binary("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", *args,
         str(source / "database.dump")],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
    media_root = media_root or Path(settings.MEDIA_ROOT)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media") and (m.isfile() or m.isdir())]
        for member in members:
            member.name = member.name.removeprefix("media").lstrip("/") or "."
        archive.extractall(media_root, members=members, filter="data")
    return table_counts(alias)

"""Back up the seeded portal, restore it into an empty database, and find everything there."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from core.backup import table_counts
from tests.conftest import ROOT
from tests.conftest import test_database_url as current_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args, database_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_a_backup_restores_into_an_empty_database_with_every_row_and_a_sound_ledger(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "attachments").mkdir(parents=True)
    (tmp_path / "media" / "attachments" / "通知.pdf").write_bytes(b"%PDF-1.4 test")
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    before = table_counts()
    assert before["funds_ledgertransfer"] > 0

    call_command("backup", str(tmp_path / "backups"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    (backup,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}

    empty = f"restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(current_database_url().replace("postgres://", "postgresql://", 1))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{empty}"')
    name = connection.settings_dict["NAME"]
    target_url = current_database_url().replace(f"/{name}", f"/{empty}", 1)
    try:
        restored_media = tmp_path / "restored-media"
        env_media = {"MEDIA_ROOT": str(restored_media)}
        os.environ.update(env_media)
        result = manage("restore", str(backup), database_url=target_url)
        assert result.returncode == 0, result.stderr
        assert "restored" in result.stdout

        target = psycopg2.connect(target_url.replace("postgres://", "postgresql://", 1))
        with target.cursor() as cursor:
            for table, rows in before.items():
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
                assert cursor.fetchone()[0] == rows, table
        target.close()
        assert (restored_media / "attachments" / "通知.pdf").read_bytes() == b"%PDF-1.4 test"

        check = manage("ledger_check", database_url=target_url)
        assert check.returncode == 0, check.stderr
        assert "ledger check passed" in check.stdout

        again = manage("restore", str(backup), database_url=target_url)
        assert again.returncode != 0  # never over a database that has tables
        assert "empty database" in again.stderr
    finally:
        os.environ.pop("MEDIA_ROOT", None)
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        admin.close()
    assert Path(backup / "manifest.json").read_text(encoding="utf-8").count("funds_ledgertransfer") == 1


def test_a_backup_is_refused_inside_the_uploaded_files_it_backs_up(tmp_path, settings):
    from django.core.management.base import CommandError

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    with pytest.raises(CommandError, match="inside the uploaded files"):
        call_command("backup", str(tmp_path / "media" / "backups"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not (tmp_path / "media" / "backups").exists()

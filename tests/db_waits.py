"""For tests of concurrent transactions: wait for the moment another session blocks on our lock, not for a time."""

from __future__ import annotations

import time

from django.db import connection


def until_another_session_waits_on_a_lock(timeout: float = 10.0) -> bool:
    """Poll (from this thread's connection) until another session of this database waits on a lock, which is
    the one this thread's open transaction holds; False after `timeout` seconds without one."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"""
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False

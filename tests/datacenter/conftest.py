"""The data center's fixtures: English messages, and Celery workers that reach the test database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from tests.conftest import ROOT

WORKER_QUEUE = f"datacenter-test-{os.getpid()}"
# Uploads of this test session go to a folder of its own (removed at the end), shared with its workers.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="datacenter-test-media-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def _media_root(settings: Any) -> None:
    settings.MEDIA_ROOT = MEDIA_ROOT


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, the language of the source strings."""
    with translation.override("en"):
        yield


def database_url() -> str:
    """The test database's URL, the socket folder included (the embedded server keeps it in OPTIONS)."""
    s = connection.settings_dict
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    port = f":{s['PORT']}" if s["PORT"] else ""
    auth = f"{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@"
    if host.startswith("/"):
        return f"postgres://{auth}{port}/{s['NAME']}?host={quote(host)}"
    return f"postgres://{auth}{host}{port}/{s['NAME']}"


def start_worker(
    queue: str, *, visibility_timeout: int = 6 * 3600, log_name: str = "datacenter", wait_ready: bool = True
) -> subprocess.Popen[bytes]:
    """A real `celery worker` (solo pool, its own process group, so a test can kill all of it) on one queue.

    A solo worker busy with a task answers no ping: pass wait_ready=False when it will find one waiting.
    """
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
           "REDIS_URL": settings.REDIS_URL, "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
           "MEDIA_ROOT": str(MEDIA_ROOT)}  # fmt: skip
    log = open(ROOT / ".local" / f"test-worker-{log_name}.log", "ab")  # noqa: SIM115 - the child holds it
    hostname = f"{queue}-{time.monotonic_ns()}@localhost"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "INFO",
         "--hostname", hostname, "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    if not wait_ready:
        return proc
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {proc.returncode}; see .local/test-worker-{log_name}.log")
        if app.control.ping(destination=[hostname], timeout=0.5):
            return proc
    stop_worker(proc, signal.SIGKILL)
    raise RuntimeError("the worker did not answer within 60 s")


def stop_worker(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def datacenter_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    with django_db_blocker.unblock():
        proc = start_worker(WORKER_QUEUE)
    yield proc
    stop_worker(proc)


@pytest.fixture
def worker_queue(datacenter_worker: subprocess.Popen[bytes], settings: Any) -> str:
    """Send this test's jobs to the data center's test worker."""
    settings.DATACENTER_QUEUE = WORKER_QUEUE
    return WORKER_QUEUE

"""The data center's fixtures: English messages, and Celery workers that reach the test database."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from tests import workers

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


def start_worker(
    queue: str, *, visibility_timeout: int = 6 * 3600, log_name: str = "datacenter", wait_ready: bool = True
) -> subprocess.Popen[bytes]:
    """A real worker (tests.workers) sharing this session's uploads, with the broker's visibility timeout given."""
    env = {"CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout), "MEDIA_ROOT": str(MEDIA_ROOT)}
    return workers.start_worker(queue, env=env, log_name=log_name, wait_ready=wait_ready)


stop_worker = workers.stop_worker


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

"""Real Celery worker processes for tests: on one queue, on the test database and Redis, with extra settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings

from tests.conftest import ROOT, test_database_url


def start_worker(
    queue: str, *, env: dict[str, str] | None = None, log_name: str = "worker", wait_ready: bool = True
) -> subprocess.Popen[bytes]:
    """A real `celery worker` (solo pool, its own process group, so a test can kill all of it) on one queue,
    with `env` added to its environment (settings of its own: a mail server, a visibility timeout...).

    A solo worker busy with a task answers no ping: pass wait_ready=False when it will find one waiting.
    """
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": test_database_url(),
                "REDIS_URL": settings.REDIS_URL, **(env or {})}  # fmt: skip
    log = open(ROOT / ".local" / f"test-worker-{log_name}.log", "ab")  # noqa: SIM115 - the child holds it
    hostname = f"{queue}-{time.monotonic_ns()}@localhost"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "INFO",
         "--hostname", hostname, "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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

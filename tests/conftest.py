"""Fixtures that start real parts: a Celery worker process, headless Chromium, a throwaway Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core import embedded

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Leave the machine as the session found it: stop the embedded servers it started."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        from django.db import connections

        connections.close_all()
        embedded.stop(getattr(settings, "EMBEDDED_STARTED", []))


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes other than this one."""
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = quote(s["PASSWORD"] or "")
    # The embedded server is reached through a socket directory given as OPTIONS["host"].
    host = s["HOST"] or s.get("OPTIONS", {}).get("host") or ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    if host.startswith("/"):
        return f"postgres://{user}:{password}@{port}/{s['NAME']}?host={quote(host)}"
    return f"postgres://{user}:{password}@{host}{port}/{s['NAME']}"


@pytest.fixture(autouse=True)
def two_factor_done_on_test_login(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login` / `client.login` give a session that has passed two-factor sign-in.

    For users who need it (their role, or an authenticator of their own), a real confirmed TOTP device
    is made and the session is marked as verified by it, as django-otp does after a correct code. Tests
    of the sign-in itself are marked `real_two_factor` and go through the code page.
    """
    if request.node.get_closest_marker("real_two_factor"):
        return
    from django.test import Client

    original = Client._login

    def login_with_second_factor(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        from tests.bureau.two_factor import pass_second_factor

        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "_login", login_with_second_factor)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the test Redis and the test database."""
    from config.celery import app

    with django_db_blocker.unblock():
        database_url = test_database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
    }
    app.control.purge()
    log = open(ROOT / ".local" / "test-worker.log", "wb")  # noqa: SIM115 - closed at teardown
    hostname = f"test-{os.getpid()}@localhost"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", f"celery,{settings.DATACENTER_QUEUE}",
         "--loglevel", "INFO", "--concurrency", "2", "--hostname", hostname, "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {proc.returncode}; see .local/test-worker.log")
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
    else:
        proc.kill()
        raise RuntimeError("the Celery worker did not answer within 60 s; see .local/test-worker.log")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        # `make test` installs chromium first; a run without it is a failure, never a skip.
        pytest.fail("chromium is missing: `make test` installs it as root, or run `apt-get install chromium`")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
    # test body are still synchronous, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    """A Redis server of this test's own, so stopping it harms no other test."""
    directory = tmp_path / "redis"
    sock = embedded.start_redis(directory, persistent=False)
    yield f"unix://{sock}?db=0"
    embedded.stop_redis(directory)


@pytest.fixture
def shot(tmp_path: Path) -> Any:
    """Screenshot a page: into SCREENSHOTS_DIR (`make screenshots` writes docs/screenshots/), else a temp folder."""
    folder = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, *, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert path.stat().st_size > 1000  # a real picture, not an empty frame
        return path

    return take

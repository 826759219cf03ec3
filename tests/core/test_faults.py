"""Faults: PostgreSQL restarted and Redis stopped under a running portal (gunicorn) and Celery worker.

The portal, its worker, PostgreSQL and Redis here are this module's own (under `.local/faults-<pid>/`),
started as in production (gunicorn with config/gunicorn.py, `celery worker`), so stopping them
disturbs no other test. Nothing is restarted but the server at fault.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg2
import pytest
import requests
from celery import Celery
from django.conf import settings

from config.settings.base import celery_url
from core import embedded
from datacenter.demo import code as credit_code
from tests.conftest import ROOT

pytestmark = pytest.mark.worker

PASSWORD = "faults-portal-2026"
DATASET = "ecommerce-stores"
HEADER = ["credit_code", "name", "county", "platform", "month", "online_sales"]


def wait_for(predicate: Callable[[], Any], timeout: float = 90.0, interval: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            last = predicate()
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out; last value {last!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_ctl(args: list[str], pgdata: Path) -> None:
    from pgserver._commands import pg_ctl as run  # type: ignore[attr-defined]  # the package's wrapper, root-aware

    run(args, pgdata=pgdata, user="pgserver" if os.geteuid() == 0 else None, timeout=60)


@dataclass
class Stack:
    """A private portal: PostgreSQL, Redis, gunicorn and a Celery worker, each a real process."""

    root: Path
    database_url: str
    redis_url: str
    base_url: str
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_name: str = ""
    dataset_id: int = 0

    @property
    def pgdata(self) -> Path:
        return self.root / "pg"

    @property
    def socket_dir(self) -> str:
        return parse_qs(urlsplit(self.database_url).query)["host"][0]

    def stop_postgres(self) -> None:
        pg_ctl(["-w", "stop", "-m", "fast"], self.pgdata)

    def start_postgres(self) -> None:
        pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"],
               self.pgdata)  # fmt: skip

    def stop_redis(self) -> None:
        embedded.stop_redis(self.root / "redis")

    def start_redis(self) -> None:
        embedded.start_redis(self.root / "redis", persistent=True)

    def sql(self, query: str, *args: Any) -> Any:
        """One value, read straight from the private database (not through the portal)."""
        connect = psycopg2.connect(dbname="portal", user="postgres", host=self.socket_dir)
        with contextlib.closing(connect) as conn, conn.cursor() as cursor:
            cursor.execute(query, args)
            return cursor.fetchone()[0]

    def celery(self) -> Celery:
        """A client of the stack's broker, to send what Celery beat sends and to steer the worker."""
        return Celery("faults", broker=celery_url(self.redis_url))

    def url(self, path: str) -> str:
        return self.base_url + path

    def health(self) -> tuple[int, dict[str, Any]]:
        response = requests.get(self.url("/healthz"), timeout=15)
        return response.status_code, response.json()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    import pgserver

    root = ROOT / ".local" / f"faults-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    server = pgserver.get_server(root / "pg", cleanup_mode=None)
    server.psql("CREATE DATABASE portal;")
    database_url = server.get_uri("portal").replace("postgresql://", "postgres://", 1)
    # Persistent like the deployed Redis (append-only file): a restart keeps the queued messages.
    redis_url = f"unix://{embedded.start_redis(root / 'redis', persistent=True)}?db=0"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(root / "media"),
        "DEMO_PASSWORD": PASSWORD,
        # The sweep sends again every job still queued (beat runs it every two minutes).
        "DATACENTER_REQUEUE_SECONDS": "0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": "",
    }
    built = Stack(root=root, database_url=database_url, redis_url=redis_url, base_url=f"http://127.0.0.1:{port}",
                  env=env, worker_name=f"faults-{os.getpid()}@localhost")  # fmt: skip
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo", "--force")
        built.dataset_id = int(built.sql("SELECT id FROM datacenter_dataset WHERE code = %s", DATASET))
        worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", f"celery,{settings.DATACENTER_QUEUE}",
                  "--concurrency", "1", "--hostname",
                  built.worker_name, "--loglevel", "INFO", "--without-mingle", "--without-gossip"]  # fmt: skip
        built.processes.append(embedded.spawn(worker, env=env, log=root / "worker.log"))
        web = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
        built.processes.append(embedded.spawn(web, env=env, log=root / "web.log"))
        wait_for(lambda: built.health()[0] == 200, timeout=120)
        yield built
    finally:
        for proc in built.processes:
            embedded.stop_process(proc)
        embedded.stop_redis(root / "redis")
        with contextlib.suppress(subprocess.CalledProcessError):
            built.stop_postgres()
        # The processes' logs stay for a look after a failure: .local/faults-last/.
        last = ROOT / ".local" / "faults-last"
        shutil.rmtree(last, ignore_errors=True)
        last.mkdir()
        for log in root.glob("*.log"):
            shutil.copy(log, last / log.name)
        shutil.rmtree(root, ignore_errors=True)


def api_token(stack: Stack, username: str = "api_commerce") -> dict[str, str]:
    response = requests.post(stack.url("/api/v1/auth/token/"), json={"username": username, "password": PASSWORD},
                             timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


# Accounts that sign in with a password alone (no second factor required of their role), so a
# session here is a whole sign-in; the two-factor step has its own tests (tests/bureau/test_two_factor.py).
def signed_in(stack: Stack, username: str = "division") -> requests.Session:
    browser = requests.Session()
    browser.get(stack.url("/accounts/login/"), timeout=30)
    response = browser.post(
        stack.url("/accounts/login/"),
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": stack.url("/accounts/login/")}, timeout=30,
    )  # fmt: skip
    assert response.status_code == 200, response.status_code
    assert "sessionid" in browser.cookies
    assert "/account/two-factor/" not in response.url, response.url
    return browser


def store_rows(month: str, count: int, offset: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(offset, offset + count):
        writer.writerow([credit_code(i), f"温州市故障测试{i}网店有限公司", "鹿城区", "淘宝", month, f"{i % 97 + 1}.50"])
    return out.getvalue().encode()


def upload(stack: Stack, token: dict[str, str], content: bytes, *, timeout: float = 30) -> requests.Response:
    return requests.post(stack.url(f"/api/v1/datasets/{stack.dataset_id}/uploads/"), headers=token,
                         files={"file": ("stores.csv", content, "text/csv")}, timeout=timeout)  # fmt: skip


def job_status(stack: Stack, job_id: int) -> str:
    return str(stack.sql("SELECT status FROM datacenter_ingestionjob WHERE id = %s", job_id))


def records(stack: Stack) -> int:
    table = f"dc_records_{int(stack.dataset_id)}"  # datacenter.storage's table of the data set's records
    return int(stack.sql(f"SELECT count(*) FROM {table}"))  # noqa: S608 - an id


def test_a_postgresql_restart_answers_503_meanwhile_and_portal_and_worker_recover_by_themselves(stack):
    token = api_token(stack)
    official = signed_in(stack)
    before = records(stack)
    first = upload(stack, token, store_rows("2026-01-01", 40, 0))
    assert first.status_code == 202, first.text
    wait_for(lambda: job_status(stack, first.json()["id"]) == "succeeded")
    committed = records(stack)
    assert committed == before + 40

    # A job waits in the queue when the outage starts (the worker takes nothing, as when busy elsewhere).
    control = stack.celery()
    control.control.cancel_consumer(settings.DATACENTER_QUEUE, destination=[stack.worker_name], reply=True, timeout=5)
    waiting = upload(stack, token, store_rows("2026-02-01", 30, 1000))
    assert waiting.status_code == 202, waiting.text
    waiting_id = waiting.json()["id"]

    stack.stop_postgres()
    try:
        status, body = stack.health()
        assert status == 503
        assert body == {"status": "degraded", "checks": {"database": "down", "redis": "up", "celery": "up"}}
        page = official.get(stack.url("/policies/"), timeout=30)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        write = upload(stack, token, store_rows("2026-03-01", 5, 2000))
        assert write.status_code == 503
        assert write.json()["error"]["code"] == "service_unavailable"
        # The worker is handed the waiting job while the database is still down.
        control.control.add_consumer(settings.DATACENTER_QUEUE, destination=[stack.worker_name], reply=True, timeout=5)
        time.sleep(2)
    finally:
        stack.start_postgres()

    # Nothing is restarted: the same web and worker processes serve again.
    assert all(proc.poll() is None for proc in stack.processes)
    wait_for(lambda: stack.health()[0] == 200, timeout=60)
    assert official.get(stack.url("/policies/"), timeout=30).status_code == 200
    after = upload(stack, token, store_rows("2026-04-01", 20, 3000))
    assert after.status_code == 202, after.text
    wait_for(lambda: job_status(stack, after.json()["id"]) == "succeeded")
    # The job queued before the outage runs: its own retry, or the sweep that beat sends.
    control.send_task("datacenter.sweep_stale_jobs", ignore_result=True)
    wait_for(lambda: job_status(stack, waiting_id) == "succeeded")
    assert records(stack) == committed + 30 + 20
    assert stack.sql("SELECT count(*) FROM datacenter_ingestionjob WHERE status <> 'succeeded'") == 0


def test_with_redis_stopped_pages_are_served_and_queued_jobs_run_once_it_is_back(stack):
    token = api_token(stack)
    official = signed_in(stack)
    before = records(stack)
    # The worker holds a task unacknowledged when Redis goes, as it does a retry waiting for its countdown.
    stack.celery().send_task("datacenter.sweep_stale_jobs", countdown=600, ignore_result=True)
    time.sleep(1)
    stack.stop_redis()
    try:
        status, body = stack.health()
        assert status == 503
        assert body == {"status": "degraded", "checks": {"database": "up", "redis": "down", "celery": "down"}}
        # Sessions are in PostgreSQL and the cache degrades: pages, sign-in and API reads still work.
        assert official.get(stack.url("/policies/"), timeout=30).status_code == 200
        assert signed_in(stack, "auditor").get(stack.url("/funds/"), timeout=30).status_code == 200
        listing = requests.get(stack.url("/api/v1/policies/"), headers=token, timeout=30)
        assert listing.status_code == 200
        assert listing.json()["count"] > 0
        # An upload is accepted and kept as a queued job; the broker being down costs no data.
        started = time.monotonic()
        during = upload(stack, token, store_rows("2026-05-01", 25, 4000))
        assert during.status_code == 202, during.text
        assert time.monotonic() - started < 10
        during_id = during.json()["id"]
        assert job_status(stack, during_id) == "queued"
    finally:
        stack.start_redis()

    assert all(proc.poll() is None for proc in stack.processes)
    # The worker reconnects to the broker by itself: /healthz pings it through Redis.
    wait_for(lambda: stack.health()[0] == 200, timeout=90)
    # Beat's sweep sends the job whose message could not be sent; the worker loads it.
    stack.celery().send_task("datacenter.sweep_stale_jobs", ignore_result=True)
    wait_for(lambda: job_status(stack, during_id) == "succeeded")
    after = upload(stack, token, store_rows("2026-06-01", 15, 5000))
    assert after.status_code == 202, after.text
    wait_for(lambda: job_status(stack, after.json()["id"]) == "succeeded")
    assert records(stack) == before + 25 + 15

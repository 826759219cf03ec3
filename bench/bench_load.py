"""The load scenario: 50 users on the four journeys against gunicorn, with ten times the demo data.

    .venv/bin/python bench/bench_load.py        (or: make bench)

Seeds the `portal_load` database (bench/load_data.py; kept between runs, a second seeding adds
nothing), starts gunicorn as deployed (config/gunicorn.py) and a Celery worker, and runs locust
headless (bench/locustfile.py). Prints throughput and p50/p95/p99 per endpoint and the errors, and
exits non-zero when an endpoint's p95 is above LOAD_P95_MS (500 ms) or any request failed.

LOAD_USERS (50), LOAD_SECONDS (120) and LOAD_SCALE (10) change the run.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import _django
import requests
from django.conf import settings

from core import embedded

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
SCALE = int(os.environ.get("LOAD_SCALE", "10"))
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_MS", "500"))
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-portal-2026")
ROOT = _django.ROOT
WORK = ROOT / ".local" / "bench-load"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, procs: list[subprocess.Popen[bytes]], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit(f"a server process exited; see {WORK}/*.log")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310 - our own http URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the portal did not become healthy within {timeout:.0f} s; see {WORK}/*.log")


def second_factor(username: str, steps_ahead: int = 0) -> str | None:
    """The code the account's authenticator shows (one is enrolled for accounts that must have it), or None.

    A code is accepted once; `steps_ahead` gives the next period's, which the device's drift tolerance takes.
    """
    from bureau import services
    from bureau.models import User
    from tests.bureau.two_factor import code_for, enrol

    user = User.objects.get(username=username)
    if not services.two_factor_needed(user=user):
        return None
    return code_for(enrol(user), steps_ahead=steps_ahead)


def session_for(url: str, username: str) -> str:
    code = second_factor(username)  # enrolled before the password, so sign-in asks for the code, not enrolment
    browser = requests.Session()
    browser.get(f"{url}/accounts/login/", timeout=60)
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    response = browser.post(
        f"{url}/accounts/login/", data=form, headers={"Referer": f"{url}/accounts/login/"}, timeout=60
    )
    if "/account/two-factor/" in response.url:
        form = {"code": code or "", "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
        response = browser.post(response.url, data=form, headers={"Referer": response.url}, timeout=60)
    if "/account/" in response.url or "/accounts/login/" in response.url:
        raise SystemExit(f"{username} could not sign in: ended at {response.url}")
    return str(browser.cookies["sessionid"])


def token_for(url: str, username: str) -> str:
    body = {"username": username, "password": PASSWORD}
    code = second_factor(username, steps_ahead=1)  # the session took this period's code
    if code:
        body["otp"] = code
    response = requests.post(f"{url}/api/v1/auth/token/", json=body, timeout=60)
    response.raise_for_status()
    return str(response.json()["token"])


def report(stats_csv: Path) -> int:
    """Print the figures as a Markdown table; return the number of problems (slow endpoints, errors)."""
    rows = list(csv.DictReader(stats_csv.open(encoding="utf-8")))
    problems = 0
    print("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        p95 = float(row["95%"] or 0)
        failures = int(row["Failure Count"])
        slow = row["Name"] != "Aggregated" and p95 > P95_LIMIT_MS
        if row["Name"] != "Aggregated":
            problems += int(slow) + failures
        mark = " ⚠" if slow or failures else ""
        print(f"| {row['Type']} {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | "
              f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} | "
              f"{failures}{mark} |")  # fmt: skip
    return problems


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    # A Redis of its own, so a `make run` worker never takes the bench's jobs.
    own_redis = not os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = os.environ.get("REDIS_URL") or embedded.ensure_redis("redis-bench", persistent=False)
    os.environ.setdefault("MEDIA_ROOT", str(WORK / "media"))
    # Many simulated clients share one account and token here; a real department has its own.
    os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
    _django.setup("portal_load")
    import load_data

    started = time.perf_counter()
    load_data.seed(SCALE)
    data = load_data.journey_data()
    print(f"data seeded at {SCALE}x the demo size in {time.perf_counter() - started:.0f} s")
    (WORK / "journeys.json").write_text(json.dumps(data), encoding="utf-8")
    print(load_data.sizes())

    from django.db import connections

    connections.close_all()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESSLOG": "", "LOG_LEVEL": "WARNING",
           "LOAD_DATA": str(WORK / "journeys.json")}  # fmt: skip
    bin_dir = Path(sys.executable).parent
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", f"celery,{settings.DATACENTER_QUEUE}",
              "--concurrency", "1", "--loglevel", "WARNING",
              "--hostname", f"bench-{os.getpid()}@localhost"]  # fmt: skip
    web = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
    procs = [
        embedded.spawn(worker, env=env, log=WORK / "worker.log"),
        embedded.spawn(web, env=env, log=WORK / "web.log"),
    ]
    try:
        wait_healthy(url, procs)
        # Sign in before the run, through the login form and the token endpoint as clients do: a password
        # check costs PBKDF2's iterations on purpose, and the scenario measures the work, not the sign-in.
        data["sessions"] = {name: session_for(url, name) for name in ("leader", "staff", "bigdata")}
        data["tokens"] = {name: token_for(url, name) for name in ("staff", "bigdata", "api_commerce")}
        (WORK / "journeys.json").write_text(json.dumps(data), encoding="utf-8")
        from config import gunicorn

        print(f"gunicorn: {gunicorn.workers} processes x {gunicorn.threads} threads; {USERS} users for {SECONDS} s, "
              f"{os.cpu_count()} cores, load average before the run {os.getloadavg()[0]:.1f}")  # fmt: skip
        prefix = WORK / "locust"
        result = subprocess.run(
            [str(bin_dir / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", url,
             "--users", str(USERS), "--spawn-rate", "5", "--run-time", f"{SECONDS}s", "--csv", str(prefix),
             "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(WORK / "locust.log", "wb"),  # noqa: SIM115
        )  # fmt: skip
        if result.returncode != 0:
            print(f"locust failed ({result.returncode}); see {WORK / 'locust.log'}")
            return 1
    finally:
        for proc in reversed(procs):
            embedded.stop_process(proc)
        if own_redis:
            embedded.stop(["redis-bench"])
    problems = report(Path(f"{prefix}_stats.csv"))
    failures = Path(f"{prefix}_failures.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    for line in failures:
        print("error:", line)
    if problems:
        print(f"FAILED: {problems} problem(s): p95 above {P95_LIMIT_MS:.0f} ms or errors")
        return 1
    print(f"ok: every endpoint's p95 within {P95_LIMIT_MS:.0f} ms, no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

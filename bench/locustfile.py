"""The portal's four journeys under load (locust), run by bench/bench_load.py.

- officials browse dashboards: the fund dashboard, the org chart, the coverage map, policy search;
- bureau staff move fund applications through the workflow (the division review, over the API);
- divisions follow up the joint meeting: minutes, the action board, progress on their action items;
- departments' systems call the API: policies and applications, and upload data-set files.

The ids the users work on, and their sessions and API tokens, come from the JSON file named by
LOAD_DATA (bench/bench_load.py). Users arrive signed in: checking a password is slow on purpose
(PBKDF2) and is not what this scenario measures.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
import threading
from typing import Any

from locust import HttpUser, between, task

DATA: dict[str, Any] = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
SEARCHES = ["电子商务", "温州智造", "物联网", "软件", "跨境电商", "数据"]
_review = iter(DATA["review"])
_review_lock = threading.Lock()
_uploads = itertools.count(1)


def signed_in(user: HttpUser, username: str) -> None:
    """Arrive signed in: the session bench_load.py opened through the login form before the run."""
    user.client.cookies.set("sessionid", DATA["sessions"][username])


def api_token(username: str) -> dict[str, str]:
    return {"Authorization": f"Token {DATA['tokens'][username]}"}


class Official(HttpUser):
    """A leader reading the dashboards."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        signed_in(self, "leader")

    @task(3)
    def fund_dashboard(self) -> None:
        self.client.get("/funds/", name="/funds/ (fund dashboard)")

    @task(2)
    def org_chart(self) -> None:
        self.client.get("/bureau/", name="/bureau/ (org chart)")

    @task(2)
    def coverage_map(self) -> None:
        self.client.get("/policies/coverage/", name="/policies/coverage/ (coverage map)")

    @task(3)
    def policy_search(self) -> None:
        self.client.get("/policies/", params={"q": random.choice(SEARCHES)}, name="/policies/?q= (policy search)")


class BureauStaff(HttpUser):
    """Bureau staff working through the submitted applications: the list, one application, its review."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        signed_in(self, "staff")
        self.token = api_token("staff")

    @task(2)
    def application_list(self) -> None:
        self.client.get("/funds/applications/", name="/funds/applications/")

    @task(2)
    def application_page(self) -> None:
        pk = random.choice(DATA["applications"])
        self.client.get(f"/funds/applications/{pk}/", name="/funds/applications/[id]/")

    @task(2)
    def review(self) -> None:
        with _review_lock:
            pk = next(_review, None)
        if pk is None:
            return  # every waiting application is reviewed
        self.client.get(f"/funds/applications/{pk}/", name="/funds/applications/[id]/")
        self.client.post(f"/api/v1/applications/{pk}/review/", json={"outcome": "pass"}, headers=self.token,
                         name="/api/v1/applications/[id]/review/ [POST]")  # fmt: skip


class Division(HttpUser):
    """A division of the joint meeting: the minutes, the action board and progress on its action items."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        signed_in(self, "bigdata")
        self.token = api_token("bigdata")

    @task(2)
    def meetings(self) -> None:
        self.client.get("/meetings/", name="/meetings/")

    @task(2)
    def minutes(self) -> None:
        pk = random.choice(DATA["minutes"])
        self.client.get(f"/meetings/minutes/{pk}/", name="/meetings/minutes/[id]/")

    @task(1)
    def action_board(self) -> None:
        self.client.get("/meetings/actions/", name="/meetings/actions/")

    @task(2)
    def progress(self) -> None:
        pk = random.choice(DATA["action_items"])
        self.client.post(f"/api/v1/action-items/{pk}/progress/", json={"body": "本周已完成数据接口联调。"},
                         headers=self.token, name="/api/v1/action-items/[id]/progress/ [POST]")  # fmt: skip


class Department(HttpUser):
    """A department's system on the API: reads, and now and then a data-set file."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.token = api_token("api_commerce")

    @task(3)
    def policies(self) -> None:
        self.client.get("/api/v1/policies/", params={"page_size": 20}, headers=self.token, name="/api/v1/policies/")

    @task(2)
    def applications(self) -> None:
        self.client.get("/api/v1/applications/", params={"page_size": 20}, headers=self.token,
                        name="/api/v1/applications/")  # fmt: skip

    @task(1)
    def upload(self) -> None:
        n = next(_uploads)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["credit_code", "name", "county", "platform", "month", "online_sales"])
        for i in range(50):
            writer.writerow([DATA["codes"][(n * 50 + i) % len(DATA["codes"])], f"温州市负载{n}号网店有限公司", "鹿城区",
                             "淘宝", f"2026-{n % 12 + 1:02d}-01", f"{i + n % 100}.50"])  # fmt: skip
        response = self.client.post(
            f"/api/v1/datasets/{DATA['dataset']}/uploads/", headers=self.token,
            files={"file": (f"load-{n}.csv", out.getvalue().encode(), "text/csv")},
            name="/api/v1/datasets/[id]/uploads/ [POST]",
        )  # fmt: skip
        if response.status_code == 202:
            self.client.get(f"/api/v1/ingestion-jobs/{response.json()['id']}/", headers=self.token,
                            name="/api/v1/ingestion-jobs/[id]/")  # fmt: skip

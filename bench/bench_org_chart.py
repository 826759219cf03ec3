"""Org chart server time for the seeded city + 12 mirrored county bureaus + 5,000 people.

    .venv/bin/python bench/bench_org_chart.py     (or: make bench)

Measures the full page (view, selectors, template) through Django's test client: the
server time a browser would wait for, without the network. Prints the query count too.
"""

from __future__ import annotations

import random
import statistics
import time

import _django

_django.setup()

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bureau import demo, services
from bureau.models import Appointment, Person, Post, Unit, User
from tests.bureau.two_factor import pass_second_factor

PEOPLE = 5_000
COUNTIES = 12


@transaction.atomic
def build() -> None:
    demo.seed()
    bureau = Unit.objects.get(code="bureau")
    for i in range(COUNTIES):
        code = f"bench-county-{i:02d}"
        if not Unit.objects.filter(code=code).exists():
            services.county_bureau_mirror(
                actor=None, source=bureau, parent=bureau, code=code, name=f"基准县{i:02d}网络经济发展局"
            )
    missing = PEOPLE - Person.objects.filter(name__startswith="基准").count()
    if missing <= 0:
        return
    rng = random.Random(7)
    units = list(Unit.objects.filter(code__startswith="bench-county-"))
    open_posts = list(Post.objects.filter(unit__in=units, max_holders__isnull=True))
    if not open_posts:
        open_posts = [Post.objects.create(unit=u, title="工作人员", max_holders=None) for u in units]
    people = Person.objects.bulk_create(
        Person(name=f"基准{n:05d}", home_unit=rng.choice(units)) for n in range(missing)
    )
    Appointment.objects.bulk_create(
        Appointment(person=p, post=rng.choice(open_posts), start_date="2020-01-01") for p in people
    )


def main() -> None:
    started = time.perf_counter()
    build()
    print(f"data: {Unit.objects.count()} units, {Post.objects.count()} posts, {Person.objects.count()} people, "
          f"{Appointment.objects.count()} appointments (built in {time.perf_counter() - started:.1f} s)")  # fmt: skip
    client = Client()
    leader = User.objects.get(username="leader")
    client.force_login(leader)
    pass_second_factor(client, leader)  # a leader's session has passed two-factor sign-in
    client.get("/bureau/")  # warm up: templates, translations
    timings = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get("/bureau/")
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    timings.sort()
    print(f"org chart /bureau/: median {statistics.median(timings):.0f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.0f} ms, max {timings[-1]:.0f} ms, "
          f"{len(queries.captured_queries)} SQL queries, {len(response.content) // 1024} KiB of HTML")  # fmt: skip


if __name__ == "__main__":
    main()

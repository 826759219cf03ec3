"""Benchmark of the joint meeting: the action-item board over 200 meetings and 5,000 action items, and
the daily reminder job over those 5,000 items.

Runs against a throwaway database `bench_meetings` on the test settings' PostgreSQL (embedded unless
DATABASE_URL is set), created and dropped by this script. The bulk data is inserted directly (the services
are measured elsewhere); the board is rendered through Django's test client in this process, so the time
is server time: URL routing, middleware, selectors, queries and template rendering.

    .venv/bin/python bench/bench_meetings.py
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

from tests.bureau.two_factor import pass_second_factor

MEETINGS, ACTIONS = 200, 5_000
RUNS = 20


def build() -> None:
    from bureau import demo as bureau_demo
    from bureau.models import Unit
    from meetings import demo, services
    from meetings.choices import ActionStatus, AgendaItemKind, AgendaItemStatus, MeetingStatus
    from meetings.models import ActionItem, AgendaItem, Meeting

    bureau_demo.seed()
    today = timezone.localdate()
    units = {u.code: u for u in Unit.objects.all()}
    for code, representative, deputy in demo.MEMBERS:
        services.membership_add(
            actor=None, unit=units[code], joined_on=today - datetime.timedelta(days=2000),
            representative_name=representative, deputy_name=deputy,
        )  # fmt: skip
    owners = [units[code] for code, _r, _d in demo.MEMBERS]
    per_meeting = ACTIONS // MEETINGS
    meetings = Meeting.objects.bulk_create(
        Meeting(
            number=n,
            date=today - datetime.timedelta(days=7 * (MEETINGS - n + 1)),
            start_time=datetime.time(9, 30),
            place="会议室",
            convening_unit=units[demo.CONVENING],
            recording_unit=units[demo.RECORDING],
            agenda_deadline=timezone.now(),
            status=MeetingStatus.HELD,
        )
        for n in range(1, MEETINGS + 1)
    )
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=m,
            kind=AgendaItemKind.SUBMITTED,
            unit=owners[(m.number + i) % len(owners)],
            title=f"第{m.number}次会议督办事项{i + 1}",
            status=AgendaItemStatus.ACCEPTED,
            position=i + 1,
        )
        for m in meetings
        for i in range(per_meeting)
    )
    # Due dates spread from 120 days ago to 120 days ahead: about half are past due.
    ActionItem.objects.bulk_create(
        ActionItem(
            meeting_id=item.meeting_id,
            agenda_item=item,
            title=item.title,
            owner_unit_id=item.unit_id,
            due_on=today + datetime.timedelta(days=(k % 241) - 120),
            expected_result="形成书面成果",
            status=ActionStatus.IN_PROGRESS if k % 3 else ActionStatus.OPEN,
        )
        for k, item in enumerate(items)
    )


def timed(fn: object, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time (Python side, without PostgreSQL's), in ms."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def main() -> None:
    setup_test_environment()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "bench_meetings"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        build()
        print(f"data: {MEETINGS} meetings, {ACTIONS} action items, built in {time.perf_counter() - started:.1f} s")
        from bureau.models import User
        from meetings import services

        leader, division = Client(), Client()
        leader.force_login(User.objects.get(username="leader"))
        pass_second_factor(leader, User.objects.get(username="leader"))  # a leader passed two-factor sign-in
        division.force_login(User.objects.get(username="division"))  # a member division: the members' rule applies
        for who, client, url in (
            ("leader", leader, "/meetings/actions/"),
            ("leader", leader, "/meetings/actions/?status=in_progress&page=20"),
            ("member division", division, "/meetings/actions/?page=10"),
        ):
            client.get(url)  # warm up
            settings.DEBUG = True
            reset_queries()
            response = client.get(url)
            queries = len(connection.queries)
            settings.DEBUG = False
            assert response.status_code == 200
            samples, cpu = timed(lambda url=url, client=client: client.get(url), RUNS)
            print(
                f"action board as {who}, {url}: median {statistics.median(samples):.0f} ms, "
                f"90th percentile {statistics.quantiles(samples, n=10)[-1]:.0f} ms, max {max(samples):.0f} ms "
                f"over {RUNS} requests (CPU of the web process: median {statistics.median(cpu):.0f} ms), "
                f"{queries} SQL queries"
            )
        today = timezone.localdate()
        start = time.perf_counter()
        report = services.run_daily_follow_up(today=today)
        first = time.perf_counter() - start
        print(
            f"daily reminder job, first run: {first:.2f} s (marked overdue {report.marked_overdue}, "
            f"due in 3 days {report.due_soon}, due today {report.due_today})"
        )
        start = time.perf_counter()
        report = services.run_daily_follow_up(today=today)
        print(
            f"daily reminder job, second run the same day: {time.perf_counter() - start:.2f} s "
            f"(sent {report.due_soon + report.due_today + report.minutes_late}, marked {report.marked_overdue})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

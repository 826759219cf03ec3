"""Jobs through a real Celery worker process, real Redis and the test database."""

import os
import signal
import time

import pytest
import redis
from django.db import connection

from datacenter import services
from datacenter.models import IngestionJob
from tests.datacenter.conftest import start_worker, stop_worker
from tests.datacenter.factories import city_with_center, csv_bytes, make_dataset, records, row, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def wait_for(predicate, timeout=90.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out")


def finished(job):
    job.refresh_from_db()
    return job.status in ("succeeded", "failed", "cancelled")


def test_an_upload_is_loaded_by_the_worker_after_commit(worker_queue):
    dataset = make_dataset(city_with_center()["commerce"])
    job = upload(dataset, csv_bytes([row(i) for i in range(20)]))
    wait_for(lambda: finished(job))
    assert (job.status, job.rows_inserted, job.attempts) == ("succeeded", 20, 1)
    assert len(records(dataset)) == 20


def test_the_sweep_leaves_a_live_job_alone_and_retries_an_orphan(worker_queue, settings):
    dataset = make_dataset(city_with_center()["commerce"])
    settings.DATACENTER_QUEUE = "nobody-listens"
    job = upload(dataset, csv_bytes([row(1)]))
    IngestionJob.objects.filter(pk=job.pk).update(status="running", attempts=1, heartbeat_at="2020-01-01T00:00Z")
    settings.DATACENTER_QUEUE = worker_queue
    assert services.jobs_sweep_stale() == {"retried": 1, "failed": 0}
    wait_for(lambda: finished(job))
    assert (job.status, job.attempts, job.rows_inserted) == ("succeeded", 2, 1)


def test_a_worker_killed_mid_job_commits_nothing_and_the_retry_loads_everything_once(settings):
    settings.DATACENTER_QUEUE = queue = f"kill-{os.getpid()}"
    dataset = make_dataset(city_with_center()["commerce"])
    rows = 100_000
    content = csv_bytes([row(i) for i in range(rows)])
    first = start_worker(queue, visibility_timeout=2, log_name="kill")
    try:
        job = upload(dataset, content)
        # Kill it while it reads: rows are being staged, nothing is merged yet.
        wait_for(
            lambda: IngestionJob.objects.filter(pk=job.pk, status="running", rows_read__gt=0).exists(), interval=0.05
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop_worker(first, signal.SIGKILL)
    job.refresh_from_db()
    assert job.status == "running"
    assert len(records(dataset)) == 0
    connection.close()
    time.sleep(3)  # past the visibility timeout: Redis hands the unacknowledged task to the next worker
    second = start_worker(queue, visibility_timeout=2, log_name="kill", wait_ready=False)
    try:
        wait_for(lambda: finished(job), timeout=240)
    finally:
        stop_worker(second)
    assert (job.status, job.attempts, job.rows_inserted, job.rows_read) == ("succeeded", 2, rows, rows)
    assert len(records(dataset)) == rows


def test_progress_is_reported_while_a_long_file_loads(worker_queue):
    dataset = make_dataset(city_with_center()["commerce"])
    job = upload(dataset, csv_bytes([row(i) for i in range(600_000)]))
    seen = set()

    def progressed():
        job.refresh_from_db()
        if job.status == "running":
            seen.add((job.phase, job.rows_read))
        return job.status == "succeeded"

    wait_for(progressed, timeout=240, interval=0.05)
    assert len(seen) >= 2, seen  # the page saw it move: rows counted while reading, then the SQL phases
    assert any(0 < rows < 600_000 for _phase, rows in seen) or {p for p, _r in seen} >= {"validating"}, seen
    assert job.rows_expected == 600_000


def test_the_sweep_sends_again_a_job_whose_message_was_lost_but_not_a_backlog(settings):
    settings.DATACENTER_QUEUE = queue = f"resend-{os.getpid()}"
    settings.DATACENTER_REQUEUE_SECONDS = 0
    broker = redis.Redis.from_url(settings.REDIS_URL)
    dataset = make_dataset(city_with_center()["commerce"])
    job = upload(dataset, csv_bytes([row(1)]))
    try:
        assert broker.llen(queue) == 1
        assert services.jobs_resend_waiting() == {"resent": 0}  # its message still waits: no second one
        broker.delete(queue)  # lost, as when Redis restarts without its data
        assert services.jobs_resend_waiting() == {"resent": 1}
        assert broker.llen(queue) == 1
        job.refresh_from_db()
        assert job.status == "queued"
        # Never handed over (the broker was down when it was created): sent whatever the queue holds.
        IngestionJob.objects.filter(pk=job.pk).update(sent_at=None)
        assert services.jobs_resend_waiting() == {"resent": 1}
        assert broker.llen(queue) == 2
    finally:
        broker.delete(queue)
        broker.close()

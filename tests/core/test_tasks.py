import logging

import pytest

from core.tasks import ping

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_task_sent_through_redis_runs_in_a_worker_process(celery_worker):
    result = ping.delay("你好")
    assert result.get(timeout=30) == {"payload": "你好", "request_id": None}
    # Executed by the worker, not in this process: the result backend knows which worker.
    assert result.state == "SUCCESS"
    assert celery_worker.poll() is None


def test_task_started_by_a_request_carries_its_request_id(celery_worker, caplog):
    from core.logging import bind_request_id

    bind_request_id("req-1234567890")
    try:
        result = ping.delay("traced")
    finally:
        bind_request_id(None)
    assert result.get(timeout=30)["request_id"] == "req-1234567890"


def test_every_request_logs_one_json_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="abcdef0123456789")
    assert response["X-Request-ID"] == "abcdef0123456789"
    records = [r for r in caplog.records if r.name == "portal.request"]
    assert len(records) == 1
    assert records[0].request_id == "abcdef0123456789"
    assert records[0].status == 200
    assert records[0].duration_ms >= 0

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_metrics_count_requests_by_view_for_an_allowed_address(client):
    client.get("/accounts/login/")
    client.get("/accounts/login/")
    body = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'portal_http_requests_total{method="GET",status="200",view="login"}' in body
    assert "portal_http_request_duration_seconds_bucket" in body
    assert "portal_celery_queue_length" in body
    assert "portal_ingestion_jobs" in body


def test_metrics_are_refused_to_other_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@override_settings(METRICS_TOKEN="s3cret-monitoring-token")
def test_metrics_are_served_to_the_bearer_of_the_token(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-monitoring-token")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain")

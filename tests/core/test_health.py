import pytest
from django.test import override_settings
from django.urls import reverse

from config.settings.base import celery_url
from core import embedded

pytestmark = pytest.mark.django_db


@pytest.mark.worker
def test_healthz_reports_database_redis_and_worker_up(client, celery_worker):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "up", "redis": "up", "celery": "up"}}


def test_healthz_answers_503_when_redis_is_stopped(client, private_redis, tmp_path):
    with override_settings(REDIS_URL=private_redis, CELERY_BROKER_URL=celery_url(private_redis)):
        before = client.get(reverse("healthz")).json()
        assert before["checks"]["redis"] == "up"
        assert before["checks"]["database"] == "up"

        embedded.stop_redis(tmp_path / "redis")

        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"] == {"database": "up", "redis": "down", "celery": "down"}


def test_healthz_needs_no_sign_in_and_is_never_cached(client):
    response = client.get(reverse("healthz"))
    assert response.status_code in (200, 503)
    assert "no-cache" in response["Cache-Control"]

"""The state of the parts the portal needs: database, Redis and at least one Celery worker."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
UP, DOWN = "up", "down"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return UP
    except Exception:
        logger.warning("health: database unreachable", exc_info=True)
        connection.close()  # a broken connection must not be reused by the next request
        return DOWN


def redis_state() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
        return UP
    except redis.RedisError:
        return DOWN
    finally:
        client.close()


def celery_state(timeout: float = 1.0) -> str:
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=max(1, round(timeout)))
            replies = app.control.ping(timeout=timeout, limit=1, connection=conn)
    except Exception:
        return DOWN
    return UP if replies else DOWN


def portal_health() -> dict[str, str]:
    states = {"database": database_state(), "redis": redis_state()}
    # Without Redis there is no broker to ask the workers through.
    states["celery"] = celery_state() if states["redis"] == UP else DOWN
    return states

"""Tasks every deployment has: a ping that proves a worker runs and answers."""

from __future__ import annotations

import logging

from celery import shared_task

from .logging import current_request_id

logger = logging.getLogger(__name__)


@shared_task(name="core.ping")
def ping(payload: str) -> dict[str, str | None]:
    """Echo the payload with the request id the task inherited, for health and tests."""
    logger.info("ping", extra={"payload": payload})
    return {"payload": payload, "request_id": current_request_id()}

"""Celery tasks of the organisation: thin, ids in, one call each."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from . import notifications

logger = logging.getLogger(__name__)

# What sending mail raises while the mail server is down, refuses or does not answer in EMAIL_TIMEOUT
# (smtplib.SMTPException is an OSError too; both are named for the reader).
MAIL_ERRORS = (smtplib.SMTPException, OSError)
# Attempts after the first, and the wait before each: 1, 2, 4, 8 minutes (NOTIFICATION_EMAIL_RETRY_SECONDS doubled).
EMAIL_RETRIES = 4


@shared_task(
    name="bureau.send_notification_emails", bind=True, ignore_result=True, acks_late=True, max_retries=EMAIL_RETRIES
)
def send_notification_emails(self: Task[Any, Any], notification_ids: list[int]) -> int:
    """E-mail the notifications (those not e-mailed yet); a mail server that fails is tried again later."""
    try:
        return notifications.send_notification_emails(notification_ids)
    except MAIL_ERRORS as exc:
        attempt = self.request.retries + 1
        if self.request.retries >= EMAIL_RETRIES:
            logger.error(
                "notification e-mail failed %d times, given up: %s", attempt, exc,
                extra={"notification_ids": notification_ids},
            )  # fmt: skip
            raise
        delay = settings.NOTIFICATION_EMAIL_RETRY_SECONDS * 2**self.request.retries
        logger.warning(
            "notification e-mail failed (attempt %d), trying again in %d s: %s", attempt, delay, exc,
            extra={"notification_ids": notification_ids},
        )  # fmt: skip
        raise self.retry(exc=exc, countdown=delay) from exc

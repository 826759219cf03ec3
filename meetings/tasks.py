"""Scheduled work of the joint meeting: thin wrappers that call the services."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from celery import shared_task

from . import services


@shared_task(name="meetings.daily_follow_up")
def daily_follow_up(today: str | None = None) -> dict[str, int]:
    """Mark overdue action items and send the day's reminders; running it twice sends nothing twice."""
    day = datetime.date.fromisoformat(today) if today else None
    return asdict(services.run_daily_follow_up(today=day))

"""Scheduled work of the catalogue. Thin: find the rows, call the service; running twice changes nothing.

To run it nightly, add to CELERY_BEAT_SCHEDULE:
    "policies-expire": {"task": "policies.expire_due", "schedule": crontab(hour=1, minute=0)}
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services
from .choices import PolicyStatus
from .models import Policy


@shared_task(name="policies.expire_due")
def expire_due() -> list[int]:
    """Mark published policies whose expiry date has passed as expired; answer their ids."""
    today = timezone.localdate()
    due = list(Policy.objects.filter(status=PolicyStatus.PUBLISHED, expires_on__lte=today).values_list("pk", flat=True))
    for pk in due:
        services.policy_expire(actor=None, policy=Policy(pk=pk), today=today)
    return due

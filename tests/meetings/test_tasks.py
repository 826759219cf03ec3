"""The daily job through a real Celery worker, on a frozen date."""

import pytest
from django.conf import settings

from bureau.models import Notification
from meetings.choices import ActionStatus, NotificationKind
from meetings.models import ActionItem
from meetings.tasks import daily_follow_up
from tests.meetings.factories import D, build_world, held_meeting, published_minutes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_the_daily_job_is_scheduled_every_day():
    entry = settings.CELERY_BEAT_SCHEDULE["meetings-daily-follow-up"]
    assert entry["task"] == daily_follow_up.name
    assert entry["schedule"].hour == {7}


def test_worker_marks_overdue_and_reminds_once_however_often_it_runs(celery_worker):
    world = build_world()
    meeting = held_meeting(world, D(2026, 3, 10), titles=("事项一", "事项二"))
    published_minutes(world, meeting, due_on=D(2026, 4, 20))
    first, second = ActionItem.objects.order_by("pk")
    ActionItem.objects.filter(pk=second.pk).update(due_on=D(2026, 4, 1))

    result = daily_follow_up.delay("2026-04-17").get(timeout=60)
    assert result == {"marked_overdue": 1, "due_soon": 1, "due_today": 0, "minutes_late": 0}
    assert daily_follow_up.delay("2026-04-17").get(timeout=60) == {
        "marked_overdue": 0, "due_soon": 0, "due_today": 0, "minutes_late": 0,
    }  # fmt: skip
    second.refresh_from_db()
    assert second.status == ActionStatus.OVERDUE
    first.refresh_from_db()
    assert first.status == ActionStatus.OPEN
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON, unit=world.member_a).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 1

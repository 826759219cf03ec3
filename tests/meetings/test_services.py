"""Services: bad input is refused whole, open action items are carried over, reminders go out once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bureau.models import Notification
from bureau.notifications import send_notification_emails
from meetings import services
from meetings.choices import ActionStatus, AgendaItemKind, MeetingStatus, MinutesStatus, NotificationKind, Outcome
from meetings.models import ActionItem, AgendaAttachment, AgendaItem, Attendance, ItemSummary, Minutes
from tests.meetings.factories import (
    MEETING_DAY,
    D,
    action_of,
    at,
    held_meeting,
    published_minutes,
    schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; the pages' tests check the Chinese."""
    with translation.override("en"):
        yield


def open_meeting(world, day=MEETING_DAY):
    meeting = schedule(world, day)
    return services.meeting_open_agenda(actor=world.convenor, meeting=meeting)


# --- bad input: a clear error, nothing half-saved ---


def test_an_agenda_item_after_the_deadline_is_refused(world):
    meeting = open_meeting(world)
    with pytest.raises(ValidationError, match="deadline"):
        services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_a, title="迟到的议题", now=at(D(2026, 3, 8))
        )
    assert not AgendaItem.objects.filter(meeting=meeting).exists()


def test_an_agenda_item_with_an_oversized_attachment_saves_nothing(world):
    meeting = open_meeting(world)
    small = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    big = SimpleUploadedFile("big.zip", b"x" * (services.ATTACHMENT_MAX_BYTES + 1))
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_a, title="议题", attachments=[small, big],
            now=at(D(2026, 3, 1)),
        )  # fmt: skip
    assert "attachments" in exc.value.message_dict
    assert not AgendaItem.objects.exists()
    assert not AgendaAttachment.objects.exists()


def test_an_agenda_item_keeps_its_attachments(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = open_meeting(world)
    item = services.agenda_item_submit(
        actor=world.user_a, meeting=meeting, unit=world.member_a, title="议题",
        attachments=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 small")], now=at(D(2026, 3, 1)),
    )  # fmt: skip
    attachment = item.attachments.get()
    assert (attachment.name, attachment.size) == ("方案.pdf", 14)
    assert attachment.file.read() == b"%PDF-1.4 small"


def test_non_members_and_outsiders_cannot_submit_agenda_items(world):
    meeting = open_meeting(world)
    with pytest.raises(PermissionDenied):  # acting for another unit
        services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_b, title="议题", now=at(D(2026, 3, 1))
        )
    with pytest.raises(ValidationError, match="member units"):
        services.agenda_item_submit(
            actor=world.outsider_user, meeting=meeting, unit=world.outsider, title="议题", now=at(D(2026, 3, 1))
        )
    assert not AgendaItem.objects.exists()


def test_minutes_for_a_meeting_not_yet_held_are_refused(world):
    meeting = open_meeting(world)
    with pytest.raises(ValidationError, match="held"):
        services.minutes_file(actor=world.recorder, meeting=meeting)
    assert not Minutes.objects.exists()


def test_published_minutes_cannot_be_edited(world):
    meeting = held_meeting(world)
    minutes = published_minutes(world, meeting)
    with pytest.raises(ValidationError, match="no longer be edited"):
        services.minutes_save_item(
            actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="改写"
        )
    with pytest.raises(ValidationError, match="no longer be edited"):
        services.minutes_update(actor=world.recorder, minutes=minutes, preamble="改写")
    minutes.refresh_from_db()
    assert minutes.preamble == "会议听取了各成员单位的汇报。"
    assert minutes.items.get().summary.startswith("会议议定")


def test_an_action_item_without_owner_or_due_date_is_refused(world):
    meeting = held_meeting(world)
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        services.minutes_save_item(
            actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="督办",
            outcome=Outcome.ACTION,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"owner_unit", "due_on"}
    assert not ItemSummary.objects.exists()


def test_progress_posted_by_a_non_owner_is_refused(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, owner=world.member_a)
    action = action_of(meeting)
    for intruder in (world.user_b, world.convenor, world.outsider_user, world.leader):
        with pytest.raises(PermissionDenied):
            services.action_progress(actor=intruder, item=action, body="不是我的事项")
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert not action.progress.exists()


def test_done_needs_evidence(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    action = action_of(meeting)
    with pytest.raises(ValidationError) as exc:
        services.action_progress(actor=world.user_a, item=action, body="完成", done=True)
    assert "evidence" in exc.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_attendance_for_a_non_member_is_refused(world):
    meeting = held_meeting(world)
    for unit in (world.outsider, world.former):  # the association left in 2025
        with pytest.raises(ValidationError, match="not a member unit"):
            services.attendance_record(
                actor=world.recorder, meeting=meeting, unit=unit, status="present", today=meeting.date
            )
    assert not Attendance.objects.filter(unit__in=[world.outsider, world.former]).exists()


def test_attendance_needs_a_delegate_name_or_an_absence_reason(world):
    meeting = held_meeting(world)
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.recorder, meeting=meeting, unit=world.member_b, status="absent")
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.recorder, meeting=meeting, unit=world.member_b, status="delegate")
    row = services.attendance_record(
        actor=world.recorder, meeting=meeting, unit=world.member_b, status="delegate", attendee_name="张科长"
    )
    assert row.attendee_name == "张科长"
    assert Attendance.objects.filter(meeting=meeting, unit=world.member_b).count() == 1


def test_past_meetings_keep_who_was_a_member_then(world):
    services.membership_add(actor=None, unit=world.outsider, joined_on=D(2026, 3, 1), representative_name="王处长")
    early = held_meeting(world, D(2026, 2, 10))
    with pytest.raises(ValidationError):
        services.attendance_record(actor=world.recorder, meeting=early, unit=world.outsider, status="present")
    late = held_meeting(world, D(2026, 3, 10))
    services.attendance_record(actor=world.recorder, meeting=late, unit=world.outsider, status="present")


def test_a_unit_holds_one_seat_at_a_time(world):
    with pytest.raises(ValidationError, match="already holds a seat"):
        services.membership_add(actor=None, unit=world.member_a, joined_on=D(2026, 1, 1), representative_name="某")
    with pytest.raises(ValidationError):
        services.membership_add(actor=None, unit=world.outsider, joined_on=D(2026, 1, 1))  # no representative
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=world.convenor, unit=world.outsider, joined_on=D(2026, 1, 1), representative_name="某"
        )


def test_comments_after_the_deadline_are_refused(world):
    meeting = held_meeting(world)
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    services.minutes_save_item(actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="纪要")
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(D(2026, 3, 13)), now=at(D(2026, 3, 11))
    )
    with pytest.raises(ValidationError, match="deadline"):
        services.minutes_comment(actor=world.user_a, minutes=minutes, body="意见", now=at(D(2026, 3, 14)))
    with pytest.raises(PermissionDenied):
        services.minutes_comment(actor=world.outsider_user, minutes=minutes, body="意见", now=at(D(2026, 3, 12)))
    assert not minutes.comments.exists()


def test_the_meeting_number_is_unique(world):
    schedule(world, D(2026, 3, 10))
    with pytest.raises(ValidationError) as exc:
        schedule(world, D(2026, 4, 10), number=1)
    assert "number" in exc.value.message_dict
    assert schedule(world, D(2026, 4, 10)).number == 2


def test_a_meeting_needs_a_place_or_a_link_and_a_deadline_before_it(world):
    with pytest.raises(ValidationError):
        services.meeting_schedule(
            actor=world.convenor, date=D(2026, 3, 10), start_time=datetime.time(9), convening_unit=world.convening,
            recording_unit=world.recording, agenda_deadline=at(D(2026, 3, 5)),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="agenda deadline"):
        services.meeting_schedule(
            actor=world.convenor, date=D(2026, 3, 10), start_time=datetime.time(9), convening_unit=world.convening,
            recording_unit=world.recording, agenda_deadline=at(D(2026, 3, 11)), online_url="https://meet.example/1",
        )  # fmt: skip


# --- carry-over ---


def held_second(world, meeting):
    services.meeting_send_invitation(actor=world.convenor, meeting=meeting)
    return services.meeting_mark_held(actor=world.convenor, meeting=meeting, today=meeting.date)


def test_open_action_items_are_carried_onto_the_next_agenda_until_closed(world):
    first = held_meeting(world, D(2026, 3, 10), titles=("跨境电商试点", "数据共享目录"))
    published_minutes(world, first)
    done, still_open = ActionItem.objects.filter(meeting=first).order_by("pk")
    services.action_progress(actor=world.user_a, item=done, body="完成", done=True, evidence="文件")
    services.action_confirm_closure(actor=world.convenor, item=done)

    second = open_meeting(world, D(2026, 4, 14))
    carried = list(second.agenda.filter(kind=AgendaItemKind.CARRIED_OVER))
    assert [c.carried_action for c in carried] == [still_open]
    assert carried[0].status == "accepted"
    assert carried[0].unit == world.member_a

    # The minutes report on a carried item; they do not make it a second action item.
    draft = services.minutes_file(actor=world.recorder, meeting=held_second(world, second))
    with pytest.raises(ValidationError, match="existing action item"):
        services.minutes_save_item(
            actor=world.recorder, minutes=draft, agenda_item=carried[0], summary="再次督办",
            outcome=Outcome.ACTION, owner_unit=world.member_a, due_on=D(2026, 6, 1),
        )  # fmt: skip

    # Still open at the third meeting: carried again; closed items never are.
    third = open_meeting(world, D(2026, 5, 12))
    assert [c.carried_action for c in third.agenda.filter(kind=AgendaItemKind.CARRIED_OVER)] == [still_open]


def test_action_items_published_while_a_later_meeting_is_open_join_its_agenda(world):
    first = held_meeting(world, D(2026, 3, 10))
    second = open_meeting(world, D(2026, 4, 14))
    assert not second.agenda.exists()
    published_minutes(world, first)
    assert second.agenda.get().carried_action == action_of(first)
    services.meeting_send_invitation(actor=world.convenor, meeting=second)
    assert second.agenda.count() == 1  # carried once only


# --- notifications and the daily job on a frozen clock ---


def test_the_invitation_notifies_every_member_once_and_emails_those_with_an_address(world):
    meeting = open_meeting(world)
    services.meeting_send_invitation(actor=world.convenor, meeting=meeting)
    notes = Notification.objects.filter(kind=NotificationKind.INVITATION)
    # What the worker does once the invitation commits (bureau.tasks; its own tests use a real worker).
    send_notification_emails(list(notes.values_list("pk", flat=True)))
    assert set(notes.values_list("unit__code", flat=True)) == {"m-ecom", "m-center", "m-planning", "m-office"}
    recipients = sorted(addr for message in mail.outbox for addr in message.to)
    assert recipients == ["a@example.gov.cn", "convenor@example.gov.cn", "recorder@example.gov.cn"]
    assert all("邀请" in m.subject or "Invitation" in m.subject for m in mail.outbox)


def test_daily_job_marks_overdue_and_reminds_exactly_once(world):
    meeting = held_meeting(world, D(2026, 3, 10), titles=("A事项", "B事项", "C事项"))
    published_minutes(world, meeting, due_on=D(2026, 4, 20))
    _a, b, c = ActionItem.objects.filter(meeting=meeting).order_by("pk")
    ActionItem.objects.filter(pk=b.pk).update(due_on=D(2026, 4, 17))
    ActionItem.objects.filter(pk=c.pk).update(due_on=D(2026, 4, 10))
    mail.outbox.clear()

    # 17 April: a is due in 3 days, b is due today, c is overdue.
    report = services.run_daily_follow_up(today=D(2026, 4, 17))
    reminders = Notification.objects.filter(kind__in=["due_soon", "due_today", "overdue"])
    send_notification_emails(list(reminders.values_list("pk", flat=True)))  # as the worker would after commit
    assert (report.marked_overdue, report.due_soon, report.due_today) == (1, 1, 1)
    c.refresh_from_db()
    assert (c.status, c.overdue_since) == (ActionStatus.OVERDUE, D(2026, 4, 17))
    kinds = sorted(
        Notification.objects.filter(kind__in=["due_soon", "due_today", "overdue"]).values_list("kind", flat=True)
    )
    assert kinds == ["due_soon", "due_today", "overdue"]
    assert len(mail.outbox) == 3  # member A has an address
    assert {m.to[0] for m in mail.outbox} == {"a@example.gov.cn"}

    # The same day again: nothing is sent twice.
    again = services.run_daily_follow_up(today=D(2026, 4, 17))
    send_notification_emails(list(reminders.values_list("pk", flat=True)))
    assert (again.marked_overdue, again.due_soon, again.due_today) == (0, 0, 0)
    assert Notification.objects.filter(kind__in=["due_soon", "due_today", "overdue"]).count() == 3
    assert len(mail.outbox) == 3

    # 18 April: b, due yesterday, is overdue now (once, even if the job runs twice); a was reminded already.
    assert services.run_daily_follow_up(today=D(2026, 4, 18)).marked_overdue == 1
    assert services.run_daily_follow_up(today=D(2026, 4, 18)).marked_overdue == 0
    assert Notification.objects.filter(kind="overdue").count() == 2
    assert Notification.objects.filter(kind="due_soon").count() == 1

    # 20 April: a is due today (its second reminder); 21 April: a and b are overdue.
    services.run_daily_follow_up(today=D(2026, 4, 20))
    assert Notification.objects.filter(kind="due_today").count() == 2
    report = services.run_daily_follow_up(today=D(2026, 4, 21))
    assert report.marked_overdue == 1
    assert set(ActionItem.objects.values_list("status", flat=True)) == {ActionStatus.OVERDUE}


def test_done_items_are_neither_reminded_nor_marked_overdue(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, due_on=D(2026, 4, 20))
    action = action_of(meeting)
    services.action_progress(actor=world.user_a, item=action, body="完成", done=True, evidence="文件")
    services.run_daily_follow_up(today=D(2026, 4, 17))
    services.run_daily_follow_up(today=D(2026, 4, 25))
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert not Notification.objects.filter(kind__in=["due_soon", "due_today", "overdue"]).exists()


def test_recording_division_is_reminded_once_when_minutes_are_late(world):
    # Held Thursday 12 Feb 2026: five working days run past the Spring Festival to Thursday 26 Feb.
    meeting = held_meeting(world, D(2026, 2, 12))
    assert meeting.minutes_due_on == D(2026, 2, 26)
    services.run_daily_follow_up(today=D(2026, 2, 26))
    assert not Notification.objects.filter(kind=NotificationKind.MINUTES_LATE).exists()
    # A draft is not filed minutes.
    services.minutes_file(actor=world.recorder, meeting=meeting)
    report = services.run_daily_follow_up(today=D(2026, 2, 27))
    assert report.minutes_late == 1
    note = Notification.objects.get(kind=NotificationKind.MINUTES_LATE)
    assert note.unit == world.recording
    assert services.run_daily_follow_up(today=D(2026, 3, 2)).minutes_late == 0
    assert Notification.objects.filter(kind=NotificationKind.MINUTES_LATE).count() == 1


def test_circulated_minutes_stop_the_late_reminder(world):
    meeting = held_meeting(world, D(2026, 3, 10))
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    services.minutes_save_item(actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="纪要")
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(D(2026, 3, 13)), now=at(D(2026, 3, 11))
    )
    assert services.run_daily_follow_up(today=D(2026, 3, 30)).minutes_late == 0


def test_publishing_assigns_action_items_and_notifies_their_owners(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, owner=world.member_b)
    action = action_of(meeting)
    assert (action.owner_unit, action.status, action.expected_result) == (world.member_b, "open", "形成工作方案")
    assert Notification.objects.filter(kind=NotificationKind.ASSIGNED, unit=world.member_b).count() == 1
    assert meeting.status == MeetingStatus.HELD


def test_briefs_come_from_member_units_only(world):
    brief = services.brief_post(
        actor=world.user_a, unit=world.member_a, title="电商数据月报", body="十月网络零售额增长。"
    )
    assert Notification.objects.filter(kind=NotificationKind.BRIEF).exclude(unit=world.member_a).count() == 3
    assert brief.posted_by == world.user_a
    with pytest.raises(ValidationError):
        services.brief_post(actor=world.outsider_user, unit=world.outsider, title="通报", body="内容")
    with pytest.raises(PermissionDenied):
        services.brief_post(actor=world.user_a, unit=world.member_b, title="通报", body="内容")


def test_published_minutes_are_found_by_chinese_full_text_search(world):
    from meetings import selectors

    meeting = held_meeting(world, titles=("推进跨境电子商务综合试验区建设",))
    published_minutes(world, meeting)
    minutes, items = selectors.search_minutes(user=world.leader, q="跨境电子商务")
    assert [m.meeting for m in minutes] == [meeting]
    assert len(items) == 1
    assert selectors.search_minutes(user=world.leader, q="农业") == ([], [])
    assert minutes[0].status == MinutesStatus.PUBLISHED


def test_membership_changes_keep_one_seat_per_unit(world):
    seat = world.member_a.meeting_memberships.get()
    services.membership_update(actor=None, membership=seat, representative_name="新联络员", left_on=D(2026, 6, 30))
    seat.refresh_from_db()
    assert (seat.representative_name, seat.left_on) == ("新联络员", D(2026, 6, 30))
    with pytest.raises(ValidationError, match="already holds a seat"):
        services.membership_add(actor=None, unit=world.member_a, joined_on=D(2026, 6, 1), representative_name="某")
    rejoined = services.membership_add(
        actor=None, unit=world.member_a, joined_on=D(2026, 7, 1), representative_name="某"
    )
    with pytest.raises(ValidationError, match="already holds a seat"):
        services.membership_update(actor=None, membership=seat, left_on=None)
    assert rejoined.left_on is None


def test_a_due_soon_reminder_missed_on_its_day_goes_out_the_next_day_once(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, due_on=D(2026, 4, 20))
    # The job did not run on 17 April (three days before); on the 18th it catches up.
    assert services.run_daily_follow_up(today=D(2026, 4, 18)).due_soon == 1
    assert "2 days" in Notification.objects.get(kind=NotificationKind.DUE_SOON).title
    assert services.run_daily_follow_up(today=D(2026, 4, 19)).due_soon == 0
    assert services.run_daily_follow_up(today=D(2026, 4, 16)).due_soon == 0  # not before the three days

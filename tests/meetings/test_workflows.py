"""The three state machines: meetings, minutes and action items."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from meetings import services, workflows
from meetings.choices import ActionStatus, MeetingStatus, MinutesStatus, Outcome
from meetings.models import Minutes
from meetings.permissions import Part
from tests.meetings.factories import D, action_of, at, held_meeting, published_minutes, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; the pages' tests check the Chinese."""
    with translation.override("en"):
        yield


def test_every_state_of_each_machine_is_in_its_table():
    assert set(workflows.MEETING) == set(MeetingStatus.values)
    assert set(workflows.MINUTES) == set(MinutesStatus.values)
    assert set(workflows.ACTION) == set(ActionStatus.values)


def test_meeting_goes_scheduled_open_invited_held(world):
    meeting = schedule(world)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.number == 1
    meeting = services.meeting_open_agenda(actor=world.convenor, meeting=meeting)
    assert meeting.status == MeetingStatus.AGENDA_OPEN
    meeting = services.meeting_send_invitation(actor=world.convenor, meeting=meeting)
    assert meeting.status == MeetingStatus.INVITED
    assert meeting.invited_at is not None
    meeting = services.meeting_mark_held(actor=world.convenor, meeting=meeting, today=D(2026, 3, 10))
    assert meeting.status == MeetingStatus.HELD
    # Tuesday 10 March + 5 working days.
    assert meeting.minutes_due_on == D(2026, 3, 17)


def test_meeting_cannot_skip_a_step_or_leave_a_final_state(world):
    meeting = schedule(world)
    with pytest.raises(ValidationError, match="Cannot go from"):
        services.meeting_mark_held(actor=world.convenor, meeting=meeting, today=D(2026, 3, 10))
    services.meeting_cancel(actor=world.convenor, meeting=meeting)
    with pytest.raises(ValidationError):
        services.meeting_open_agenda(actor=world.convenor, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_only_the_convening_division_opens_and_invites(world):
    meeting = schedule(world)
    for intruder in (world.user_a, world.recorder, world.outsider_user):
        with pytest.raises(PermissionDenied):
            services.meeting_open_agenda(actor=intruder, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_meeting_is_not_marked_held_before_its_date(world):
    meeting = schedule(world, D(2026, 3, 10))
    services.meeting_open_agenda(actor=world.convenor, meeting=meeting)
    services.meeting_send_invitation(actor=world.convenor, meeting=meeting)
    with pytest.raises(ValidationError, match="before its date"):
        services.meeting_mark_held(actor=world.convenor, meeting=meeting, today=D(2026, 3, 9))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.INVITED


def test_minutes_go_draft_circulated_approved_published(world):
    meeting = held_meeting(world)
    minutes = published_minutes(world, meeting)
    assert minutes.version == 1
    assert minutes.approved_by == world.convenor
    assert minutes.published_by == world.convenor
    assert minutes.circulated_at is not None


def test_circulated_minutes_go_back_to_draft_for_amendment(world):
    meeting = held_meeting(world)
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    item = meeting.agenda.get()
    services.minutes_save_item(actor=world.recorder, minutes=minutes, agenda_item=item, summary="听取汇报。")
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(D(2026, 3, 13)), now=at(D(2026, 3, 11))
    )
    services.minutes_comment(actor=world.user_a, minutes=minutes, body="请补充时间节点。", now=at(D(2026, 3, 12)))
    minutes = services.minutes_return_to_draft(actor=world.recorder, minutes=minutes)
    assert minutes.status == MinutesStatus.DRAFT
    services.minutes_save_item(
        actor=world.recorder, minutes=minutes, agenda_item=item, summary="听取汇报，4月底前完成。"
    )
    assert minutes.comments.count() == 1


def test_minutes_steps_belong_to_their_divisions(world):
    meeting = held_meeting(world)
    with pytest.raises(PermissionDenied):
        services.minutes_file(actor=world.convenor, meeting=meeting)  # the recording division files
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    services.minutes_save_item(
        actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="听取汇报。"
    )
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(D(2026, 3, 13)), now=at(D(2026, 3, 11))
    )
    with pytest.raises(PermissionDenied):
        services.minutes_approve(actor=world.recorder, minutes=minutes)  # the convenor approves
    with pytest.raises(ValidationError):
        services.minutes_publish(actor=world.convenor, minutes=minutes)  # not approved yet
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.CIRCULATED


def test_a_correction_is_a_new_version_and_the_old_one_stays_readable(world):
    meeting = held_meeting(world)
    first = published_minutes(world, meeting)
    with pytest.raises(ValidationError, match="reason"):
        services.minutes_correct(actor=world.recorder, minutes=first, reason=" ")
    second = services.minutes_correct(actor=world.recorder, minutes=first, reason="责任单位写错")
    assert (second.version, second.status, second.previous) == (2, MinutesStatus.DRAFT, first)
    assert second.items.count() == first.items.count()
    item = second.items.get()
    services.minutes_save_item(
        actor=world.recorder, minutes=second, agenda_item=item.agenda_item, summary="更正后的纪要。",
        outcome="action", owner_unit=world.member_b, due_on=D(2026, 5, 31), expected_result="方案",
    )  # fmt: skip
    first.refresh_from_db()
    assert first.status == MinutesStatus.PUBLISHED  # readable until the correction is published
    services.minutes_circulate(
        actor=world.recorder, minutes=second, comment_deadline=at(D(2026, 4, 3)), now=at(D(2026, 4, 1))
    )
    services.minutes_approve(actor=world.convenor, minutes=second)
    services.minutes_publish(actor=world.convenor, minutes=second)
    first.refresh_from_db()
    assert first.status == MinutesStatus.SUPERSEDED
    assert first.items.get().summary.startswith("会议议定")  # the old text is kept
    action = action_of(meeting)
    assert (action.owner_unit, action.due_on) == (world.member_b, D(2026, 5, 31))
    assert Minutes.objects.filter(meeting=meeting).count() == 2


def test_a_correction_cannot_withdraw_an_action_item_being_followed_up(world):
    meeting = held_meeting(world)
    first = published_minutes(world, meeting)
    action = action_of(meeting)
    second = services.minutes_correct(actor=world.recorder, minutes=first, reason="议定结果记错")
    item = second.items.get()
    for outcome in (Outcome.DECISION, Outcome.INFORMATION):
        with pytest.raises(ValidationError) as exc:
            services.minutes_save_item(
                actor=world.recorder, minutes=second, agenda_item=item.agenda_item, summary="改为议定事项。",
                outcome=outcome,
            )  # fmt: skip
        assert set(exc.value.message_dict) == {"outcome"}
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.minutes_save_item(
            actor=world.recorder, minutes=second, agenda_item=item.agenda_item, summary="改", outcome=Outcome.DECISION
        )
    assert "督办事项" in exc.value.message_dict["outcome"][0]
    item.refresh_from_db()
    assert (item.outcome, item.owner_unit) == (Outcome.ACTION, world.member_a)
    # It stays an action item; its owner and due date may still be corrected.
    services.minutes_save_item(
        actor=world.recorder, minutes=second, agenda_item=item.agenda_item, summary="更正后的纪要。",
        outcome=Outcome.ACTION, owner_unit=world.member_b, due_on=D(2026, 6, 30),
    )  # fmt: skip
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_action_item_goes_open_in_progress_done_closed(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    action = action_of(meeting)
    assert action.status == ActionStatus.OPEN
    services.action_progress(actor=world.user_a, item=action, body="已起草方案。")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    services.action_progress(
        actor=world.user_a, item=action, body="方案已印发。", done=True, evidence="温商务〔2026〕12号",
        today=D(2026, 4, 20),
    )  # fmt: skip
    action.refresh_from_db()
    assert (action.status, action.done_on, action.on_time) == (ActionStatus.DONE, D(2026, 4, 20), True)
    with pytest.raises(PermissionDenied):
        services.action_confirm_closure(actor=world.user_a, item=action)  # owners do not close their own items
    services.action_confirm_closure(actor=world.convenor, item=action)
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert action.closed_by == world.convenor
    assert [p.status_after for p in action.progress.order_by("pk")] == ["in_progress", "done"]


def test_convenor_sends_a_done_item_back_and_nothing_leaves_closed(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    action = action_of(meeting)
    services.action_progress(actor=world.user_a, item=action, body="完成", done=True, evidence="文件")
    services.action_reopen(actor=world.convenor, item=action, reason="证明材料不全")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.done_on is None
    services.action_progress(actor=world.user_a, item=action, body="补充", done=True, evidence="补充文件")
    services.action_confirm_closure(actor=world.convenor, item=action)
    with pytest.raises(ValidationError):
        services.action_progress(actor=world.user_a, item=action, body="再次更新")


def test_overdue_items_stay_overdue_until_done(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, due_on=D(2026, 4, 1))
    services.run_daily_follow_up(today=D(2026, 4, 2))
    action = action_of(meeting)
    assert action.status == ActionStatus.OVERDUE
    services.action_progress(actor=world.user_a, item=action, body="正在推进")
    action.refresh_from_db()
    assert action.status == ActionStatus.OVERDUE
    services.action_progress(
        actor=world.user_a, item=action, body="完成", done=True, evidence="文件", today=D(2026, 4, 9)
    )
    action.refresh_from_db()
    assert (action.status, action.on_time) == (ActionStatus.DONE, False)


def test_allowed_targets_follow_the_part():
    assert workflows.targets(workflows.MINUTES, MinutesStatus.CIRCULATED, {Part.CONVENOR}) == [MinutesStatus.APPROVED]
    assert workflows.targets(workflows.MINUTES, MinutesStatus.CIRCULATED, {Part.RECORDER}) == [MinutesStatus.DRAFT]
    assert workflows.targets(workflows.ACTION, ActionStatus.DONE, {Part.OWNER}) == []

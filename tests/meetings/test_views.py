"""The joint meeting's pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from icalendar import Calendar

from bureau.models import Notification
from meetings import services
from meetings.choices import NotificationKind
from meetings.models import ActionItem, Minutes, ProgressPost
from tests.bureau.factories import DEFAULT_PASSWORD
from tests.meetings.factories import D, action_of, at, held_meeting, published_minutes, schedule

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    assert client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client


def test_the_meetings_box_of_notifications_links_to_all_of_them(client, world):
    Notification.objects.create(unit=world.user_a.unit, kind="brief", title="一则信息通报")
    signed_in(client, world.user_a)
    html = client.get("/meetings/").content.decode()
    assert "一则信息通报" in html
    assert '<a class="small" href="/bureau/notifications/">全部通知</a>' in html


def test_meeting_pages_render_in_chinese(client, world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    signed_in(client, world.user_b)
    index = client.get("/meetings/")
    assert index.status_code == 200
    assert "处长联席会议" in index.content.decode()
    detail = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "议程" in detail
    assert "推进跨境电商试点" in detail
    assert "出席" in detail
    for url in ("/meetings/actions/", "/meetings/briefs/", "/meetings/statistics/", "/meetings/search/?q=电商"):
        response = client.get(url)
        assert response.status_code == 200, url
    found = client.get("/meetings/search/?q=跨境电商").content.decode()
    assert "<mark>" in found
    assert "试点" in found
    assert "没有符合条件的议定事项" in client.get("/meetings/search/?q=农业").content.decode()


def test_non_participants_get_404_for_a_meeting(client, world):
    meeting = held_meeting(world)
    signed_in(client, world.outsider_user)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404


def test_the_invitation_downloads_as_an_ics_event(client, world):
    meeting = schedule(world)
    signed_in(client, world.convenor)
    response = client.get(f"/meetings/{meeting.pk}/invitation.ics")
    assert response["Content-Type"] == "text/calendar"
    assert response["Content-Disposition"].startswith("attachment;")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["LOCATION"] == "市行政中心1号会议室"
    assert event.decoded("DTSTART").date() == D(2026, 3, 10)


def test_attachments_are_always_downloaded_never_shown_inline(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = services.meeting_open_agenda(actor=world.convenor, meeting=schedule(world))
    item = services.agenda_item_submit(
        actor=world.user_a, meeting=meeting, unit=world.member_a, title="议题", now=at(D(2026, 3, 1)),
        attachments=[SimpleUploadedFile("页面.html", b"<script>alert(1)</script>", content_type="text/html")],
    )  # fmt: skip
    attachment = item.attachments.get()
    signed_in(client, world.user_b)
    response = client.get(f"/meetings/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    client.logout()
    signed_in(client, world.outsider_user)
    assert client.get(f"/meetings/attachments/{attachment.pk}/").status_code == 404


def test_minutes_export_to_docx_in_the_government_layout(client, world):
    meeting = held_meeting(world)
    minutes = published_minutes(world, meeting)
    signed_in(client, world.leader)
    response = client.get(f"/meetings/minutes/{minutes.pk}/export.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert text[0] == "处长联席会议纪要"
    assert "第1次" in text[1]
    assert any("出席单位" in t and "电子商务处" in t for t in text)
    assert any(t.startswith("一、推进跨境电商试点") for t in text)
    assert any("督办事项" in t and "2026-04-30" in t for t in text)


def test_recording_division_writes_the_draft_and_sees_errors_on_the_form(client, world):
    meeting = held_meeting(world)
    signed_in(client, world.recorder)
    response = client.post(f"/meetings/{meeting.pk}/minutes/new/")
    minutes = Minutes.objects.get(meeting=meeting)
    assert response.url == f"/meetings/minutes/{minutes.pk}/"
    item = meeting.agenda.get()
    response = client.post(
        f"/meetings/minutes/{minutes.pk}/",
        {"action": "item", "agenda_item": item.pk, f"i{item.pk}-summary": "督办", f"i{item.pk}-outcome": "action"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "督办事项需要责任处室" in page
    assert not minutes.items.exists()
    response = client.post(
        f"/meetings/minutes/{minutes.pk}/",
        {"action": "item", "agenda_item": item.pk, f"i{item.pk}-summary": "议定", f"i{item.pk}-outcome": "decision"},
    )
    assert response.status_code == 302
    assert minutes.items.get().outcome == "decision"
    assert client.post(f"/meetings/minutes/{minutes.pk}/", {"action": "item", "agenda_item": "x"}).status_code == 404
    # A member unit may read the draft but not edit it.
    client.logout()
    signed_in(client, world.user_a)
    response = client.post(
        f"/meetings/minutes/{minutes.pk}/",
        {"action": "item", "agenda_item": item.pk, f"i{item.pk}-summary": "改", f"i{item.pk}-outcome": "information"},
    )
    assert response.status_code == 403
    assert minutes.items.get().summary == "议定"


def test_owner_posts_progress_on_the_page(client, world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    action = action_of(meeting)
    signed_in(client, world.user_a)
    response = client.post(f"/meetings/actions/{action.pk}/", {"action": "progress", "body": "已完成", "done": "on"})
    assert response.status_code == 200
    assert "完成证明" in response.content.decode()
    response = client.post(
        f"/meetings/actions/{action.pk}/", {"action": "progress", "body": "已完成", "done": "on", "evidence": "文件"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert ProgressPost.objects.count() == 1


def test_the_action_board_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    meeting = held_meeting(world, titles=tuple(f"事项{i}" for i in range(12)))
    published_minutes(world, meeting)
    signed_in(client, world.leader)
    client.get("/meetings/actions/")  # warm the session and permission caches
    # 15: one loads the session's two-factor device, one the owner filter's units' ancestors (for tree order),
    # one is the top bar's count of unseen notifications
    with django_assert_max_num_queries(15) as few:
        response = client.get("/meetings/actions/")
    assert response.content.decode().count("<tr>") == 13
    # Many more rows, and filters: not one query more.
    for i in range(2, 6):
        later = held_meeting(world, D(2026, 3, 10 + i), titles=tuple(f"后续{i}-{n}" for n in range(10)))
        published_minutes(world, later, owner=world.member_b)
    assert ActionItem.objects.count() == 52
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/meetings/actions/")
    assert response.content.decode().count("<tr>") == 51  # 50 a page, and the header
    with django_assert_max_num_queries(len(few.captured_queries) + 1):  # the owner filter resolves its unit
        response = client.get(f"/meetings/actions/?status=open&owner_unit={world.member_b.pk}&page=1")
    assert response.content.decode().count("<tr>") == 41
    assert ">市商务局 / 电子商务处</option>" in response.content.decode()  # a division named with its department


def test_the_action_board_offers_only_the_meetings_the_user_may_read(client, world):
    schedule(world, D(2026, 5, 12), title="跨境数据专题会议")
    signed_in(client, world.outsider_user)
    assert "跨境数据专题会议" not in client.get("/meetings/actions/").content.decode()
    client.logout()
    signed_in(client, world.user_a)  # a member unit takes part in it
    assert "跨境数据专题会议" in client.get("/meetings/actions/").content.decode()


def test_changing_a_filter_through_htmx_returns_only_the_rows(client, world):
    meeting = held_meeting(world, titles=("甲事项", "乙事项"))
    published_minutes(world, meeting)
    signed_in(client, world.user_a)
    response = client.get("/meetings/actions/?status=open", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert page.count("<tr>") == 3
    assert (
        "没有符合条件的督办事项"
        in client.get("/meetings/actions/?status=closed", HTTP_HX_REQUEST="true").content.decode()
    )


def test_administrators_keep_the_membership_in_the_admin(client, world):
    from bureau.roles import Role
    from meetings.models import Membership
    from tests.bureau.factories import UserFactory

    admin = UserFactory(username="m-admin", roles=[Role.ADMIN], unit=world.city, is_staff=True, is_superuser=True)
    signed_in(client, admin)
    form = {"unit": world.member_a.pk, "representative_name": "重复", "joined_on": "2026-01-01"}
    response = client.post("/admin/meetings/membership/add/", form)
    assert response.status_code == 200
    assert "该单位在此期间已是成员单位" in response.content.decode()
    form = {
        "unit": world.outsider.pk,
        "representative_name": "王处长",
        "deputy_name": "李科长",
        "joined_on": "2026-01-01",
    }
    assert client.post("/admin/meetings/membership/add/", form).status_code == 302
    assert Membership.objects.get(unit=world.outsider).deputy_name == "李科长"


def test_member_statistics_count_attendance_and_action_items_for_everyone(client, world):
    from meetings.selectors import member_statistics

    first = held_meeting(world, D(2026, 3, 10), titles=("甲", "乙"))
    published_minutes(world, first, due_on=D(2026, 4, 1))
    on_time, late = ActionItem.objects.order_by("pk")
    services.action_progress(
        actor=world.user_a, item=on_time, body="完成", done=True, evidence="文件", today=D(2026, 3, 30)
    )
    services.run_daily_follow_up(today=D(2026, 4, 2))  # the other one is overdue: late
    late.refresh_from_db()
    assert late.status == "overdue"
    services.attendance_record(actor=world.recorder, meeting=first, unit=world.member_b, status="absent",
                               absence_reason="出差")  # fmt: skip
    records = {r.unit.code: r for r in member_statistics(user=world.outsider_user)}
    assert (records["m-ecom"].attendance_rate, records["m-ecom"].on_time, records["m-ecom"].late) == (100.0, 1, 1)
    assert records["m-center"].attendance_rate == 0.0
    assert "m-assoc" in records  # a former member: no meetings while a member
    assert records["m-assoc"].meetings == 0
    signed_in(client, world.outsider_user)
    page = client.get("/meetings/statistics/").content.decode()
    assert 'id="member-chart-data"' in page
    assert "电子商务处" in page


def test_the_convenor_moves_agenda_items_on_the_meeting_page(client, world):
    meeting = services.meeting_open_agenda(actor=world.convenor, meeting=schedule(world))
    for title in ("甲议题", "乙议题"):
        services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_a, title=title, now=at(D(2026, 3, 1))
        )
    second = meeting.agenda.get(title="乙议题")
    signed_in(client, world.user_a)
    assert client.post(f"/meetings/agenda/{second.pk}/move/", {"direction": "up"}).status_code == 403
    assert list(meeting.agenda.order_by("position").values_list("title", flat=True)) == ["甲议题", "乙议题"]
    client.logout()
    signed_in(client, world.convenor)
    assert "上移" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    client.post(f"/meetings/agenda/{second.pk}/move/", {"direction": "up"})
    assert list(meeting.agenda.order_by("position").values_list("title", flat=True)) == ["乙议题", "甲议题"]


def test_every_step_is_in_the_audit_history_with_who_did_it(client, world):
    import pghistory.models

    meeting = held_meeting(world)
    published_minutes(world, meeting)
    action = action_of(meeting)
    signed_in(client, world.user_a)
    client.post(f"/meetings/actions/{action.pk}/", {"action": "progress", "body": "推进中"})
    events = pghistory.models.MiddlewareEvents.objects.tracks(action).filter(pgh_label="update")
    change = events.get()
    assert change.user == world.user_a
    assert change.pgh_diff["status"] == ["open", "in_progress"]
    post = ProgressPost.objects.get()
    assert pghistory.models.MiddlewareEvents.objects.tracks(post).get().user == world.user_a


def test_the_saved_mark_of_a_minutes_item_follows_only_a_successful_save(client, world):
    meeting = held_meeting(world, titles=("推进跨境电商试点", "数据共享"))
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting)
    first, second = meeting.agenda.order_by("position")
    services.minutes_save_item(actor=world.recorder, minutes=minutes, agenda_item=second, summary="已议。")
    signed_in(client, world.recorder)
    url = f"/meetings/minutes/{minutes.pk}/"
    mark = "bi-check2"

    assert mark not in client.get(url).content.decode()  # a summary saved earlier is no news

    response = client.post(
        url, {"action": "item", "agenda_item": first.pk, f"i{first.pk}-summary": "会议议定推进试点。",
              f"i{first.pk}-outcome": "information"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert page.count(mark) == 1
    assert f'id="saved-{first.pk}"' in page

    refused = client.post(
        response["Location"].split("#")[0],
        {"action": "item", "agenda_item": first.pk, f"i{first.pk}-summary": "", f"i{first.pk}-outcome": "information"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "该字段是必填项。" in refused.content.decode()
    assert mark not in refused.content.decode()


def test_cancelling_a_meeting_says_what_follows_and_tells_the_units(client, world):
    meeting = schedule(world)
    signed_in(client, world.convenor)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "确定取消本次会议？系统将通知各成员单位和记录处室会议取消。此操作不可撤销。" in page
    assert "你确定吗？" not in page

    assert client.post(f"/meetings/{meeting.pk}/transition/", {"to": "cancelled"}).status_code == 302
    told = set(Notification.objects.filter(kind=NotificationKind.CANCELLATION).values_list("unit", flat=True))
    assert told == {world.member_a.pk, world.member_b.pk, world.convening.pk, world.recording.pk}

"""The joint meeting's REST API: the workflow through it, and bad input in the error format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from meetings import services
from meetings.models import ActionItem, AgendaItem, Minutes
from tests.meetings.factories import D, at, held_meeting, schedule

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_meeting_from_scheduling_to_published_minutes_and_progress(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    convenor, recorder, member = client_for(world.convenor), client_for(world.recorder), client_for(world.user_a)
    response = convenor.post(
        "/api/v1/meetings/",
        {"date": "2027-03-10", "start_time": "09:30", "place": "市行政中心", "convening_unit": world.convening.pk,
         "recording_unit": world.recording.pk, "agenda_deadline": "2027-03-05T17:00:00+08:00"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    meeting = response.json()
    assert (meeting["number"], meeting["status"]) == (1, "scheduled")
    url = f"/api/v1/meetings/{meeting['id']}/"
    assert convenor.post(f"{url}transition/", {"to": "agenda_open"}).json()["status"] == "agenda_open"

    response = member.post(
        "/api/v1/agenda-items/",
        {"meeting": meeting["id"], "unit": world.member_a.pk, "title": "跨境电商试点", "background": "背景",
         "upload": [SimpleUploadedFile("方案.docx", b"PK\x03\x04 docx")]},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    item = response.json()
    assert item["attachments"][0]["name"] == "方案.docx"
    assert convenor.post(f"/api/v1/agenda-items/{item['id']}/decide/", {"status": "accepted"}).status_code == 200
    assert convenor.post(f"{url}transition/", {"to": "invited"}).status_code == 200

    # The meeting is in 2027: it cannot be marked held yet, nor can minutes be filed.
    response = convenor.post(f"{url}transition/", {"to": "held"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    response = recorder.post("/api/v1/minutes/", {"meeting": meeting["id"]})
    assert response.status_code == 400
    assert "会议召开后方可报送纪要" in str(response.json()["error"]["details"])
    assert not Minutes.objects.exists()


def test_minutes_and_action_items_through_the_api(world):
    meeting = held_meeting(world)
    recorder, convenor, member = client_for(world.recorder), client_for(world.convenor), client_for(world.user_a)
    minutes = recorder.post("/api/v1/minutes/", {"meeting": meeting.pk, "preamble": "会议听取汇报。"}).json()
    murl = f"/api/v1/minutes/{minutes['id']}/"
    agenda_item = AgendaItem.objects.get(meeting=meeting)
    response = recorder.post(f"{murl}items/", {"agenda_item": agenda_item.pk, "summary": "督办", "outcome": "action"})
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"owner_unit", "due_on"}
    response = recorder.post(
        f"{murl}items/",
        {"agenda_item": agenda_item.pk, "summary": "会议议定由电子商务处牵头。", "outcome": "action",
         "owner_unit": world.member_a.pk, "due_on": "2026-04-30", "expected_result": "工作方案"},
    )  # fmt: skip
    assert response.status_code == 200
    assert recorder.post(f"{murl}transition/", {"to": "circulated"}).status_code == 400  # no deadline
    response = recorder.post(f"{murl}transition/", {"to": "circulated", "comment_deadline": "2099-01-01T12:00:00Z"})
    assert response.json()["status"] == "circulated"
    comment = member.post(f"{murl}comments/", {"body": "建议明确时间节点。", "item": response.json()["items"][0]["id"]})
    assert comment.status_code == 201
    assert convenor.post(f"{murl}transition/", {"to": "approved"}).json()["status"] == "approved"
    assert convenor.post(f"{murl}transition/", {"to": "published"}).json()["status"] == "published"
    assert recorder.patch(murl, {"preamble": "改"}).status_code == 400  # locked

    action = ActionItem.objects.get()
    aurl = f"/api/v1/action-items/{action.pk}/"
    assert member.get("/api/v1/action-items/?status=open").json()["count"] == 1
    response = member.post(f"{aurl}progress/", {"body": "完成", "done": True})
    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["details"]
    response = member.post(f"{aurl}progress/", {"body": "完成", "done": True, "evidence": "文件已印发"})
    assert response.json()["status_after"] == "done"
    assert convenor.post(f"{aurl}close/").json()["status"] == "closed"

    correction = recorder.post(f"{murl}correct/", {"reason": "更正单位名称"})
    assert correction.status_code == 201
    assert correction.json()["version"] == 2


def test_attendance_of_a_non_member_is_a_400_and_nothing_is_saved(world):
    meeting = held_meeting(world)
    response = client_for(world.recorder).post(
        f"/api/v1/meetings/{meeting.pk}/attendance/", {"unit": world.outsider.pk, "status": "present"}
    )
    assert response.status_code == 400
    assert "unit" in response.json()["error"]["details"]
    assert not meeting.attendance.filter(unit=world.outsider).exists()
    detail = client_for(world.user_b).get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert len(detail["attendance"]) == 4
    assert len(detail["agenda"]) == 1


def test_briefs_through_the_api(world):
    member = client_for(world.user_a)
    response = member.post("/api/v1/briefs/", {"unit": world.member_a.pk, "title": "月报", "body": "网络零售额增长。"})
    assert response.status_code == 201
    assert client_for(world.user_b).get("/api/v1/briefs/").json()["count"] == 1  # another member reads it
    assert client_for(world.outsider_user).get("/api/v1/briefs/").json()["count"] == 0
    response = client_for(world.outsider_user).post(
        "/api/v1/briefs/", {"unit": world.outsider.pk, "title": "通报", "body": "内容"}
    )
    assert response.status_code == 400


def test_the_schema_documents_the_meeting_endpoints(world):
    schema = client_for(world.leader).get("/api/schema/?format=json").json()
    for path in ("/api/v1/meetings/", "/api/v1/agenda-items/", "/api/v1/minutes/", "/api/v1/action-items/",
                 "/api/v1/action-items/{id}/progress/", "/api/v1/briefs/"):  # fmt: skip
        assert path in schema["paths"], path


def test_the_convenor_orders_the_agenda(world):
    meeting = services.meeting_open_agenda(actor=world.convenor, meeting=schedule(world))
    first, second = (
        services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_a, title=title, now=at(D(2026, 3, 1))
        )
        for title in ("甲", "乙")
    )
    url = f"/api/v1/meetings/{meeting.pk}/reorder/"
    assert client_for(world.user_a).post(url, {"order": [second.pk, first.pk]}).status_code == 403
    response = client_for(world.convenor).post(url, {"order": [second.pk]})
    assert response.status_code == 400  # every item, once
    response = client_for(world.convenor).post(url, {"order": [second.pk, first.pk]})
    assert [item["title"] for item in response.json()["agenda"]] == ["乙", "甲"]


def test_a_patch_that_leaves_the_preamble_out_keeps_it(world):
    meeting = held_meeting(world)
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting, preamble="会议听取了各成员单位汇报。")
    response = client_for(world.recorder).patch(f"/api/v1/minutes/{minutes.pk}/", {}, format="json")
    assert response.status_code == 200, response.content
    minutes.refresh_from_db()
    assert minutes.preamble == "会议听取了各成员单位汇报。"
    response = client_for(world.recorder).patch(f"/api/v1/minutes/{minutes.pk}/", {"preamble": "新"}, format="json")
    minutes.refresh_from_db()
    assert (response.status_code, minutes.preamble) == (200, "新")


def test_the_meeting_filters_accept_only_meetings_the_user_may_read(world):
    meeting = schedule(world, D(2026, 5, 12), title="跨境数据专题会议")
    outsider, member = client_for(world.outsider_user), client_for(world.user_a)
    for url in ("/api/v1/action-items/", "/api/v1/agenda-items/", "/api/v1/minutes/"):
        response = outsider.get(url, {"meeting": meeting.pk})
        assert response.status_code == 400, url
        assert "meeting" in response.json()["error"]["details"]
        assert member.get(url, {"meeting": meeting.pk}).status_code == 200, url
    # The browsable API's filter form lists no meeting the user may not read.
    page = outsider.get("/api/v1/action-items/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert "跨境数据专题会议" not in page.content.decode()

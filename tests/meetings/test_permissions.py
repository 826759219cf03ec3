"""Who sees and does what in the joint meeting, through the API (pages use the same selectors and services)."""

import pytest
from rest_framework.test import APIClient

from meetings import services
from tests.meetings.factories import D, action_of, at, held_meeting, published_minutes, schedule

pytestmark = pytest.mark.django_db

PEOPLE = ("recorder", "convenor", "user_a", "user_b", "former_user", "outsider_user", "leader", "auditor")


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def draft_minutes(world):
    meeting = held_meeting(world)
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting, preamble="草稿")
    services.minutes_save_item(actor=world.recorder, minutes=minutes, agenda_item=meeting.agenda.get(), summary="草稿")
    return minutes


def test_only_members_leaders_and_auditors_see_unpublished_minutes(world):
    minutes = draft_minutes(world)
    expected = {
        "recorder": 200, "convenor": 200, "user_a": 200, "user_b": 200, "leader": 200, "auditor": 200,
        "former_user": 404,  # left the joint meeting before this meeting
        "outsider_user": 404,
    }  # fmt: skip
    seen = {p: as_user(getattr(world, p)).get(f"/api/v1/minutes/{minutes.pk}/").status_code for p in PEOPLE}
    assert seen == expected
    listed = {p: len(as_user(getattr(world, p)).get("/api/v1/minutes/").json()["results"]) for p in PEOPLE}
    assert listed == {p: 1 if code == 200 else 0 for p, code in expected.items()}


def test_everyone_with_the_view_permission_reads_published_minutes(world):
    meeting = held_meeting(world)
    minutes = published_minutes(world, meeting)
    for person in PEOPLE:
        assert as_user(getattr(world, person)).get(f"/api/v1/minutes/{minutes.pk}/").status_code == 200, person


def test_only_the_recording_division_edits_the_draft(world):
    minutes = draft_minutes(world)
    results = {}
    for person in PEOPLE:
        response = as_user(getattr(world, person)).patch(
            f"/api/v1/minutes/{minutes.pk}/", {"preamble": f"由{person}修改"}, format="json"
        )
        results[person] = response.status_code
    assert results == {
        "recorder": 200, "convenor": 403, "user_a": 403, "user_b": 403, "leader": 403, "auditor": 403,
        "former_user": 404, "outsider_user": 404,
    }  # fmt: skip
    minutes.refresh_from_db()
    assert minutes.preamble == "由recorder修改"


def test_owners_update_only_their_own_action_items(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting, owner=world.member_a)
    action = action_of(meeting)
    results = {
        person: as_user(getattr(world, person))
        .post(f"/api/v1/action-items/{action.pk}/progress/", {"body": "进展"}, format="json")
        .status_code
        for person in PEOPLE
    }
    assert results == {
        "recorder": 403, "convenor": 403, "user_a": 201, "user_b": 403, "leader": 403, "auditor": 403,
        "former_user": 404, "outsider_user": 404,  # not a participant: the item is invisible
    }  # fmt: skip
    assert action.progress.count() == 1


def test_leaders_and_auditors_read_everything_and_change_nothing(world):
    meeting = held_meeting(world)
    published_minutes(world, meeting)
    for person in ("leader", "auditor"):
        client = as_user(getattr(world, person))
        for url in ("/api/v1/meetings/", "/api/v1/agenda-items/", "/api/v1/action-items/", "/api/v1/minutes/"):
            assert client.get(url).json()["count"] >= 1, (person, url)
        response = client.post(
            "/api/v1/meetings/",
            {"date": "2026-05-10", "start_time": "09:00", "place": "会议室", "convening_unit": world.convening.pk,
             "recording_unit": world.recording.pk, "agenda_deadline": "2026-05-05T17:00:00+08:00"},
            format="json",
        )  # fmt: skip
        assert response.status_code == 403, person


def test_outsiders_do_not_see_meetings_of_which_they_are_not_members(world):
    meeting = held_meeting(world)
    outsider = as_user(world.outsider_user)
    assert outsider.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert as_user(world.user_b).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200
    services.membership_add(actor=None, unit=world.outsider, joined_on=D(2026, 1, 1), representative_name="王处长")
    assert outsider.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 200


def test_only_the_convenor_decides_on_agenda_items(world):
    meeting = services.meeting_open_agenda(actor=world.convenor, meeting=schedule(world))
    item = services.agenda_item_submit(
        actor=world.user_a, meeting=meeting, unit=world.member_a, title="议题", now=at(D(2026, 3, 1))
    )
    for person in ("recorder", "user_a", "user_b"):
        response = as_user(getattr(world, person)).post(
            f"/api/v1/agenda-items/{item.pk}/decide/", {"status": "accepted"}, format="json"
        )
        assert response.status_code == 403, person
    response = as_user(world.convenor).post(f"/api/v1/agenda-items/{item.pk}/decide/", {"status": "accepted"})
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"


def test_a_department_api_client_reports_for_its_divisions_with_a_token(world):
    from bureau.roles import Role
    from tests.bureau.factories import UserFactory

    meeting = held_meeting(world)
    minutes = published_minutes(world, meeting, owner=world.member_a)
    action = action_of(meeting)
    system = UserFactory(username="dept-system", roles=[Role.API_CLIENT], unit=world.member_a.parent)
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": system.username, "password": "correct-horse-battery-9"})
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/action-items/").json()["count"] == 1
    response = client.post(f"/api/v1/action-items/{action.pk}/progress/", {"body": "接口报送进展"}, format="json")
    assert response.status_code == 201
    # The write is in the audit history with the token's owner and the token itself.
    from pghistory.models import MiddlewareEvents

    from bureau.models import ApiToken

    issued = ApiToken.objects.get(user=system)
    written = MiddlewareEvents.objects.filter(pgh_context__api_token=issued.pk, pgh_label="insert")
    assert written.exists()
    assert {event.user for event in written} == {system}
    assert all(event.pgh_context["auth"] == "token" for event in written)
    response = client.patch(f"/api/v1/minutes/{minutes.pk}/", {"preamble": "改"}, format="json")
    assert response.status_code == 403  # not the recording division


def test_leaders_and_auditors_of_a_member_unit_read_circulated_minutes_but_do_not_comment(world):
    from django.core.exceptions import PermissionDenied

    minutes = draft_minutes(world)
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(D(2026, 3, 13)), now=at(D(2026, 3, 11))
    )
    for person in ("leader", "auditor"):
        with pytest.raises(PermissionDenied):
            services.minutes_comment(actor=getattr(world, person), minutes=minutes, body="意见", now=at(D(2026, 3, 12)))
        response = as_user(getattr(world, person)).post(
            f"/api/v1/minutes/{minutes.pk}/comments/", {"body": "意见"}, format="json"
        )
        assert response.status_code == 403, person
    services.minutes_comment(actor=world.user_a, minutes=minutes, body="请补充时间节点。", now=at(D(2026, 3, 12)))
    assert minutes.comments.count() == 1

"""A small joint meeting: a convening and a recording division, three member units and an outsider.

Everything goes through the services, as the portal does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from bureau.choices import UnitKind
from bureau.models import Unit, User
from bureau.roles import Role
from meetings import services
from meetings.choices import AgendaItemKind, AttendanceStatus, MinutesStatus, Outcome
from meetings.models import ActionItem, AgendaItem, Meeting, Minutes
from tests.bureau.factories import UnitFactory, UserFactory

D = datetime.date
MEETING_DAY = D(2026, 3, 10)
DUE_ON = D(2026, 4, 30)


@dataclass
class World:
    city: Unit
    convening: Unit
    recording: Unit
    member_a: Unit
    member_b: Unit
    former: Unit
    outsider: Unit
    convenor: User
    recorder: User
    user_a: User
    user_b: User
    former_user: User
    outsider_user: User
    leader: User
    auditor: User
    bureau_staff: User


def build_world() -> World:
    city = UnitFactory(code="m-city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="m-bureau", kind=UnitKind.BUREAU, parent=city)
    convening = UnitFactory(code="m-planning", name="规划发展处", kind=UnitKind.DIVISION, parent=bureau)
    recording = UnitFactory(code="m-office", name="办公室", kind=UnitKind.DIVISION, parent=bureau)
    dept = UnitFactory(code="m-dept", name="市商务局", kind=UnitKind.DEPARTMENT, parent=city)
    member_a = UnitFactory(code="m-ecom", name="电子商务处", kind=UnitKind.DEPARTMENT_DIVISION, parent=dept)
    member_b = UnitFactory(code="m-center", name="大数据中心", kind=UnitKind.CENTER, parent=bureau)
    former = UnitFactory(code="m-assoc", name="软件行业协会", kind=UnitKind.ASSOCIATION, parent=city)
    outsider = UnitFactory(code="m-other", name="市科技局", kind=UnitKind.DEPARTMENT, parent=city)
    staff = Role.DIVISION_STAFF
    world = World(
        city=city, convening=convening, recording=recording, member_a=member_a, member_b=member_b, former=former,
        outsider=outsider,
        convenor=UserFactory(username="convenor", roles=[staff], unit=convening, email="convenor@example.gov.cn"),
        recorder=UserFactory(username="recorder", roles=[staff], unit=recording, email="recorder@example.gov.cn"),
        user_a=UserFactory(username="member-a", roles=[staff], unit=member_a, email="a@example.gov.cn"),
        user_b=UserFactory(username="member-b", roles=[staff], unit=member_b),
        former_user=UserFactory(username="former", roles=[staff], unit=former),
        outsider_user=UserFactory(username="outsider", roles=[staff], unit=outsider),
        leader=UserFactory(username="m-leader", roles=[Role.LEADER], unit=bureau),
        auditor=UserFactory(username="m-auditor", roles=[Role.AUDITOR], unit=recording),
        bureau_staff=UserFactory(username="m-staff", roles=[Role.BUREAU_STAFF], unit=bureau),
    )  # fmt: skip
    for unit in (member_a, member_b, convening, recording):
        services.membership_add(actor=None, unit=unit, joined_on=D(2025, 1, 1), representative_name=f"{unit.name}处长")
    gone = services.membership_add(actor=None, unit=former, joined_on=D(2025, 1, 1), representative_name="协会秘书长")
    services.membership_end(actor=None, membership=gone, left_on=D(2025, 12, 31))
    return world


def at(day: D, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def schedule(world: World, day: D = MEETING_DAY, **extra: object) -> Meeting:
    return services.meeting_schedule(
        actor=world.convenor, date=day, start_time=datetime.time(9, 30), place="市行政中心1号会议室",
        convening_unit=world.convening, recording_unit=world.recording,
        agenda_deadline=at(day - datetime.timedelta(days=3), 17), **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def held_meeting(world: World, day: D = MEETING_DAY, titles: tuple[str, ...] = ("推进跨境电商试点",)) -> Meeting:
    """A meeting opened, with accepted agenda items from member A, invited and held, with attendance."""
    meeting = schedule(world, day)
    services.meeting_open_agenda(actor=world.convenor, meeting=meeting)
    for title in titles:
        item = services.agenda_item_submit(
            actor=world.user_a, meeting=meeting, unit=world.member_a, title=title, background="背景",
            request="请会议研究", now=at(day - datetime.timedelta(days=5)),
        )  # fmt: skip
        services.agenda_item_decide(actor=world.convenor, item=item, status="accepted")
    services.meeting_send_invitation(actor=world.convenor, meeting=meeting)
    services.meeting_mark_held(actor=world.convenor, meeting=meeting, today=day)
    for unit in (world.member_a, world.member_b, world.convening, world.recording):
        services.attendance_record(
            actor=world.recorder, meeting=meeting, unit=unit, status=AttendanceStatus.PRESENT, today=day
        )
    meeting.refresh_from_db()
    return meeting


def published_minutes(world: World, meeting: Meeting, *, owner: Unit | None = None, due_on: D = DUE_ON) -> Minutes:
    """Minutes filed, circulated, approved and published; every accepted item becomes an action item."""
    minutes = approved_minutes(world, meeting, owner=owner, due_on=due_on)
    services.minutes_publish(actor=world.convenor, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.PUBLISHED
    return minutes


def approved_minutes(world: World, meeting: Meeting, *, owner: Unit | None = None, due_on: D = DUE_ON) -> Minutes:
    """Minutes filed, circulated and approved, ready to publish; every accepted item is an action item."""
    minutes = services.minutes_file(actor=world.recorder, meeting=meeting, preamble="会议听取了各成员单位的汇报。")
    for item in AgendaItem.objects.filter(meeting=meeting, status="accepted").order_by("position"):
        if item.kind == AgendaItemKind.CARRIED_OVER:
            services.minutes_save_item(
                actor=world.recorder, minutes=minutes, agenda_item=item, summary=f"听取{item.unit}关于进展的汇报。"
            )
            continue
        services.minutes_save_item(
            actor=world.recorder, minutes=minutes, agenda_item=item, summary=f"会议议定：{item.title}。",
            outcome=Outcome.ACTION, owner_unit=owner or world.member_a, due_on=due_on, expected_result="形成工作方案",
        )  # fmt: skip
    services.minutes_circulate(
        actor=world.recorder, minutes=minutes, comment_deadline=at(meeting.date + datetime.timedelta(days=3)),
        now=at(meeting.date + datetime.timedelta(days=1)),
    )  # fmt: skip
    return services.minutes_approve(actor=world.convenor, minutes=minutes)


def action_of(meeting: Meeting) -> ActionItem:
    return ActionItem.objects.get(meeting=meeting)

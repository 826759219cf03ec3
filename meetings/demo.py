"""Demo data of the joint meeting: the members the policy paper names, three past meetings and one coming up.

Idempotent: members are added once, meetings only when their number is missing.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from bureau.demo import demo_password
from bureau.models import Unit, User
from bureau.roles import Role

from . import services
from .choices import AgendaItemStatus, AttendanceStatus, Outcome
from .models import ActionItem, Meeting, Membership

# unit code, representative, deputy
MEMBERS = [
    ("bigdata-center", "周建国", "林晓"),
    ("dept-commerce-ecommerce", "黄志强", "潘丽"),
    ("dept-eitc-informatization", "郑卫东", "陈静"),
    ("dept-drc-hitech", "吴海峰", "金蕾"),
    ("dept-finance-office-internet", "叶明", "章璐"),
    ("dept-culture-creative", "池文华", "郭颖"),
    ("china-mobile-wenzhou", "徐斌", "胡佳"),
    ("assoc-ecommerce", "谢振宇", "刘敏"),
    ("assoc-software", "戴立新", "孙倩"),
]
CONVENING, RECORDING = "bureau-planning", "bureau-office"

# username, full name, unit code: the divisions that run the meeting and one more owner division
ACCOUNTS = [
    ("convenor", "规划处赵处长", CONVENING),
    ("recorder", "办公室钱科员", RECORDING),
    ("bigdata", "大数据中心周主任", "bigdata-center"),
]

# (number, days before today, place, items: (title, owner unit code, due in days after the meeting))
PAST = [
    (1, 91, "市行政中心1号楼第3会议室", [
        ("建立部门数据共享目录", "bigdata-center", 30),
        ("制定跨境电商综合试验区扶持细则", "dept-commerce-ecommerce", 45),
    ]),
    (2, 62, "市网络经济发展局二楼会议室", [
        ("推进企业主数据统一社会信用代码比对", "bigdata-center", 50),
        ("开展网商小额贷款风险排查", "dept-commerce-ecommerce", 80),
    ]),
    (3, 27, "", [
        ("编制温州智造网络营销专项行动方案", "dept-commerce-ecommerce", 60),
        ("整合5G网络覆盖数据接入大数据中心", "bigdata-center", 45),
    ]),
]  # fmt: skip


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _accounts(units: dict[str, Unit]) -> dict[str, User]:
    group = Group.objects.get(name=Role.DIVISION_STAFF)
    users = {}
    for username, full_name, code in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "unit": units[code]}
        )
        if created:
            user.set_password(demo_password())
            user.save(update_fields=["password"])
        user.groups.add(group)
        users[username] = User.objects.get(pk=user.pk)  # fresh: no cached roles or permissions
    division = User.objects.filter(username="division").first()
    if division is not None:
        users["division"] = division
    return users


def _hold(number: int, day: datetime.date, place: str, items: list[tuple[str, str, int]],
          units: dict[str, Unit], users: dict[str, User]) -> Meeting:  # fmt: skip
    convenor, recorder = users["convenor"], users["recorder"]
    meeting = services.meeting_schedule(
        actor=convenor, number=number, date=day, start_time=datetime.time(9, 30), end_time=datetime.time(11, 30),
        place=place, online_url="" if place else "https://meeting.wenzhou.gov.cn/room/joint",
        convening_unit=units[CONVENING], recording_unit=units[RECORDING],
        agenda_deadline=_at(day - datetime.timedelta(days=3), 17),
    )  # fmt: skip
    services.meeting_open_agenda(actor=convenor, meeting=meeting)
    for title, owner, _due in items:
        submitter = users["bigdata"] if owner == "bigdata-center" else users.get("division", convenor)
        item = services.agenda_item_submit(
            actor=submitter, meeting=meeting, unit=units[owner], title=title, background=f"关于{title}的情况说明。",
            request="请会议研究并明确责任分工。", now=_at(day - datetime.timedelta(days=6), 10),
        )  # fmt: skip
        services.agenda_item_decide(actor=convenor, item=item, status=AgendaItemStatus.ACCEPTED)
    services.meeting_send_invitation(actor=convenor, meeting=meeting)
    services.meeting_mark_held(actor=convenor, meeting=meeting, today=day)
    for n, membership in enumerate(services.members_on(day)):
        status, extra = AttendanceStatus.PRESENT, {}
        if (n + number) % 5 == 0:
            status, extra = AttendanceStatus.ABSENT, {"absence_reason": "另有公务"}
        elif (n + number) % 4 == 0:
            status, extra = AttendanceStatus.DELEGATE, {"attendee_name": membership.deputy_name}
        services.attendance_record(
            actor=recorder, meeting=meeting, unit=membership.unit, status=status, today=day, **extra
        )  # fmt: skip
    minutes = services.minutes_file(
        actor=recorder, meeting=meeting, preamble="会议由规划发展处主持，听取了各成员单位工作汇报，研究了有关事项。"
    )
    owners = {title: (owner, due) for title, owner, due in items}
    for item in meeting.agenda.filter(status=AgendaItemStatus.ACCEPTED).order_by("position"):
        if item.title not in owners:  # carried over from an earlier meeting
            text = f"会议听取了{item.unit}关于该事项进展情况的汇报，要求抓紧推进。"
            services.minutes_save_item(actor=recorder, minutes=minutes, agenda_item=item, summary=text)
            continue
        owner, due = owners[item.title]
        services.minutes_save_item(
            actor=recorder, minutes=minutes, agenda_item=item, summary=f"会议议定：由{units[owner]}牵头{item.title}。",
            outcome=Outcome.ACTION, owner_unit=units[owner], due_on=day + datetime.timedelta(days=due),
            expected_result="形成书面成果并报联席会议办公室",
        )  # fmt: skip
    services.minutes_circulate(
        actor=recorder, minutes=minutes, comment_deadline=_at(day + datetime.timedelta(days=3), 17),
        now=_at(day + datetime.timedelta(days=1), 9),
    )  # fmt: skip
    services.minutes_approve(actor=convenor, minutes=minutes)
    services.minutes_publish(actor=convenor, minutes=minutes)
    return meeting


@transaction.atomic
def seed() -> None:
    today = timezone.localdate()
    codes = [code for code, _r, _d in MEMBERS] + [CONVENING, RECORDING]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    if len(units) < len(codes):
        return  # the organisation's demo data is not there
    for code, representative, deputy in MEMBERS:
        if not Membership.objects.filter(unit=units[code]).exists():
            services.membership_add(
                actor=None, unit=units[code], joined_on=today - datetime.timedelta(days=400),
                representative_name=representative, deputy_name=deputy,
            )  # fmt: skip
    users = _accounts(units)
    if Meeting.objects.filter(number__in=[n for n, *_rest in PAST]).exists():
        return
    meetings = [
        _hold(n, today - datetime.timedelta(days=ago), place, items, units, users) for n, ago, place, items in PAST
    ]
    owner_user = {
        "bigdata-center": users["bigdata"],
        "dept-commerce-ecommerce": users.get("division", users["bigdata"]),
    }

    def act(meeting: Meeting, index: int) -> ActionItem:
        return ActionItem.objects.filter(meeting=meeting).order_by("pk")[index]

    def report(item: ActionItem, text: str, *, done_days_after_due: int | None = None) -> None:
        done = done_days_after_due is not None
        services.action_progress(
            actor=owner_user[item.owner_unit.code], item=item, body=text, done=done,
            evidence="相关文件已印发，见附件清单。" if done else "",
            today=item.due_on + datetime.timedelta(days=done_days_after_due or 0),
        )  # fmt: skip

    # Meeting 1: one item closed on time; one never reported, overdue by now.
    first = act(meetings[0], 0)
    report(first, "已完成目录编制，覆盖12个部门。", done_days_after_due=-3)
    services.action_confirm_closure(actor=users["convenor"], item=first)
    # Meeting 2: one done late, waiting for the convenor; one in progress but past due (overdue).
    report(act(meetings[1], 0), "比对完成率已达98%，剩余数据正在核实。", done_days_after_due=4)
    report(act(meetings[1], 1), "已排查机构16家。")
    # Meeting 3: one in progress, one still open.
    report(act(meetings[2], 0), "方案初稿已形成，正在征求意见。")
    services.run_daily_follow_up(today=today)

    # A correction of meeting 1's minutes: the old version stays readable.
    published = meetings[0].minutes.get()
    correction = services.minutes_correct(actor=users["recorder"], minutes=published, reason="更正出席单位名称")
    services.minutes_circulate(
        actor=users["recorder"], minutes=correction, comment_deadline=timezone.now() + datetime.timedelta(days=3)
    )
    services.minutes_approve(actor=users["convenor"], minutes=correction)
    services.minutes_publish(actor=users["convenor"], minutes=correction)

    # The next meeting, open for agenda items: unclosed action items are carried onto it.
    coming = today + datetime.timedelta(days=14)
    upcoming = services.meeting_schedule(
        actor=users["convenor"], number=4, date=coming, start_time=datetime.time(14, 30),
        place="市行政中心1号楼第3会议室", convening_unit=units[CONVENING], recording_unit=units[RECORDING],
        agenda_deadline=_at(coming - datetime.timedelta(days=4), 17),
    )  # fmt: skip
    services.meeting_open_agenda(actor=users["convenor"], meeting=upcoming)
    services.brief_post(
        actor=users["bigdata"], unit=units["bigdata-center"], title="全市网络经济数据月报",
        body="本月新增接入部门数据集8个，企业主数据覆盖率提升至93%。", today=today,
    )  # fmt: skip


def summary() -> list[str]:
    lines = ["Joint meeting accounts (same password):"]
    for username, full_name, code in ACCOUNTS:
        lines.append(f"  {username:<14} {full_name:<10} {code}")
    return lines

"""Demo data: the organisation the policy paper proposes, for Wenzhou, and one account per role."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from . import services
from .choices import DivisionType, UnitKind, UnitLevel
from .models import Appointment, Person, Post, Unit, User
from .roles import Role

K, L, D = UnitKind, UnitLevel, DivisionType


@dataclass(frozen=True)
class U:
    code: str
    name: str
    kind: str
    level: str = L.NONE
    parent: str | None = None
    division_type: str = ""
    headcount: tuple[int, int] | None = None
    short_name: str = ""


CITY_UNITS: list[U] = [
    U("wenzhou", "温州市人民政府", K.CITY, L.BUREAU_MAIN, short_name="温州市"),
    U("leading-group", "温州市网络经济发展领导小组", K.LEADING_GROUP, parent="wenzhou", short_name="领导小组"),
    U(
        "leading-group-office",
        "温州市网络经济发展领导小组办公室",
        K.GROUP_OFFICE,
        parent="leading-group",
        short_name="领导小组办公室",
    ),
    U(
        "bureau",
        "温州市网络经济发展局",
        K.BUREAU,
        L.COUNTY_MAIN,
        "wenzhou",
        headcount=(20, 30),
        short_name="网络经济发展局",
    ),
    U("bureau-office", "办公室", K.DIVISION, L.SECTION_MAIN, "bureau", D.DIRECT),
    U("bureau-planning", "规划发展处", K.DIVISION, L.SECTION_MAIN, "bureau", D.DIRECT),
    U("bureau-policy", "政策法规处", K.DIVISION, L.SECTION_MAIN, "bureau", D.DIRECT),
    U("bureau-funds", "资金管理处", K.DIVISION, L.SECTION_MAIN, "bureau", D.DIRECT),
    U("bureau-ecommerce", "电子商务处", K.DIVISION, L.SECTION_MAIN, "bureau", D.SHARED),
    U("bureau-informatization", "信息化推进处", K.DIVISION, L.SECTION_MAIN, "bureau", D.SHARED),
    U(
        "bigdata-center",
        "温州市大数据管理服务中心",
        K.CENTER,
        L.COUNTY_DEPUTY,
        "bureau",
        headcount=(15, 20),
        short_name="大数据中心",
    ),
    # member departments and the divisions that sit on the joint meeting
    U("city-gov-office", "温州市人民政府办公室", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市府办"),
    U("dept-commerce", "温州市商务局", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市商务局"),
    U("dept-commerce-ecommerce", "电子商务处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-commerce"),
    U("dept-eitc", "温州市经济和信息化委员会", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市经信委"),
    U("dept-eitc-informatization", "信息化推进处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-eitc"),
    U("dept-drc", "温州市发展和改革委员会", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市发改委"),
    U("dept-drc-hitech", "高技术产业与信用建设处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-drc"),
    U(
        "dept-finance-office",
        "温州市人民政府金融工作办公室",
        K.DEPARTMENT,
        L.COUNTY_MAIN,
        "wenzhou",
        short_name="市金融办",
    ),
    U("dept-finance-office-internet", "互联网金融处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-finance-office"),
    U("dept-culture", "温州市文化广电新闻出版局", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市文广新局"),
    U("dept-culture-creative", "文化创意产业处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-culture"),
    U("dept-finance", "温州市财政局", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市财政局"),
    U("dept-finance-industry", "经济建设处", K.DEPARTMENT_DIVISION, L.SECTION_MAIN, "dept-finance"),
    U("dept-science", "温州市科学技术局", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市科技局"),
    U("dept-market", "温州市市场监督管理局", K.DEPARTMENT, L.COUNTY_MAIN, "wenzhou", short_name="市市场监管局"),
    U(
        "china-mobile-wenzhou",
        "中国移动通信集团浙江有限公司温州分公司",
        K.ENTERPRISE,
        parent="wenzhou",
        short_name="温州移动",
    ),
    U("assoc-ecommerce", "温州市电子商务行业协会", K.ASSOCIATION, parent="wenzhou"),
    U("assoc-software", "温州市软件行业协会", K.ASSOCIATION, parent="wenzhou"),
]

# Wenzhou's districts, county-level cities and counties, then its functional zones.
COUNTIES = [
    "鹿城区",
    "龙湾区",
    "瓯海区",
    "洞头区",
    "瑞安市",
    "乐清市",
    "龙港市",
    "永嘉县",
    "平阳县",
    "苍南县",
    "文成县",
    "泰顺县",
]
ZONES = ["温州经济技术开发区", "温州高新技术产业开发区", "瓯江口产业集聚区"]

DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    # username, full name, role, unit code
    ("leader", "陈局长", Role.LEADER, "bureau"),
    ("staff", "王科员", Role.BUREAU_STAFF, "bureau-funds"),
    ("division", "李处员", Role.DIVISION_STAFF, "dept-commerce-ecommerce"),
    # The commerce bureau's own staff: loads its data sets in the browser (its system, api_commerce, by the API).
    ("commerce", "吴科员", Role.DIVISION_STAFF, "dept-commerce"),
    ("expert", "赵专家", Role.EXPERT, "bureau"),
    ("expert2", "钱专家", Role.EXPERT, "bureau"),
    ("api_commerce", "市商务局接口", Role.API_CLIENT, "dept-commerce"),
    ("auditor", "孙审计", Role.AUDITOR, "bureau-office"),
    ("admin", "系统管理员", Role.ADMIN, "bureau-office"),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "demo-portal-2026")


def all_units() -> list[U]:
    units = list(CITY_UNITS)
    for i, name in enumerate(COUNTIES, start=1):
        units.append(U(f"county-{i:02d}", f"{name}网络经济发展局", K.COUNTY_BUREAU, L.SECTION_MAIN, "bureau"))
    for i, name in enumerate(ZONES, start=1):
        units.append(U(f"zone-{i:02d}", f"{name}网络经济发展局", K.ZONE_BUREAU, L.SECTION_MAIN, "bureau"))
    return units


@transaction.atomic
def seed() -> None:
    by_code: dict[str, Unit] = {}
    existing = {unit.code: unit for unit in Unit.objects.all()}
    for order, u in enumerate(all_units()):
        lo, hi = u.headcount or (None, None)
        fields = {
            "name": u.name,
            "short_name": u.short_name,
            "kind": u.kind,
            "level": u.level,
            "division_type": u.division_type,
            "headcount_min": lo,
            "headcount_max": hi,
            "sort_order": order,
        }
        parent = by_code[u.parent] if u.parent else None
        if u.code in existing:
            unit = services.unit_update(actor=None, unit=existing[u.code], parent=parent, **fields)
        else:
            unit = services.unit_create(actor=None, parent=parent, code=u.code, **fields)
        by_code[u.code] = unit

    password = demo_password()
    for username, full_name, role, unit_code in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "unit": by_code[unit_code], "is_staff": role == Role.ADMIN,
                      "is_superuser": role == Role.ADMIN},
        )  # fmt: skip
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    seed_people()
    seed_transfers()


# --- people in every post the paper names ---

# unit code -> [(post title, places (None: any), leadership)]
POSTS: dict[str, list[tuple[str, int | None, bool]]] = {
    "leading-group": [("组长", 1, True), ("常务副组长", 1, True), ("副组长", 3, True), ("组员", None, False)],
    "leading-group-office": [("主任", 1, True)],
    "bureau": [("局长", 1, True), ("常务副局长", 1, True), ("副局长", 3, True)],
    "bigdata-center": [("主任", 1, True), ("副主任", 2, True), ("工作人员", None, False)],
}
PostSpec = list[tuple[str, int | None, bool]]
DIVISION_POSTS: PostSpec = [("处长", 1, True), ("副处长", 1, True), ("科员", None, False)]
DEPARTMENT_POSTS: PostSpec = [("主要负责人", 1, True)]
COUNTY_POSTS: PostSpec = [("局长", 1, True), ("副局长", 2, True)]

# name, title, home unit, [(unit, post, start, concurrent, on behalf of)]
START = datetime.date(2014, 3, 1)
PEOPLE: list[tuple[str, str, str, list[tuple[str, str, bool, str | None]]]] = [
    ("张建国", "市委书记", "wenzhou", [("leading-group", "组长", True, None)]),
    ("李明华", "市长", "wenzhou", [("leading-group", "常务副组长", True, None)]),
    ("王志强", "副市长", "wenzhou", [("leading-group", "副组长", True, None)]),
    ("陈晓东", "副市长", "wenzhou", [("leading-group", "副组长", True, None)]),
    ("黄立新", "市政府副秘书长", "city-gov-office", [("bureau", "局长", True, "city-gov-office")]),
    ("林海涛", "", "bureau", [("bureau", "常务副局长", False, None), ("leading-group-office", "主任", True, None)]),
    ("吴敏", "市商务局副局长", "dept-commerce", [("bureau", "副局长", True, "dept-commerce")]),
    ("郑伟", "市经信委副主任", "dept-eitc", [("bureau", "副局长", True, "dept-eitc")]),
    ("刘洋", "", "bureau", [("bureau", "副局长", False, None), ("bigdata-center", "主任", True, None)]),
]
DEPARTMENT_HEADS = {
    "dept-commerce": "周国平", "dept-eitc": "孙立军", "dept-drc": "朱建华", "dept-finance-office": "马晓燕",
    "dept-culture": "胡文斌", "dept-finance": "何志远", "dept-science": "高启明", "dept-market": "罗永康",
}  # fmt: skip
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
]


def _person(name: str, home: Unit, title: str = "") -> Person:
    existing = Person.objects.filter(name=name, home_unit=home).first()
    return existing or services.person_create(actor=None, name=name, home_unit=home, title=title)


def _post(unit: Unit, title: str, places: int | None, leadership: bool, order: int) -> Post:
    existing = Post.objects.filter(unit=unit, title=title).first()
    return existing or services.post_create(
        actor=None, unit=unit, title=title, max_holders=places, is_leadership=leadership, sort_order=order
    )


def _appoint(person: Person, post: Post, start: datetime.date, concurrent: bool, behalf: Unit | None) -> None:
    if not Appointment.objects.filter(person=person, post=post).exists():
        services.appointment_create(
            actor=None, person=person, post=post, start_date=start, is_concurrent=concurrent, on_behalf_of=behalf
        )


def _generated_names(count: int, offset: int) -> list[str]:
    return [SURNAMES[(offset + i) % len(SURNAMES)] + GIVEN[(offset + i * 7) % len(GIVEN)] for i in range(count)]


@transaction.atomic
def seed_people() -> None:
    # Only the demo's own units: units added later by users must not shift the generated names.
    units = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in all_units()])}
    posts: dict[tuple[str, str], Post] = {}
    for code, unit in units.items():
        spec = POSTS.get(code)
        if spec is None and unit.kind in (K.DIVISION, K.DEPARTMENT_DIVISION):
            spec = DIVISION_POSTS
        elif spec is None and unit.kind == K.DEPARTMENT:
            spec = DEPARTMENT_POSTS
        elif spec is None and unit.kind in (K.COUNTY_BUREAU, K.ZONE_BUREAU):
            spec = COUNTY_POSTS
        for order, (title, places, leadership) in enumerate(spec or []):
            posts[(code, title)] = _post(unit, title, places, leadership, order)

    for name, title, home, holds in PEOPLE:
        person = _person(name, units[home], title)
        for unit_code, post_title, concurrent, behalf in holds:
            _appoint(person, posts[(unit_code, post_title)], START, concurrent, units[behalf] if behalf else None)
    for dept, name in DEPARTMENT_HEADS.items():
        head = _person(name, units[dept], "局长")
        _appoint(head, posts[(dept, "主要负责人")], START, False, None)
        _appoint(head, posts[("leading-group", "组员")], START, True, units[dept])

    # Division heads and staff; the big-data center's staff (12 of its 15-20 places).
    offset = 0
    for code, unit in units.items():
        if unit.kind not in (K.DIVISION, K.DEPARTMENT_DIVISION):
            continue
        head_name, deputy_name, clerk_name = _generated_names(3, offset)
        offset += 3
        _appoint(_person(head_name, unit, "处长"), posts[(code, "处长")], START, False, None)
        _appoint(_person(deputy_name, unit, "副处长"), posts[(code, "副处长")], START, False, None)
        _appoint(_person(clerk_name, unit), posts[(code, "科员")], START, False, None)
    for name in _generated_names(12, 100):
        _appoint(_person(name, units["bigdata-center"]), posts[("bigdata-center", "工作人员")], START, False, None)


# Transfers into the bureau in every phase: (name, home unit, into, [(phase, date)]).
TRANSFERS: list[tuple[str, str, str, list[tuple[str, datetime.date]]]] = [
    ("钱立伟", "dept-commerce-ecommerce", "bureau-ecommerce", []),
    ("孙晓梅", "dept-eitc-informatization", "bureau-informatization", []),
    ("李国栋", "dept-commerce-ecommerce", "bureau-ecommerce", [("virtual", datetime.date(2026, 3, 1))]),
    ("周静怡", "dept-drc-hitech", "bigdata-center", [("virtual", datetime.date(2026, 1, 1))]),
    ("吴志刚", "dept-eitc-informatization", "bureau-informatization",
     [("virtual", datetime.date(2025, 6, 1)), ("physical", datetime.date(2026, 6, 1))]),
    ("郑雅琴", "dept-finance-office-internet", "bureau-planning",
     [("virtual", datetime.date(2024, 9, 1)), ("physical", datetime.date(2025, 9, 1)),
      ("completed", datetime.date(2025, 12, 31))]),
    ("王海波", "dept-culture-creative", "bureau-policy",
     [("virtual", datetime.date(2025, 10, 1)), ("cancelled", datetime.date(2026, 2, 1))]),
]  # fmt: skip


@transaction.atomic
def seed_transfers() -> None:
    units = {u.code: u for u in Unit.objects.all()}
    for name, home, into, phases in TRANSFERS:
        person = _person(name, units[home], "科员")
        if person.transfers.exists():
            continue
        first = phases[0][1] if phases else datetime.date(2026, 12, 1)
        transfer = services.transfer_plan(
            actor=None, person=person, to_unit=units[into], planned_on=first - datetime.timedelta(days=30),
            reason="按照“划转一批”方案，充实网络经济发展局力量",
        )  # fmt: skip
        for phase, day in phases:
            if phase == "cancelled":
                services.transfer_cancel(
                    actor=None, transfer=transfer, effective_date=day, reason="原单位工作需要，暂缓划转"
                )
            else:
                transfer = services.transfer_advance(actor=None, transfer=transfer, effective_date=day)


def summary() -> list[str]:
    lines = [f"Demo accounts (password {demo_password()}):"]
    for username, full_name, role, _unit in DEMO_ACCOUNTS:
        lines.append(f"  {username:<14} {full_name:<8} {role}")
    return lines

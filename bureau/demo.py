"""Demo data: the organisation the policy paper proposes, for Wenzhou, and one account per role."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from . import services
from .choices import DivisionType, UnitKind, UnitLevel
from .models import Unit, User
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
    ("expert", "赵专家", Role.EXPERT, "bureau"),
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


def summary() -> list[str]:
    lines = [f"Demo accounts (password {demo_password()}):"]
    for username, full_name, role, _unit in DEMO_ACCOUNTS:
        lines.append(f"  {username:<14} {full_name:<8} {role}")
    return lines

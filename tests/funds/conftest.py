"""A small fund: a city with a bureau, a funds division, a department; a programme with money in it."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from bureau.choices import UnitKind
from bureau.roles import Role
from datacenter.models import Enterprise
from funds import services
from funds.models import Programme
from tests.bureau.factories import UnitFactory, UserFactory
from tests.datacenter.factories import credit_code
from tests.policies.factories import published

D = datetime.date


@pytest.fixture
def fund(db: Any) -> dict[str, Any]:
    city = UnitFactory(code="city", kind=UnitKind.CITY, name="温州市人民政府")
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city, name="网络经济发展局")
    division = UnitFactory(code="funds-div", kind=UnitKind.DIVISION, parent=bureau, name="资金管理处")
    dept = UnitFactory(code="commerce", kind=UnitKind.DEPARTMENT, parent=city, name="市商务局")
    other_division = UnitFactory(code="other-div", kind=UnitKind.DIVISION, parent=bureau, name="政策法规处")
    policy = published()
    source = services.fund_source_create(
        actor=None, department=dept, fiscal_year=2026, name="电子商务专项", pledged_fen=10_000_000_00
    )
    services.contribution_post(actor=None, source=source, amount_fen=5_000_000_00, idempotency_key="contrib-1")
    programme = services.programme_create(
        actor=None, code="smart-making", name="智能制造专项", fiscal_year=2026, policy=policy, owner_unit=division,
        opens_on=D(2026, 1, 1), closes_on=D(2026, 12, 31), max_grant_fen=1_000_000_00,
    )  # fmt: skip
    services.allocation_post(actor=None, programme=programme, amount_fen=1_000_000_00, idempotency_key="alloc-1")
    users = {
        "staff": UserFactory(roles=[Role.BUREAU_STAFF], unit=division),
        "division": UserFactory(roles=[Role.DIVISION_STAFF], unit=division),
        "other_division": UserFactory(roles=[Role.DIVISION_STAFF], unit=other_division),
        "leader": UserFactory(roles=[Role.LEADER], unit=bureau),
        "api": UserFactory(roles=[Role.API_CLIENT], unit=dept),
        "expert1": UserFactory(roles=[Role.EXPERT], unit=None),
        "expert2": UserFactory(roles=[Role.EXPERT], unit=None),
        "expert3": UserFactory(roles=[Role.EXPERT], unit=None),
        "auditor": UserFactory(roles=[Role.AUDITOR], unit=bureau),
    }
    return {"city": city, "bureau": bureau, "division": division, "dept": dept, "programme": programme, **users}


def new_application(fund: dict[str, Any], n: int = 1, requested: int = 300_000_00, **kw: Any) -> Any:
    return services.application_create(
        actor=fund["staff"], programme=fund["programme"], credit_code=credit_code(n),
        enterprise_name=f"温州某科技有限公司{n}",
        title=f"智能产线改造项目{n}", requested_fen=requested, **kw,
    )  # fmt: skip


SCORES = {"技术创新": 35, "经济效益": 25, "带动作用": 20}


def to_decision(fund: dict[str, Any], application: Any) -> Any:
    """Take an application from draft to awaiting decision, as the real actors would."""
    services.application_submit(actor=fund["staff"], application=application, today=D(2026, 3, 2))
    services.application_review(actor=fund["division"], application=application, outcome="pass")
    services.application_assign_experts(
        actor=fund["staff"], application=application, experts=[fund["expert1"], fund["expert2"]]
    )
    services.application_score(actor=fund["expert1"], application=application, scores=SCORES)
    return services.application_score(actor=fund["expert2"], application=application, scores=SCORES)


def to_approval(fund: dict[str, Any], application: Any, amount_fen: int = 100_000_00) -> Any:
    """Decide on an application awaiting decision and let its public notice end: approved, money committed."""
    services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=amount_fen, today=D(2026, 4, 1)
    )
    return services.application_close_notice(actor=fund["staff"], application=application, today=D(2026, 4, 9))


def enterprise(n: int) -> Enterprise:
    return Enterprise.objects.get(credit_code=credit_code(n))


def tranche() -> str:
    return uuid.uuid4().hex


def programme_balance(programme: Programme) -> tuple[int, int]:
    programme.budget_account.refresh_from_db()
    programme.commitments_account.refresh_from_db()
    return programme.budget_account.balance_fen, programme.commitments_account.balance_fen

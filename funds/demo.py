"""Demo data of the pooled fund: sources, a year's allocation, programmes and applications in every state."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from stdnum.cn import uscc

from bureau.models import Unit, User
from policies.models import Policy

from . import services
from .choices import ApplicationStatus as S
from .models import Application, FundSource, Programme, YearTarget

D = datetime.date
YEAR = 2026
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

SOURCES = [("dept-commerce", "电子商务发展专项", 30_000_000_00), ("dept-eitc", "信息化与工业化融合专项", 40_000_000_00),
           ("dept-science", "科技创新券", 10_000_000_00), ("dept-culture", "文化创意产业扶持", 8_000_000_00)]  # fmt: skip

# code, name, governing policy title, managing division, segments, allocation (fen)
PROGRAMMES = [
    ("smart-making-2026", "“温州智造”网络化改造专项", "关于推进“温州智造”网络化改造的实施意见", "bureau-informatization",
     ["middle"], 30_000_000_00),
    ("ecommerce-2026", "电子商务发展专项", "温州市人民政府关于加快电子商务发展的实施意见", "bureau-ecommerce", ["end"], 20_000_000_00),
    ("software-2026", "软件和信息服务业扶持专项", "温州市软件和信息服务业发展扶持政策", "bureau-planning", ["front"], 10_000_000_00),
]  # fmt: skip

# programme, enterprise, size, segment, county, project, requested yuan, target state
APPLICATIONS = [
    ("smart-making-2026", "温州瑞明精密机械有限公司", "small", "middle", "瑞安市", "数字化车间改造", 800_000, S.CLOSED),
    ("smart-making-2026", "乐清正泰智能电气配套有限公司", "medium", "middle", "乐清市", "智能产线升级", 1_500_000, S.AWAITING_ACCEPTANCE),
    ("smart-making-2026", "温州鹿城鞋业智造有限公司", "micro", "middle", "鹿城区", "鞋业柔性制造系统", 500_000, S.APPROVED),
    ("smart-making-2026", "瓯海眼镜智能制造有限公司", "small", "middle", "瓯海区", "眼镜行业工业互联网平台", 600_000, S.PUBLIC_NOTICE),
    ("ecommerce-2026", "温州跨境优品电子商务有限公司", "micro", "end", "龙湾区", "跨境电商独立站建设", 300_000, S.AWAITING_DECISION),
    ("ecommerce-2026", "永嘉纽扣网络科技有限公司", "small", "end", "永嘉县", "产业带直播基地", 400_000, S.EXPERT_REVIEW),
    ("ecommerce-2026", "平阳宠物用品电商有限公司", "micro", "end", "平阳县", "宠物用品品牌电商", 200_000, S.SUBMITTED),
    ("software-2026", "温州云数软件有限公司", "small", "front", "鹿城区", "中小企业云ERP研发", 700_000, S.DRAFT),
    ("software-2026", "苍南智慧物联科技有限公司", "micro", "front", "苍南县", "智慧农业物联网平台", 350_000, S.REJECTED),
    ("smart-making-2026", "龙港印刷包装智造有限公司", "small", "middle", "龙港市", "印刷行业协同制造平台", 900_000, S.CANCELLED),
]  # fmt: skip

RUBRIC_SCORES = {"技术创新": 34, "经济效益": 24, "带动作用": 25}


def credit_code(n: int) -> str:
    body = f"91330300MA2{n:06d}"
    body = body[:17]
    return body + uscc.calc_check_digit(body + "0")


def _user(name: str) -> User | None:
    return User.objects.filter(username=name).first()


@transaction.atomic
def seed() -> None:
    units = {
        u.code: u
        for u in Unit.objects.filter(code__in=["bureau", *[s[0] for s in SOURCES], *[p[3] for p in PROGRAMMES]])
    }
    if len(units) < 3 or Programme.objects.filter(code=PROGRAMMES[0][0]).exists():
        return  # seeded before (or the organisation is missing)
    YearTarget.objects.get_or_create(fiscal_year=YEAR, defaults={"small_micro_share": 60, "middle_share": 40})
    for code, name, pledged in SOURCES:
        source = FundSource.objects.filter(department=units[code], fiscal_year=YEAR, name=name).first()
        if source is None:
            source = services.fund_source_create(
                actor=None, department=units[code], fiscal_year=YEAR, name=name, pledged_fen=pledged
            )
        services.contribution_post(
            actor=None, source=source, amount_fen=pledged * 3 // 4, idempotency_key=f"demo-contribution-{code}"
        )
    programmes: dict[str, Programme] = {}
    for code, name, policy_title, division, segments, allocation in PROGRAMMES:
        policy = (
            Policy.objects.filter(title=policy_title).order_by("-version").first()
            or Policy.objects.order_by("pk").first()
        )
        assert policy is not None, "the policies demo runs first"
        programmes[code] = services.programme_create(
            actor=None, code=code, name=name, fiscal_year=YEAR, policy=policy, owner_unit=units[division],
            opens_on=D(YEAR, 1, 1), closes_on=D(YEAR, 12, 31), segments=segments, max_grant_fen=2_000_000_00,
        )  # fmt: skip
        services.allocation_post(
            actor=None, programme=programmes[code], amount_fen=allocation, idempotency_key=f"demo-allocation-{code}"
        )
    experts = [u for u in (_user("expert"), _user("expert2")) if u is not None]
    for n, (code, enterprise, size, segment, county, project, yuan, target) in enumerate(APPLICATIONS, start=1):
        application = services.application_create(
            actor=None, programme=programmes[code], credit_code=credit_code(n), enterprise_name=enterprise,
            title=project, requested_fen=yuan * 100, submitted_by_unit=programmes[code].owner_unit,
        )  # fmt: skip
        application.enterprise.__class__.objects.filter(pk=application.enterprise_id).update(
            size_class=size, chain_segment=segment, county=county
        )
        _walk(application, target, experts)


def _walk(application: Application, target: str, experts: list[User]) -> None:
    """Take a demo application through the workflow to `target`, as the system."""
    kw: dict[str, Any] = {"actor": None}
    if target == S.DRAFT:
        return
    services.application_submit(application=application, today=D(YEAR, 3, 2), **kw)
    if target == S.SUBMITTED:
        return
    if target == S.REJECTED:
        services.application_review(application=application, outcome="reject", reason="不符合专项支持方向", **kw)
        return
    services.application_review(application=application, outcome="pass", **kw)
    if len(experts) < 2 or target == S.EXPERT_REVIEW:
        if experts:
            services.application_assign_experts(application=application, experts=experts, **kw)
        return
    services.application_assign_experts(application=application, experts=experts, **kw)
    for expert in experts:
        services.application_score(actor=expert, application=application, scores=RUBRIC_SCORES)
    if target == S.AWAITING_DECISION:
        return
    amount = application.requested_fen * 8 // 10
    decided_on = D(YEAR, 11, 25) if target == S.PUBLIC_NOTICE else D(YEAR, 5, 6)
    services.application_decide(application=application, approve=True, amount_fen=amount, today=decided_on, **kw)
    if target == S.PUBLIC_NOTICE:
        return
    services.application_close_notice(application=application, today=D(YEAR, 5, 20), **kw)
    if target == S.CANCELLED:
        services.application_cancel(application=application, reason="企业未按期开工，撤销资助", **kw)
        return
    if target == S.APPROVED:
        services.application_disburse(application=application, amount_fen=amount // 2, tranche_key="demo-1", **kw)
        return
    services.application_disburse(application=application, amount_fen=amount // 2, tranche_key="demo-1", **kw)
    services.application_disburse(application=application, amount_fen=amount - amount // 2, tranche_key="demo-2", **kw)
    if target == S.CLOSED:
        services.application_accept(application=application, reason="项目通过验收", **kw)

"""Demo data: Wenzhou's 1+X network-economy policy system, and the departments' older policies mapped into it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from bureau.models import Unit

from . import services
from .choices import ChainSegment, LegacyDisposition, PolicyStatus, PolicyTier, PolicyTopic
from .models import Policy, PolicyField

D = datetime.date
FRONT, MIDDLE, END = ChainSegment.FRONT, ChainSegment.MIDDLE, ChainSegment.END

FIELDS = [
    ("ecommerce", "电子商务"),
    ("data-services", "网络数据信息服务"),
    ("advertising", "网络广告"),
    ("games", "网络游戏"),
    ("culture", "文化创意"),
    ("software", "软件"),
    ("iot", "物联网"),
    ("smart-city", "智慧城市"),
    ("internet-finance", "互联网金融"),
    ("info-infra", "信息基础设施"),
]


@dataclass(frozen=True)
class P:
    number: str
    title: str
    unit: str
    published: datetime.date
    segments: tuple[str, ...]
    fields: tuple[str, ...]
    topic: str
    keywords: tuple[str, ...]
    aims: str
    tier: str = PolicyTier.SUB
    expires: datetime.date | None = None
    draft: bool = False


MASTER = P(
    "温政发〔2014〕12号", "温州市网络经济发展总体规划（2014—2020年）", "wenzhou", D(2014, 3, 20),
    (FRONT, MIDDLE, END), tuple(code for code, _name in FIELDS), PolicyTopic.INDUSTRY, ("网络经济", "1+X", "总体规划"),
    "统一思想认识，把网络经济作为全市转型发展的战略性先导产业，构建“1+X”政策体系，整合资金形成资金池，"
    "统一数据资源，组建网络经济发展局和大数据管理服务中心，推动研发设计、产品制造、销售应用全链条发展",
    tier=PolicyTier.MASTER,
)  # fmt: skip

SUBS = [
    P("温政发〔2014〕35号", "温州市人民政府关于加快电子商务发展的实施意见", "wenzhou", D(2014, 6, 5), (END,),
      ("ecommerce",), PolicyTopic.COMMERCE, ("电子商务", "网络零售", "扶持"),
      "培育电子商务龙头企业，建设电子商务产业园区，推动传统企业触网转型，对年网络销售额首次突破五千万元的企业给予扶持"),
    P("温商发〔2014〕21号", "温州市跨境电子商务扶持办法", "dept-commerce", D(2014, 8, 12), (END,),
      ("ecommerce",), PolicyTopic.COMMERCE, ("跨境电商", "出口", "海外仓"),
      "支持企业开展跨境电子商务出口，对建设海外仓、入驻第三方跨境平台的企业给予补助，培育跨境电商服务企业"),
    P("温经信〔2014〕88号", "温州市物联网产业发展行动计划（2014—2017年）", "dept-eitc", D(2014, 9, 1), (FRONT, MIDDLE),
      ("iot",), PolicyTopic.INDUSTRY, ("物联网", "传感器", "智能制造"),
      "突破传感器与射频识别关键技术，支持物联网芯片与模组研发，推动物联网在鞋服、电气等传统产业智能制造中的应用"),
    P("温政办〔2014〕66号", "温州市智慧城市建设实施方案", "wenzhou", D(2014, 10, 15), (END,),
      ("smart-city", "info-infra"), PolicyTopic.URBAN, ("智慧城市", "城市大脑", "政务服务"),
      "建设智慧交通、智慧医疗、智慧政务等应用，推进城市公共数据共享开放，提升城市治理和公共服务水平"),
    P("温经信〔2014〕102号", "温州市软件和信息服务业发展扶持政策", "dept-eitc", D(2014, 11, 20), (FRONT,),
      ("software", "data-services"), PolicyTopic.INDUSTRY, ("软件", "信息服务", "研发"),
      "鼓励软件企业加大研发投入，对通过能力成熟度认证的企业给予奖励，支持工业软件和嵌入式软件研发"),
    P("温文广新〔2014〕15号", "温州市文化创意产业发展专项政策", "dept-culture", D(2014, 12, 8), (FRONT,),
      ("culture",), PolicyTopic.CULTURE, ("文化创意", "工业设计", "数字内容"),
      "支持工业设计、数字内容、动漫创作等文化创意企业发展，建设文化创意产业园区，对原创设计成果给予奖励"),
    P("温金融办〔2014〕9号", "温州市促进互联网金融规范发展的指导意见", "dept-finance-office", D(2014, 12, 25), (END,),
      ("internet-finance",), PolicyTopic.FINANCE, ("互联网金融", "金融改革", "风险防范"),
      "依托金融综合改革试验区，引导网络借贷信息中介规范发展，建立互联网金融风险监测预警机制"),
    P("温文广新〔2015〕4号", "温州市网络游戏产业扶持办法", "dept-culture", D(2015, 3, 10), (FRONT, MIDDLE),
      ("games",), PolicyTopic.CULTURE, ("网络游戏", "动漫", "原创"),
      "扶持原创网络游戏研发和运营，对取得版号并上线运营的原创游戏给予奖励，培育本地游戏研发团队",
      expires=D(2018, 3, 31)),
    P("温政发〔2015〕18号", "关于推进“温州智造”网络化改造的实施意见", "wenzhou", D(2015, 4, 22), (MIDDLE,),
      ("iot", "software"), PolicyTopic.INDUSTRY, ("温州智造", "智能制造", "两化融合"),
      "推动鞋革、服装、电气、汽摩配等传统制造业网络化、智能化改造，建设数字化车间和智能工厂，重点扶持小微企业"),
    P("温发改〔2015〕30号", "温州市大数据产业发展规划（2015—2020年）", "dept-drc", D(2015, 5, 18), (FRONT, MIDDLE),
      ("data-services",), PolicyTopic.SCIENCE, ("大数据", "数据开放", "数据中心"),
      "建设大数据管理服务中心，推进部门数据归集共享，培育数据采集、存储、分析和应用服务企业，数据为王"),
    P("温商发〔2015〕11号", "温州市网络广告产业发展扶持办法", "dept-commerce", D(2015, 7, 1), (END,),
      ("advertising",), PolicyTopic.COMMERCE, ("网络广告", "精准营销", "广告产业园"),
      "支持网络广告企业集聚发展，鼓励发展精准营销和新媒体广告，对入驻广告产业园的企业给予租金补助"),
    P("温经信〔2015〕40号", "温州市信息基础设施建设三年行动计划", "dept-eitc", D(2015, 8, 6), (MIDDLE,),
      ("info-infra",), PolicyTopic.INDUSTRY, ("宽带", "4G", "信息基础设施"),
      "加快光纤宽带和第四代移动通信网络建设，推进城乡信息基础设施均衡发展，与温州移动等运营商共建共享"),
    P("温科〔2015〕7号", "温州市科技创新券网络经济专项实施细则", "dept-science", D(2015, 9, 15), (FRONT,),
      ("software", "iot"), PolicyTopic.SCIENCE, ("创新券", "研发设计", "科技服务"),
      "向网络经济小微企业发放科技创新券，用于购买研发设计、检验检测等科技服务，降低企业创新成本"),
    P("", "温州市工业设计与网络协同制造扶持办法（征求意见稿）", "bureau", D(2016, 5, 1), (FRONT, MIDDLE),
      ("culture", "iot"), PolicyTopic.INDUSTRY, ("工业设计", "协同制造"),
      "支持工业设计企业与制造企业开展网络协同设计和制造，补齐产业链前端和中端的政策空缺", draft=True),
]  # fmt: skip

LEGACY = [
    ("dept-commerce", "温商发〔2011〕8号", "温州市网络零售扶持暂行办法", D(2011, 4, 2), LegacyDisposition.MERGED,
     "温政发〔2014〕35号"),
    ("dept-commerce", "温商发〔2012〕15号", "温州市电子商务示范企业认定办法", D(2012, 7, 20),
     LegacyDisposition.SUPERSEDED, "温商发〔2014〕21号"),
    ("dept-eitc", "温经信〔2010〕45号", "温州市软件企业认定奖励办法", D(2010, 9, 9), LegacyDisposition.SUPERSEDED,
     "温经信〔2014〕102号"),
    ("dept-finance", "温财企〔2009〕120号", "温州市信息化建设专项资金管理办法", D(2009, 11, 30),
     LegacyDisposition.MERGED, "温政发〔2014〕12号"),
    ("dept-culture", "温文广新〔2010〕22号", "温州市动漫游戏产业扶持意见", D(2010, 6, 18), LegacyDisposition.REPEALED,
     "温文广新〔2015〕4号"),
    ("dept-finance-office", "温金融办〔2012〕5号", "温州市民间融资信息服务平台管理办法", D(2012, 10, 8),
     LegacyDisposition.MERGED, "温金融办〔2014〕9号"),
    ("dept-eitc", "温经信〔2012〕60号", "温州市两化融合示范企业评定办法", D(2012, 5, 3), LegacyDisposition.SUPERSEDED,
     "温政发〔2015〕18号"),
]  # fmt: skip

AMENDMENT_NUMBER = "温政发〔2016〕21号"


def full_text(p: P) -> str:
    unit_clause = "各县（市、区）人民政府，市政府直属各单位" if p.unit == "wenzhou" else "各有关单位"
    kind = "规划" if p.tier == PolicyTier.MASTER else "政策"
    basis = (
        "为加快我市网络经济发展"
        if p.tier == PolicyTier.MASTER
        else "为贯彻落实《温州市网络经济发展总体规划（2014—2020年）》"
    )
    return (
        f"{unit_clause}：\n"
        f"{basis}，{p.aims}，结合我市实际，制定本{kind}。\n"
        f"一、总体要求\n坚持政府引导、市场主导，坚持统筹规划、分类指导，以{'、'.join(p.keywords)}为重点，"
        "着力补齐产业链短板，推动网络经济与实体经济深度融合。\n"
        "二、主要任务\n（一）培育市场主体，壮大骨干企业，扶持小微企业创业创新。\n"
        "（二）建设公共服务平台，完善人才、资金、数据等要素保障。\n"
        "（三）加强部门协同，依托处长联席会议协调解决重大问题。\n"
        "三、保障措施\n统筹使用网络经济发展专项资金，实行资金池统一管理；加强考核评估，定期通报实施情况。\n"
        "本政策由温州市网络经济发展局负责解释。"
    )  # fmt: skip


def _publish(policy: Policy) -> Policy:
    services.policy_submit(actor=None, policy=policy)
    return services.policy_publish(actor=None, policy=policy)


def _create(p: P, units: dict[str, Unit], fields: dict[str, PolicyField], master: Policy | None) -> Policy:
    existing = Policy.objects.filter(issuing_authority=units[p.unit], title=p.title, version=1).first()
    if existing is not None:
        return existing
    policy = services.policy_create(
        actor=None,
        issuing_authority=units[p.unit],
        fields=[fields[c] for c in p.fields],
        title=p.title,
        document_number=p.number,
        written_on=p.published - datetime.timedelta(days=10),
        published_on=None if p.draft else p.published,
        effective_on=None if p.draft else p.published + datetime.timedelta(days=30),
        expires_on=p.expires,
        tier=p.tier,
        master=master,
        segments=list(p.segments),
        topic=p.topic,
        keywords=list(p.keywords),
        full_text=full_text(p),
    )
    return policy if p.draft else _publish(policy)


@transaction.atomic
def seed() -> None:
    units = {u.code: u for u in Unit.objects.all()}
    fields = {
        code: services.policy_field_save(actor=None, code=code, name=name, sort_order=i)
        for i, (code, name) in enumerate(FIELDS)
    }
    master = _create(MASTER, units, fields, None)
    by_number = {MASTER.number: master}
    for p in SUBS:
        by_number[p.number] = _create(p, units, fields, master)

    # An amendment with its differences: the e-commerce opinions, revised in 2016.
    first = by_number["温政发〔2014〕35号"]
    if not Policy.objects.filter(lineage=first.lineage, version=2).exists():
        amended = services.policy_amend(
            actor=None,
            policy=first,
            document_number=AMENDMENT_NUMBER,
            written_on=D(2016, 3, 1),
            published_on=D(2016, 3, 10),
            effective_on=D(2016, 4, 1),
            keywords=[*first.keywords, "农村电商"],
            full_text=first.full_text.replace("五千万元", "三千万元").replace(
                "推动传统企业触网转型", "推动传统企业触网转型，发展农村电子商务和电商专业村"
            ),
        )
        _publish(amended)

    if not master.interpretations.exists():
        services.interpretation_add(
            actor=None,
            policy=master,
            title="《温州市网络经济发展总体规划（2014—2020年）》政策解读",
            published_on=D(2014, 3, 25),
            body="一、为什么要制定总体规划？\n网络经济不等于电子商务。我市政策长期偏重销售端，研发设计和产品制造环节扶持不足，"
            "政策分散在各部门。总体规划统一思想、统一规划，形成“1+X”政策体系。\n"
            "二、“1+X”是什么？\n“1”是本总体规划，“X”是电子商务、物联网、智慧城市、文化创意、软件、互联网金融等专项政策。",
        )

    for unit_code, number, title, issued, disposition, target_number in LEGACY:
        target = by_number[target_number]
        if target.status == PolicyStatus.AMENDED and hasattr(target, "next_version"):
            target = target.next_version
        services.legacy_policy_save(
            actor=None,
            issuing_authority=units[unit_code],
            document_number=number,
            title=title,
            disposition=disposition,
            target=target,
            issued_on=issued,
        )


def summary() -> list[str]:
    return [
        f"Policies: {Policy.objects.count()} (of which published {Policy.objects.filter(status='published').count()})"
    ]

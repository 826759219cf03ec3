# ruff: noqa: S311 - demo data, made reproducible with seeded generators; nothing secret
"""Demo data: four departments' data sets loaded through the real ingestion, a center account, indicators."""

from __future__ import annotations

import csv
import io
import random
from typing import Any

from django.contrib.auth.models import Group
from stdnum.cn import uscc

from bureau.demo import COUNTIES, demo_password
from bureau.models import Unit, User
from bureau.roles import Role

from . import services
from .choices import JobStatus
from .models import DataSet, Indicator

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
MONTHS = ["2025-07-01", "2025-08-01", "2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]
WORDS = [
    "瓯越",
    "鹿城",
    "东海",
    "雁荡",
    "江心",
    "楠溪",
    "飞云",
    "南麂",
    "华侨",
    "正泰",
    "森马",
    "红蜻蜓",
    "奥康",
    "报喜鸟",
]
TRADES = {
    "store": ["鞋业", "服饰", "眼镜", "箱包", "电器", "茶叶"],
    "software": ["软件", "信息技术", "数据", "网络科技"],
    "factory": ["电气", "阀门", "汽配", "鞋业制造", "印刷", "模具"],
    "finance": ["网络借贷", "供应链金融", "支付"],
}
CENTER_ACCOUNT = ("center", "周分析员", Role.BUREAU_STAFF, "bigdata-center")


def code(n: int) -> str:
    rng = random.Random(n)
    body = "91" + f"3303{rng.randrange(2, 30):02d}" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body + "0")


def company(n: int, kind: str, rng: random.Random) -> str:
    return f"温州市{WORDS[n % len(WORDS)]}{rng.choice(TRADES[kind])}有限公司"


def soft_name(i: int, stores: list[tuple[str, str, str]], rng: random.Random) -> str:
    """Some software firms also run online stores, reported under another name: a conflict on their profile."""
    return stores[i][1] + "（软件）" if i < len(stores) and i % 7 == 0 else company(i, "software", rng)


def F(name: str, label: str, type_: str = "text", required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": label, "type": type_, "required": required, **extra}


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")  # as departments' Windows exports are


def datasets() -> list[dict[str, Any]]:
    rng = random.Random(2026)
    stores = [(code(i), company(i, "store", rng), COUNTIES[i % 8]) for i in range(600)]
    store_rows = [[c, name, county, rng.choice(["淘宝", "天猫", "京东", "拼多多"]), month,
                   f"{rng.uniform(5, 800):,.2f}"] for c, name, county in stores for month in MONTHS]  # fmt: skip
    software = [[code(i), soft_name(i, stores, rng), COUNTIES[i % 12],
                 "软件和信息技术服务业", rng.randrange(5, 400), f"{rng.uniform(50, 20000):.1f}", f"{rng.uniform(20, 15000):.1f}"]
                for i in range(300, 2300)]  # fmt: skip
    factories = [[code(i), company(i, "factory", rng), COUNTIES[i % 12], "制造业", rng.randrange(10, 2000),
                  f"{rng.uniform(200, 90000):.1f}", f"{rng.uniform(100, 80000):.1f}"]
                 for i in range(5000, 8000)]  # fmt: skip
    finance = [[code(i), company(i, "finance", rng), COUNTIES[i % 4], month, f"{rng.uniform(100, 50000):.2f}"]
               for i in range(9000, 9200) for month in MONTHS]  # fmt: skip
    common = [
        F("credit_code", "统一社会信用代码", "credit_code", True),
        F("name", "企业名称", required=True, maps_to="name"),
        F("county", "县（市、区）", maps_to="county"),
    ]
    sizes = [
        F("industry", "行业", maps_to="industry"),
        F("employees", "从业人数", "integer", maps_to="employees"),
        F("revenue", "营业收入（万元）", "decimal", maps_to="revenue"),
    ]
    return [
        {"owner": "dept-commerce", "code": "ecommerce-stores", "name": "电子商务网店经营情况", "frequency": "monthly",
         "sensitivity": "internal", "description": "市商务局按月报送的网店名录与网络零售额。",
         "fields": [*common, F("platform", "平台", "enum", choices=["淘宝", "天猫", "京东", "拼多多"]),
                    F("month", "月份", "date", True), F("online_sales", "网络零售额（万元）", "decimal")],
         "key": ["credit_code", "month"], "rows": store_rows},
        {"owner": "dept-eitc", "code": "software-enterprises", "name": "软件企业名录", "frequency": "yearly",
         "sensitivity": "public", "description": "市经信委认定的软件企业及其业务收入。",
         "fields": [*common, *sizes, F("software_income", "软件业务收入（万元）", "decimal")],
         "key": ["credit_code"], "rows": software},
        {"owner": "dept-eitc", "code": "manufacturing-enterprises", "name": "规模以上制造业企业",
         "frequency": "quarterly",
         "sensitivity": "internal", "description": "市经信委统计的制造业企业及工业总产值。",
         "fields": [*common, *sizes, F("output_value", "工业总产值（万元）", "decimal")],
         "key": ["credit_code"], "rows": factories},
        {"owner": "dept-finance-office", "code": "internet-finance-platforms", "name": "互联网金融平台监测",
         "frequency": "monthly", "sensitivity": "sensitive", "description": "市金融办监测的互联网金融平台贷款余额。",
         "fields": [*common, F("month", "月份", "date", True), F("loan_balance", "贷款余额（万元）", "decimal")],
         "key": ["credit_code", "month"], "rows": finance},
    ]  # fmt: skip


INDICATORS = [
    ("online-retail-sales", "网络零售额", "ecommerce-stores", "sum", "online_sales", "month", "county", "万元"),
    ("online-stores", "在营网店数", "ecommerce-stores", "count", "", "month", "county", "家"),
    ("internet-loan-balance", "互联网金融贷款余额", "internet-finance-platforms", "sum", "loan_balance", "month",
     "county", "万元"),
]  # fmt: skip


def seed() -> None:
    wanted = ["dept-commerce", "dept-eitc", "dept-finance-office", "bigdata-center"]
    units = {u.code: u for u in Unit.objects.filter(code__in=wanted)}
    user, created = User.objects.get_or_create(
        username=CENTER_ACCOUNT[0], defaults={"full_name": CENTER_ACCOUNT[1], "unit": units["bigdata-center"]}
    )
    if created:
        user.set_password(demo_password())
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=CENTER_ACCOUNT[2]))
    for spec in datasets():
        dataset = DataSet.objects.filter(code=spec["code"]).first()
        if dataset is None:
            dataset = services.dataset_create(
                owner_unit=units[spec["owner"]], code=spec["code"], name=spec["name"], frequency=spec["frequency"],
                sensitivity=spec["sensitivity"], description=spec["description"], fields=spec["fields"],
                natural_key=spec["key"], actor=None,
            )  # fmt: skip
        if not dataset.jobs.filter(status=JobStatus.SUCCEEDED).exists():
            header = [f["name"] for f in spec["fields"]]
            job = services.job_create(dataset=dataset, stream=io.BytesIO(_csv(header, spec["rows"])),
                                      original_name=f"{spec['code']}.csv", actor=None, enqueue=False)  # fmt: skip
            services.job_run(job_id=job.pk)
    for code_, name, ds_code, aggregation, value_field, date_field, county_field, unit_label in INDICATORS:
        if not Indicator.objects.filter(code=code_).exists():
            dataset = DataSet.objects.get(code=ds_code)
            services.indicator_create(dataset=dataset, code=code_, name=name, aggregation=aggregation,
                                      value_field=value_field, date_field=date_field, county_field=county_field,
                                      unit_label=unit_label, actor=None)  # fmt: skip
            services.indicators_compute(dataset_id=dataset.pk)


def summary() -> list[str]:
    lines = [f"  {CENTER_ACCOUNT[0]:<14} {CENTER_ACCOUNT[1]:<8} {CENTER_ACCOUNT[2]} (大数据中心)"]
    for ds in DataSet.objects.order_by("code"):
        lines.append(f"  data set {ds.code}: {ds.record_count} records")
    return lines

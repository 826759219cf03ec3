# ruff: noqa: E501 - phrase tables of Chinese text; the generator needs no cryptographic randomness
"""Policy search at scale: 50,000 policies of about 2,000 Chinese characters each.

Measures the server time of the catalogue's search (jieba-segmented `simple` tsvector, GIN
index, ranked on the small rank vector, first page of 20 plus the total, through the same selector and filterset as
the pages and the API) for 20 queries, beside a plain `icontains` scan on the same data in
the same run. Goal (issue 4): p95 under 50 ms and at least 20 times faster than the scan.

    .venv/bin/python bench/bench_policy_search.py [--policies 50000] [--keep]

It works in a database of its own (`bench_policies`, dropped at the end unless --keep) on
the embedded PostgreSQL (or DATABASE_URL's server). Data goes in with COPY into a staging
table and one INSERT ... SELECT that builds the tsvectors in PostgreSQL; the GIN index is
built after the load. Texts are composed from a vocabulary of policy phrases; each phrase
is segmented once by `core.search.segment` (jieba) and a document's segmented text is the
concatenation of its phrases' segments, so no document is segmented twice.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q

from core import embedded
from core.search import segment
from policies.services import RANK_LEAD_CHARS

DB_NAME = "bench_policies"
PAGE = 20
REPEAT = 5

QUERIES = [
    "电子商务 扶持", "智能制造", "跨境电商", "物联网 传感器", "大数据", "云计算 平台", "互联网金融 风险", "人才 引进",
    "工业设计", "小微企业 融资", "网络游戏 版号", "智慧城市", "软件 研发", "农村电商", "海外仓", "信息基础设施",
    "创新券", "数字内容", "精准营销", "两化融合",
]  # fmt: skip

GENERAL = [
    "坚持政府引导、市场主导", "坚持统筹规划、分类指导", "各县（市、区）人民政府要高度重视", "市政府直属各单位要密切配合",
    "加强组织领导和统筹协调", "建立健全工作推进机制", "强化考核评估和督查通报", "定期向社会公布实施情况",
    "统筹使用专项资金", "实行资金池统一管理", "优化营商环境", "深化“最多跑一次”改革", "落实各项税收优惠政策",
    "加强知识产权保护", "完善统计监测体系", "发挥行业协会作用", "鼓励社会资本参与", "推动产业集聚发展",
    "支持企业做大做强", "培育一批骨干企业", "对符合条件的企业给予补助", "补助金额最高不超过二百万元",
    "所需资金由市和县两级财政按比例承担", "本政策自发布之日起施行", "由市网络经济发展局负责解释",
    "结合我市实际", "为贯彻落实省委省政府决策部署", "加快转变经济发展方式", "推进供给侧结构性改革", "促进经济高质量发展",
    "建设公共服务平台", "完善要素保障", "加强部门协同", "依托处长联席会议协调解决重大问题", "营造良好发展氛围",
    "加大宣传推广力度", "总结推广典型经验", "扶持创业创新", "提升公共服务水平", "推动网络经济与实体经济深度融合",
]  # fmt: skip

TOPICS: dict[str, list[str]] = {
    "电子商务": ["电子商务", "网络零售", "电商园区", "电子商务企业", "对年网络销售额首次突破五千万元的企业给予扶持",
              "培育电子商务龙头企业", "推动传统企业触网转型", "电商专业村"],
    "跨境电商": ["跨境电商", "海外仓", "跨境电子商务出口", "第三方跨境平台", "跨境电商服务企业", "外贸转型升级"],
    "农村电商": ["农村电商", "电商进农村", "农产品网络销售", "农村物流配送体系", "电商服务站点"],
    "物联网": ["物联网", "传感器", "射频识别", "物联网芯片与模组", "物联网示范应用", "感知设备"],
    "智能制造": ["智能制造", "数字化车间", "智能工厂", "工业机器人", "温州智造", "网络化改造", "两化融合", "工业互联网"],
    "软件": ["软件企业", "软件研发", "工业软件", "嵌入式软件", "能力成熟度认证", "信息技术服务"],
    "大数据": ["大数据", "数据归集共享", "公共数据开放", "数据采集存储分析", "大数据管理服务中心", "数据中心"],
    "云计算": ["云计算", "云计算平台", "企业上云", "云服务", "政务云"],
    "互联网金融": ["互联网金融", "网络借贷", "互联网金融风险", "风险监测预警", "金融综合改革试验区", "小微企业融资"],
    "网络游戏": ["网络游戏", "原创游戏", "游戏版号", "动漫创作", "游戏研发团队"],
    "文化创意": ["文化创意", "工业设计", "数字内容", "原创设计成果", "文化创意产业园区", "创意设计"],
    "网络广告": ["网络广告", "精准营销", "新媒体广告", "广告产业园", "广告企业集聚"],
    "智慧城市": ["智慧城市", "智慧交通", "智慧医疗", "智慧政务", "城市大脑", "城市治理"],
    "信息基础设施": ["信息基础设施", "光纤宽带", "第四代移动通信网络", "城乡信息基础设施", "通信基站共建共享"],
    "人才": ["人才引进", "高层次人才", "网络经济人才", "人才公寓", "创新创业团队"],
    "科技服务": ["创新券", "科技服务", "研发设计", "检验检测", "科技型中小企业", "研发投入"],
}  # fmt: skip
KINDS = ["实施意见", "若干意见", "扶持办法", "行动计划", "实施细则", "管理办法", "指导意见", "专项政策"]
PLACES = ["温州市", "鹿城区", "龙湾区", "瓯海区", "瑞安市", "乐清市", "永嘉县", "平阳县", "苍南县"]
SEGMENTS = ["front", "middle", "end"]

SEG: dict[str, str] = {}


def seg(phrase: str) -> str:
    if phrase not in SEG:
        SEG[phrase] = segment(phrase)
    return SEG[phrase]


def copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\r", "").replace("\n", "\\n")


def document(rng: random.Random, n: int) -> tuple[str, str, str, str, str]:
    """(title, segmented title, full text, segmented full text, segmented opening) of a policy of ~2,000 characters."""
    topic = rng.choice(list(TOPICS))
    pool = TOPICS[topic]
    title_parts = [rng.choice(PLACES), "关于", rng.choice(["加快", "促进", "推进", "支持"]), rng.choice(pool), "发展的",
                   rng.choice(KINDS)]  # fmt: skip
    title = "".join(title_parts)
    phrases: list[str] = []
    length = 0
    while length < 2000:
        r = rng.random()
        if r < 0.55:
            phrase = rng.choice(GENERAL)
        elif r < 0.97:
            phrase = rng.choice(pool)
        else:  # a passing mention of another field
            phrase = rng.choice(TOPICS[rng.choice(list(TOPICS))])
        phrases.append(phrase)
        length += len(phrase) + 1
    sentences = []
    for i in range(0, len(phrases), 4):
        sentences.append("，".join(phrases[i : i + 4]) + "。")
    body = "".join(s + ("\n" if k % 5 == 4 else "") for k, s in enumerate(sentences))
    lead, chars = [], 0
    for phrase in phrases:  # the opening the rank vector holds (policies.services.RANK_LEAD_CHARS)
        if chars >= RANK_LEAD_CHARS:
            break
        lead.append(phrase)
        chars += len(phrase) + 1
    segmented = " ".join(seg(p) for p in title_parts)
    return title, segmented, body, " ".join(seg(p) for p in phrases), " ".join(seg(p) for p in lead)


def load(total: int, seed: int = 2014) -> float:
    """Generate and load `total` published policies; answer the seconds it took."""
    from bureau import services as bureau_services
    from bureau.choices import UnitKind
    from bureau.models import Unit

    started = time.perf_counter()
    root = Unit.objects.filter(code="bench-city").first() or bureau_services.unit_create(
        actor=None, parent=None, code="bench-city", name="温州市人民政府", kind=UnitKind.CITY
    )
    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute("ALTER TABLE policies_policy DISABLE TRIGGER USER")  # no audit rows for generated data
        cur.execute("DROP INDEX IF EXISTS policy_search")
        cur.execute(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_stage "
            "(n int, title text, title_seg text, body text, body_seg text, lead_seg text, segs text, published date)"
        )
        cur.execute("TRUNCATE bench_stage")
        batch = 2_000
        for start in range(0, total, batch):
            buffer = io.StringIO()
            for n in range(start, min(total, start + batch)):
                title, title_seg, body, body_seg, lead_seg = document(rng, n)
                segs = ",".join(sorted(rng.sample(SEGMENTS, rng.randint(1, 2))))
                published = f"{rng.randint(2010, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                buffer.write(
                    f"{n}\t{copy_escape(title)}\t{copy_escape(title_seg)}\t{copy_escape(body)}\t"
                    f"{copy_escape(body_seg)}\t{copy_escape(lead_seg)}\t{segs}\t{published}\n"
                )
            buffer.seek(0)
            cur.cursor.copy_expert(  # type: ignore[attr-defined]
                "COPY bench_stage (n, title, title_seg, body, body_seg, lead_seg, segs, published) FROM STDIN", buffer
            )
            print(f"  generated {min(total, start + batch):>6} / {total}", end="\r", flush=True)
        print()
        cur.execute(
            """
            INSERT INTO policies_policy (created_at, updated_at, lineage, version, title, document_number,
                issuing_authority_id, published_on, effective_on, tier, segments, topic, keywords, full_text, status,
                repealing_document, search_vector, rank_vector)
            SELECT now(), now(), gen_random_uuid(), 1, title,
                '温政发〔' || extract(year from published) || '〕' || n || '号', %s, published, published + 30,
                'sub', string_to_array(segs, ','), 'industry', '{}', body, 'published', '',
                setweight(to_tsvector('simple', title_seg), 'A') || setweight(to_tsvector('simple', body_seg), 'B'),
                setweight(to_tsvector('simple', title_seg), 'A') || setweight(to_tsvector('simple', lead_seg), 'B')
            FROM bench_stage
            """,
            [root.pk],
        )
        cur.execute("DROP TABLE bench_stage")
        cur.execute("CREATE INDEX policy_search ON policies_policy USING gin (search_vector)")
        cur.execute("ALTER TABLE policies_policy ENABLE TRIGGER USER")
        cur.execute("ANALYZE policies_policy")
    return time.perf_counter() - started


def timed(run: Callable[[], tuple[int, int]]) -> tuple[float, tuple[int, int]]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000, result


def first_page(queryset: object) -> tuple[int, int]:
    page = Paginator(queryset, PAGE).get_page(1)  # type: ignore[arg-type]
    rows = list(page.object_list)
    return page.paginator.count, len(rows)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(reader: object) -> None:
    from core.search import words
    from policies import selectors
    from policies.filtersets import PolicyFilterSet
    from policies.models import Policy

    def indexed(q: str) -> tuple[int, int]:
        qs = PolicyFilterSet({"q": q}, queryset=selectors.policy_list(user=reader)).qs  # type: ignore[arg-type]
        return first_page(qs)

    def scan(q: str) -> tuple[int, int]:
        condition = Q()
        for word in q.split():
            condition &= Q(title__icontains=word) | Q(full_text__icontains=word)
        qs = selectors.policy_list(user=reader).filter(condition)  # type: ignore[arg-type]
        return first_page(qs)

    # Searches first (one warm-up pass, then REPEAT timed passes), then the scans: a scan reads every
    # row's text and would push the search's pages out of the cache between runs.
    matches = {q: indexed(q)[0] for q in QUERIES}
    runs: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _round in range(REPEAT):
        for q in QUERIES:
            runs[q].append(timed(lambda q=q: indexed(q))[0])
    scans: dict[str, list[tuple[float, tuple[int, int]]]] = {
        q: [timed(lambda q=q: scan(q)) for _ in range(2)] for q in QUERIES
    }
    search_times = [ms for q in QUERIES for ms in runs[q]]
    scan_times = [ms for q in QUERIES for ms, _result in scans[q]]
    print(f"{'query':<14} {'matches':>8} {'search ms':>10} {'icontains ms':>13} {'scan matches':>12}")
    for q in QUERIES:
        scan_median = statistics.median(ms for ms, _result in scans[q])
        print(f"{q:<14} {matches[q]:>8} {statistics.median(runs[q]):>10.1f} {scan_median:>13.1f} "
              f"{scans[q][0][1][0]:>12}  {'/'.join(words(q))}")  # fmt: skip
    total = Policy.objects.count()
    med, high = statistics.median(search_times), p95(search_times)
    scan_med, scan_high = statistics.median(scan_times), p95(scan_times)
    print()
    print(f"policies: {total}; {len(QUERIES)} queries; search runs {len(search_times)}, scan runs {len(scan_times)}")
    print(f"search (tsvector + GIN, ranked, page of {PAGE} + count): median {med:.1f} ms, p95 {high:.1f} ms")
    print(f"icontains scan (page of {PAGE} + count):              median {scan_med:.1f} ms, p95 {scan_high:.1f} ms")
    print(f"speed-up: median {scan_med / med:.0f}x, p95 {scan_high / high:.0f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database (and reuse its data next time)")
    args = parser.parse_args()

    from django.contrib.auth.models import Group

    from bureau.models import User
    from bureau.roles import Role
    from policies.models import Policy

    connection.settings_dict["TEST"]["NAME"] = DB_NAME
    old_name = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep)
        if Policy.objects.count() != args.policies or Policy.objects.filter(rank_vector__isnull=True).exists():
            with connection.cursor() as cur:
                cur.execute("TRUNCATE policies_policy CASCADE")
            print(f"loading {args.policies} policies ...")
            seconds = load(args.policies)
            print(f"loaded in {seconds:.0f} s")
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('policies_policy'))")
            print(f"table with indexes and TOAST: {cur.fetchone()[0]}")  # type: ignore[index]
        reader, _created = User.objects.get_or_create(username="bench-reader")
        reader.groups.add(Group.objects.get(name=Role.API_CLIENT))
        reader = User.objects.get(pk=reader.pk)
        measure(reader)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keep)
        embedded.stop(getattr(settings, "EMBEDDED_STARTED", []))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the data center's ingestion end to end against raw COPY of the same file.

    .venv/bin/python bench/bench_ingestion.py            # 1,000,000 rows
    BENCH_ROWS=1000000,5000000 .venv/bin/python bench/bench_ingestion.py

For each size it writes a CSV of about 10 columns (100,000 enterprises' credit codes x months),
then in the same run measures
  (a) the portal: upload stored and hashed, job run by a real Celery worker process (solo pool)
      until it has succeeded, the worker's peak resident memory (VmHWM) read from /proc;
  (b) the physical limit: COPY of the same file into an unindexed table of text columns;
  (c) the storage floor: casting the text into a typed table shaped like a data set's record table
      and building its key index, with no validation at all;
  (d) the steady state: the next month's resend of the file, a tenth of its rows changed, loaded over
      the first (every key already in the record table, every enterprise in the master).
It uses a database of its own (created and dropped here), on the embedded or configured server.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("UPLOAD_MAX_BYTES", str(20 * 1024**3))
QUEUE = f"bench-{os.getpid()}"
os.environ["DATACENTER_QUEUE"] = QUEUE

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases
from stdnum.cn import uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
COUNTIES = ["鹿城区", "龙湾区", "瓯海区", "洞头区", "瑞安市", "乐清市", "龙港市", "永嘉县", "平阳县", "苍南县"]
PLATFORMS = ["淘宝", "天猫", "京东", "拼多多"]
FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
    {"name": "month", "label": "月份", "type": "date", "required": True},
    {"name": "name", "label": "企业名称", "type": "text", "required": True, "maps_to": "name"},
    {"name": "county", "label": "县区", "type": "text", "maps_to": "county"},
    {"name": "platform", "label": "平台", "type": "enum", "choices": PLATFORMS},
    {"name": "employees", "label": "从业人数", "type": "integer", "maps_to": "employees"},
    {"name": "revenue", "label": "营业收入", "type": "decimal", "maps_to": "revenue"},
    {"name": "online_sales", "label": "网络零售额", "type": "decimal"},
    {"name": "opened_on", "label": "开店日期", "type": "date"},
    {"name": "online", "label": "是否在营", "type": "boolean"},
]


def make_csv(path: Path, rows: int, revised: bool = False) -> None:
    """The department's file; `revised`: the next month's resend of it, where every tenth row's sales changed."""
    rng = random.Random(rows)
    enterprises = 100_000
    months = max(1, rows // enterprises)
    codes = []
    for _ in range(enterprises):
        body = "91330" + str(rng.randrange(100, 999)) + "".join(rng.choice(ALPHABET) for _ in range(9))
        codes.append(body + uscc.calc_check_digit(body + "0"))
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(x["name"] for x in FIELDS) + "\n")
        n = 0
        for m in range(months):
            month = f"{2016 + m // 12}-{m % 12 + 1:02d}-01"
            lines = []
            for i, code in enumerate(codes):
                if n >= rows:
                    break
                sales = rng.random() * 1000 + (1 if revised and n % 10 == 0 else 0)
                lines.append(
                    f"{code},{month},温州市第{i}号网店有限公司,{COUNTIES[i % 10]},{PLATFORMS[i % 4]},{5 + i % 300},"
                    f"{(i % 9000) + 0.5:.2f},{sales:.2f},2015-0{1 + i % 9}-1{i % 10},"
                    f"{'是' if i % 3 else '否'}\n"
                )
                n += 1
            f.write("".join(lines))


def database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or s.get("OPTIONS", {}).get("host", "")
    auth = f"{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@"
    port = f":{s['PORT']}" if s["PORT"] else ""
    if host.startswith("/"):
        return f"postgres://{auth}{port}/{s['NAME']}?host={quote(host)}"
    return f"postgres://{auth}{host}{port}/{s['NAME']}"


def raw_copy(path: Path) -> float:
    cols = ", ".join(f"{f['name']} text" for f in FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw ({cols})")
    started = time.monotonic()
    with connection.cursor() as cursor, path.open("rb") as f:
        cursor.copy_expert("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)", f, 256 * 1024)
    elapsed = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw")
    return elapsed


def storage_floor(path: Path) -> dict[str, float]:
    """What storing the rows alone costs, with no validation: the floor under any job writing records.

    On the same file: COPY into text columns, then (1) casting the ten columns with PostgreSQL's plain casts
    into a new typed table shaped like a data set's record table, (2) building its natural-key index.
    """
    cols = ", ".join(f"{f['name']} text" for f in FIELDS)
    sql_types = {"integer": "bigint", "decimal": "numeric", "date": "date", "boolean": "boolean"}
    typed = ", ".join(
        f"({f['name']} = '是')" if f["type"] == "boolean"
        else f"{f['name']}::{sql_types[str(f['type'])]}" if str(f["type"]) in sql_types
        else f"{f['name']}"
        for f in FIELDS
    )  # fmt: skip
    out: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS floor_raw, floor_records; CREATE TABLE floor_raw ({cols})")
        with path.open("rb") as f:
            cursor.copy_expert("COPY floor_raw FROM STDIN WITH (FORMAT csv, HEADER true)", f, 256 * 1024)
        cursor.execute("SET work_mem = '128MB'")
        started = time.monotonic()
        provenance = "1::bigint AS _job, 0 AS _line, now() AS _loaded_at, now() AS _updated_at"
        cursor.execute(f"CREATE TABLE floor_records AS SELECT {typed}, {provenance} FROM floor_raw")  # noqa: S608
        out["insert"] = time.monotonic() - started
        started = time.monotonic()
        cursor.execute("CREATE UNIQUE INDEX ON floor_records (credit_code, month)")
        out["index"] = time.monotonic() - started
        cursor.execute("DROP TABLE floor_raw, floor_records; RESET work_mem")
    return out


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def portal(path: Path, log: Path, timings: dict[str, float], code: str) -> dict[str, float]:
    from bureau import services as unit_services
    from bureau.choices import UnitKind
    from bureau.models import Unit
    from datacenter import services, storage
    from datacenter.models import DataSet

    unit = Unit.objects.filter(code="bench-dept").first() or unit_services.unit_create(
        actor=None, code="bench-dept", name="基准测试部门", kind=UnitKind.DEPARTMENT, parent=None
    )
    dataset = DataSet.objects.filter(code=code).first() or services.dataset_create(
        owner_unit=unit, code=code, name="基准测试", frequency="monthly", fields=FIELDS,
        natural_key=["credit_code", "month"], actor=None,
    )  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, "LOG_LEVEL": "INFO"}
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", QUEUE,
             "--loglevel", "INFO", "--hostname", f"{QUEUE}@localhost", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        from config.celery import app

        while not app.control.ping(destination=[f"{QUEUE}@localhost"], timeout=0.5):
            time.sleep(0.2)
        idle_rss = peak_rss_mb(worker.pid)
        started = time.monotonic()
        with path.open("rb") as f:
            job = services.job_create(dataset=dataset, stream=f, original_name="bench.csv", actor=None)
        stored = time.monotonic() - started
        peak = idle_rss
        while True:
            job.refresh_from_db()
            peak = max(peak, peak_rss_mb(worker.pid))
            if job.status in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.05)  # the job is done when its status says so: read it often
        elapsed = time.monotonic() - started
        peak = max(peak, peak_rss_mb(worker.pid))
        if job.status != "succeeded":
            raise SystemExit(f"the job ended {job.status}: {job.error}")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {storage.table(dataset.pk)}")  # noqa: S608 - an id
            records = cursor.fetchone()[0]
        assert records == job.rows_inserted + job.rows_updated + job.rows_unchanged, records
        timings.update(job.timings)
        return {"seconds": elapsed, "stored": stored, "peak_mb": peak, "idle_mb": idle_rss, "rows": job.rows_read,
                "inserted": job.rows_inserted, "updated": job.rows_updated,
                "unchanged": job.rows_unchanged}  # fmt: skip
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)


def main() -> None:
    sizes = [int(x) for x in os.environ.get("BENCH_ROWS", "1000000").split(",")]
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    connection.settings_dict["TEST"]["NAME"] = f"bench_ingestion_{os.getpid()}"
    config = setup_databases(verbosity=0, interactive=False)
    try:
        for rows in sizes:
            path = results / f"ingestion-{rows}.csv"
            if not path.exists():
                make_csv(path, rows)
            mb = path.stat().st_size / 1024**2
            copy_s = raw_copy(path)
            log = results / f"worker-{rows}.log"
            timings: dict[str, float] = {}
            p = portal(path, log, timings, code=f"bench-{rows}")
            ratio = copy_s / p["seconds"]
            print(f"rows={rows:,} file={mb:.0f} MB")
            print(f"  raw COPY into an unindexed table: {copy_s:.1f} s ({rows / copy_s:,.0f} rows/s)")
            print(f"  portal ingestion end to end:      {p['seconds']:.1f} s ({rows / p['seconds']:,.0f} rows/s), "
                  f"of which storing the upload {p['stored']:.1f} s")  # fmt: skip
            print(f"  portal / raw COPY speed: {ratio:.3f}")
            print(f"  worker peak RSS: {p['peak_mb']:.0f} MB (idle {p['idle_mb']:.0f} MB)")
            print(f"  steps inside the job (s): {timings}")
            # (d) The steady state: the next month the department resends the file with a tenth of the rows
            # changed. Every key is already in the record table and every enterprise in the master.
            revised = results / f"ingestion-{rows}-revised.csv"
            if not revised.exists():
                make_csv(revised, rows, revised=True)
            again: dict[str, float] = {}
            r = portal(revised, log, again, code=f"bench-{rows}")
            print(f"  the revised file loaded over the first: {r['seconds']:.1f} s "
                  f"({copy_s / r['seconds']:.2f} of raw COPY's speed): {r['updated']:,.0f} updated, "
                  f"{r['unchanged']:,.0f} unchanged, {r['inserted']:,.0f} inserted; "
                  f"worker peak RSS {r['peak_mb']:.0f} MB; steps (s): {again}")  # fmt: skip
            floor = storage_floor(path)
            print(f"  storage floor, no validation: casting into a typed table {floor['insert']:.1f} s, "
                  f"its key index {floor['index']:.1f} s "
                  f"(together {copy_s / (floor['insert'] + floor['index']):.2f} of raw COPY's speed)")  # fmt: skip
    finally:
        connection.close()
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()

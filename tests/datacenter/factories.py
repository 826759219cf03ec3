"""Data sets, credit codes and files for the data center's tests."""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.test import override_settings
from stdnum.cn import uscc

from bureau.choices import UnitKind
from bureau.roles import Role
from datacenter import services, storage
from datacenter.models import DataSet, IngestionJob
from tests.bureau.factories import UnitFactory, UserFactory

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

COMPANY_FIELDS: list[dict[str, Any]] = [
    {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "type": "text", "required": True, "maps_to": "name"},
    {"name": "county", "label": "县区", "type": "text", "maps_to": "county"},
    {"name": "employees", "label": "从业人数", "type": "integer", "maps_to": "employees"},
    {"name": "revenue", "label": "营业收入", "type": "decimal", "maps_to": "revenue"},
    {"name": "registered_on", "label": "登记日期", "type": "date"},
    {"name": "online", "label": "是否网店", "type": "boolean"},
    {"name": "platform", "label": "平台", "type": "enum", "choices": ["淘宝", "京东", "拼多多"]},
]
HEADER = ",".join(f["name"] for f in COMPANY_FIELDS)


def credit_code(n: int, seed: int = 0) -> str:
    """A valid unified social credit code, different for each n."""
    rng = random.Random(n * 7919 + seed)
    body = "91" + f"{330300 + rng.randrange(40):06d}" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body + "0")


def bad_credit_code(n: int) -> str:
    code = credit_code(n)
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % 31]
    return code[:-1] + wrong


def city_with_center() -> dict[str, Any]:
    city = UnitFactory(code="city", kind=UnitKind.CITY, name="温州市")
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city)
    center = UnitFactory(code="center", kind=UnitKind.CENTER, parent=bureau)
    commerce = UnitFactory(code="commerce", kind=UnitKind.DEPARTMENT, parent=city, name="商务局")
    eitc = UnitFactory(code="eitc", kind=UnitKind.DEPARTMENT, parent=city, name="经信委")
    county = UnitFactory(code="lucheng", kind=UnitKind.COUNTY_BUREAU, parent=bureau, name="鹿城区网络经济发展局")
    return {"city": city, "bureau": bureau, "center": center, "commerce": commerce, "eitc": eitc, "county": county}


def center_staff(units: dict[str, Any]) -> Any:
    return UserFactory(roles=[Role.BUREAU_STAFF], unit=units["center"])


def make_dataset(owner: Any, code: str = "stores", sensitivity: str = "internal", **kwargs: Any) -> DataSet:
    return services.dataset_create(
        owner_unit=owner, code=code, name=kwargs.pop("name", "网店名录"), frequency="monthly", sensitivity=sensitivity,
        fields=kwargs.pop("fields", COMPANY_FIELDS), natural_key=kwargs.pop("natural_key", ["credit_code"]),
        actor=None, **kwargs,
    )  # fmt: skip


def row(n: int, **overrides: Any) -> str:
    values = {
        "credit_code": credit_code(n), "name": f"企业{n}", "county": "鹿城区", "employees": str(10 + n % 90),
        "revenue": f"{100 + n}.50", "registered_on": "2024-03-01", "online": "是", "platform": "淘宝",
    }  # fmt: skip
    values.update({k: str(v) for k, v in overrides.items()})
    return ",".join(values[f["name"]] for f in COMPANY_FIELDS)


def csv_bytes(rows: list[str], header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def upload(dataset: DataSet, content: bytes, name: str = "data.csv", actor: Any = None) -> IngestionJob:
    return services.job_create(dataset=dataset, stream=io.BytesIO(content), original_name=name, actor=actor)


def load(dataset: DataSet, content: bytes, name: str = "data.csv", actor: Any = None) -> IngestionJob:
    """Upload and run the job here, in this process (the worker tests run it in a real worker)."""
    # Sent where no worker listens: a session's worker (tests/conftest.py) would race this process for it.
    with override_settings(DATACENTER_QUEUE="run-in-process"):
        job = upload(dataset, content, name, actor)
    services.job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class StoredRecord:
    """A record as its data set's table holds it, with the values as the API gives them (JSON types)."""

    dataset: int
    key: str
    payload: dict[str, Any]
    enterprise: str | None
    job: int
    line: int
    updated_at: datetime.datetime


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def records(dataset: DataSet | None = None) -> list[StoredRecord]:
    """Every record of the data set (or of all data sets), read from the record tables, in key order."""
    out = []
    for ds in [dataset] if dataset is not None else DataSet.objects.order_by("pk"):
        schema = ds.current_schema
        assert schema is not None
        for r in storage.RecordRows(ds.pk, schema.fields, list(schema.natural_key)):
            payload = {k: _json(v) for k, v in r.values.items()}
            out.append(StoredRecord(dataset=ds.pk, key=r.key, payload=payload, enterprise=r.enterprise, job=r.job,
                                    line=r.line, updated_at=r.updated_at))  # fmt: skip
    return out


def record(key: str) -> StoredRecord:
    """The one record with this natural key (in any data set)."""
    (found,) = [r for r in records() if r.key == key]
    return found

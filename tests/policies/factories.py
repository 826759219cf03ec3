"""Policies go through the services, like every write."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from bureau.choices import UnitKind
from policies import services
from policies.choices import ChainSegment, PolicyTier
from policies.models import Policy, PolicyField
from tests.bureau.factories import UnitFactory

_numbers = itertools.count(1)


def authority(code: str = "city-gov") -> Any:
    return UnitFactory(code=code, kind=UnitKind.CITY, name="温州市人民政府")


def field(code: str = "ecommerce", name: str = "电子商务", order: int = 0) -> PolicyField:
    return services.policy_field_save(actor=None, code=code, name=name, sort_order=order)


def draft(**values: Any) -> Policy:
    n = next(_numbers)
    values.setdefault("issuing_authority", authority())
    values.setdefault("title", f"关于促进网络经济发展的若干意见{n}")
    values.setdefault("document_number", f"温政发〔2014〕{n}号")
    values.setdefault("written_on", datetime.date(2014, 3, 1))
    values.setdefault("published_on", datetime.date(2014, 3, 10))
    values.setdefault("effective_on", datetime.date(2014, 4, 1))
    values.setdefault("tier", PolicyTier.SUB)
    values.setdefault("segments", [ChainSegment.END])
    values.setdefault("full_text", "为加快发展网络经济，现提出如下意见。")
    actor = values.pop("actor", None)
    return services.policy_create(actor=actor, **values)


def published(**values: Any) -> Policy:
    actor = values.get("actor")
    policy = draft(**values)
    services.policy_submit(actor=actor, policy=policy)
    return services.policy_publish(actor=actor, policy=policy)

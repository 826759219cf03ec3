"""The data center's own sections of the enterprise profile: the master record, and every department's data."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from bureau.models import User

from . import selectors
from .choices import FieldType
from .models import Enterprise
from .registry import register_section


def master_section(enterprise: Enterprise, user: User | AnonymousUser) -> dict[str, Any]:
    return {
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "county": enterprise.county,
        "industry": enterprise.get_industry_display(),
        "employees": enterprise.employees,
        "revenue": str(enterprise.revenue) if enterprise.revenue is not None else None,
        "size_class": enterprise.get_size_class_display(),
        "chain_segment": enterprise.get_chain_segment_display(),
        "fields": list(enterprise.fields),
    }


def department_data_section(enterprise: Enterprise, user: User | AnonymousUser) -> dict[str, Any] | None:
    """Each attribute with every department's value, source and date; differing values are a conflict."""
    records = selectors.enterprise_records(user=user, enterprise=enterprise)
    if not records:
        return None
    values: dict[str, list[dict[str, Any]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for dataset, updated_at, record in records:
        current = dataset.current_schema  # prefetched by the selector, which returns only data sets with one
        assert current is not None
        schema = {f["name"]: f for f in current.fields}
        for name, value in record.items():
            f = schema.get(name, {})
            if f.get("type") == FieldType.CREDIT_CODE or value is None:
                continue
            attribute = f.get("maps_to") or name
            labels.setdefault(attribute, f.get("label") or name)
            values[attribute].append({
                "value": value, "dataset": dataset.name, "department": dataset.owner_unit.name,
                "date": updated_at.date().isoformat(),
            })  # fmt: skip
    attributes = [
        {"attribute": a, "label": labels[a], "values": v, "conflict": len({str(x["value"]) for x in v}) > 1}
        for a, v in values.items()
    ]
    attributes.sort(key=lambda a: (not a["conflict"], a["label"]))
    return {"attributes": attributes, "records": len(records)}


def register() -> None:
    register_section("master", title=_("Enterprise master"), build=master_section,
                     template="datacenter/profile/_master.html", order=10)  # fmt: skip
    register_section("departments", title=_("Data from the departments"), build=department_data_section,
                     template="datacenter/profile/_departments.html", order=20)  # fmt: skip

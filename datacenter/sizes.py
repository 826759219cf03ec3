"""Enterprise size classes by MIIT's 2011 rules (工信部联企业〔2011〕300号).

One table drives both the Python classifier (for single enterprises) and the SQL
expression the ingestion uses for whole batches, so the two cannot disagree.
Employees are people; revenue is operating revenue in units of 10,000 CNY (万元).
Criteria that need total assets (construction, real estate, leasing) are judged
on the criteria we hold.
"""

from __future__ import annotations

from decimal import Decimal

from .choices import Industry, SizeClass

# (min employees, min revenue) for a class; None: the criterion does not apply.
Bound = tuple[int | None, int | None]
# industry -> (large, medium, small); below small is micro.
RULES: dict[str, tuple[Bound, Bound, Bound]] = {
    Industry.AGRICULTURE: ((None, 20000), (None, 500), (None, 50)),
    Industry.MANUFACTURING: ((1000, 40000), (300, 2000), (20, 300)),
    Industry.CONSTRUCTION: ((None, 80000), (None, 6000), (None, 300)),
    Industry.WHOLESALE: ((200, 40000), (20, 5000), (5, 1000)),
    Industry.RETAIL: ((300, 20000), (50, 500), (10, 100)),
    Industry.TRANSPORT: ((1000, 30000), (300, 3000), (20, 200)),
    Industry.WAREHOUSING: ((200, 30000), (100, 1000), (20, 100)),
    Industry.POSTAL: ((1000, 30000), (300, 2000), (20, 100)),
    Industry.ACCOMMODATION: ((300, 10000), (100, 2000), (10, 100)),
    Industry.CATERING: ((300, 10000), (100, 2000), (10, 100)),
    Industry.TELECOM: ((2000, 100000), (100, 1000), (10, 100)),
    Industry.SOFTWARE: ((300, 10000), (100, 1000), (10, 50)),
    Industry.PROPERTY_MANAGEMENT: ((1000, 5000), (300, 1000), (100, 500)),
    Industry.LEASING: ((300, None), (100, None), (10, None)),
    Industry.OTHER: ((300, None), (100, None), (10, None)),
}
CLASSES = (SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL)


def classify(industry: str, employees: int | None, revenue: Decimal | int | None) -> str:
    """The size class, or "" when the industry is unknown or a needed figure is missing."""
    rules = RULES.get(industry)
    if rules is None:
        return ""
    needs_x, needs_y = rules[0][0] is not None, rules[0][1] is not None
    if (needs_x and employees is None) or (needs_y and revenue is None):
        return ""
    for size, (min_x, min_y) in zip(CLASSES, rules, strict=True):
        if (min_x is None or (employees is not None and employees >= min_x)) and (
            min_y is None or (revenue is not None and revenue >= min_y)
        ):
            return str(size)
    return str(SizeClass.MICRO)


def classify_sql(industry: str, employees: str, revenue: str) -> str:
    """The same rules as one SQL CASE expression over three column expressions."""
    branches = []
    for name, rules in RULES.items():
        needs_x, needs_y = rules[0][0] is not None, rules[0][1] is not None
        missing = " OR ".join([f"{employees} IS NULL"] * needs_x + [f"{revenue} IS NULL"] * needs_y)
        inner = [f"WHEN {missing} THEN ''"] if missing else []
        for size, (min_x, min_y) in zip(CLASSES, rules, strict=True):
            conds = [f"{employees} >= {min_x}"] * (min_x is not None) + [f"{revenue} >= {min_y}"] * (min_y is not None)
            inner.append(f"WHEN {' AND '.join(conds)} THEN '{size}'")
        branches.append(f"WHEN {industry} = '{name}' THEN (CASE {' '.join(inner)} ELSE '{SizeClass.MICRO}' END)")
    return f"(CASE {' '.join(branches)} ELSE '' END)"

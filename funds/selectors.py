"""Reads of the pooled fund, scoped by bureau.permissions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum

from bureau.models import User
from bureau.permissions import restrict
from datacenter.selectors import enterprise_list

from .choices import AccountKind, ApplicationStatus, TransferKind
from .models import Account, Application, ExpertReview, FundSource, LedgerTransfer, Programme, YearTarget
from .permissions import may_take
from .workflows import TRANSITIONS


def account_list(*, user: User | AnonymousUser) -> QuerySet[Account]:
    return restrict(Account.objects.all(), user).order_by("code")


def programme_list(*, user: User | AnonymousUser) -> QuerySet[Programme]:
    return restrict(
        Programme.objects.select_related("policy", "owner_unit", "budget_account", "commitments_account"), user
    ).order_by("-fiscal_year", "code")


def application_list(*, user: User | AnonymousUser) -> QuerySet[Application]:
    return restrict(Application.objects.select_related("programme", "enterprise", "submitted_by_unit"), user).order_by(
        "-created_at", "-pk"
    )


def application_detail(*, user: User | AnonymousUser, pk: int) -> Application:
    return application_list(user=user).prefetch_related("steps__actor", "reviews__expert", "objections").get(pk=pk)


def enterprise_visible(application: Application, *, user: User | AnonymousUser) -> bool:
    """Whether `user` may open the applicant's profile in the data center."""
    return enterprise_list(user=user).filter(pk=application.enterprise_id).exists()


def application_transfers(application: Application) -> QuerySet[LedgerTransfer]:
    return (
        LedgerTransfer.objects.filter(reference=f"application:{application.pk}")
        .select_related("from_account", "to_account", "actor")
        .order_by("created_at", "pk")
    )


def available_actions(application: Application, user: User | AnonymousUser) -> set[str]:
    """The steps `user` may take from where the application is (funds.permissions, as the services check)."""
    return {
        action for action, source in TRANSITIONS if source == application.status and may_take(user, action, application)
    }


# --- the dashboard ---


@dataclass
class ProgrammeFigures:
    programme: Programme
    allocated: int = 0
    committed: int = 0
    disbursed: int = 0
    available: int = 0


@dataclass
class Dashboard:
    year: int | None
    years: list[int]
    pool: int | None = 0  # None: the reader does not read the ledger's accounts
    contributed: int = 0
    allocated: int = 0
    committed: int = 0
    disbursed: int = 0
    available: int = 0
    programmes: list[ProgrammeFigures] = field(default_factory=list)
    small_micro_share: float | None = None
    middle_share: float | None = None
    target: YearTarget | None = None
    by_county: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)

    def chart_data(self) -> dict[str, Any]:
        return {
            "programmes": [p.programme.name for p in self.programmes],
            "committed": [p.committed / 100 for p in self.programmes],
            "disbursed": [p.disbursed / 100 for p in self.programmes],
            "available": [p.available / 100 for p in self.programmes],
            "counties": list(self.by_county),
            "county_paid": [v / 100 for v in self.by_county.values()],
            "departments": list(self.by_department),
            "department_paid": [v / 100 for v in self.by_department.values()],
        }


def fiscal_years() -> list[int]:
    return sorted(set(Programme.objects.values_list("fiscal_year", flat=True)), reverse=True)


def dashboard(*, user: User | AnonymousUser, year: int | None, years: list[int] | None = None) -> Dashboard:
    """Pool, allocated, committed, disbursed and available, by programme; priorities against the year's targets.

    A fixed number of queries: programmes with their accounts, transfer sums by programme and kind,
    committed money by enterprise class, paid money by county, contributions by department.
    """
    programmes = programme_list(user=user)
    years = fiscal_years() if years is None else years
    if year is not None:
        programmes = programmes.filter(fiscal_year=year)
    board = Dashboard(year=year, years=years)
    figures = {p.pk: ProgrammeFigures(programme=p) for p in programmes}
    by_budget = {f.programme.budget_account_id: f for f in figures.values()}
    by_commitments = {f.programme.commitments_account_id: f for f in figures.values()}
    sums = (
        LedgerTransfer.objects.filter(Q(to_account__in=by_budget) | Q(from_account__in=by_commitments))
        .values("kind", "from_account", "to_account")
        .annotate(total=Sum("amount_fen"))
    )
    for row in sums:
        if row["kind"] == TransferKind.ALLOCATION and row["to_account"] in by_budget:
            by_budget[row["to_account"]].allocated += row["total"]
        elif row["kind"] == TransferKind.DISBURSEMENT and row["from_account"] in by_commitments:
            by_commitments[row["from_account"]].disbursed += row["total"]
    for f in figures.values():
        f.available = f.programme.budget_account.balance_fen
        f.committed = f.programme.commitments_account.balance_fen
    board.programmes = list(figures.values())
    board.allocated = sum(f.allocated for f in figures.values())
    board.committed = sum(f.committed for f in figures.values())
    board.disbursed = sum(f.disbursed for f in figures.values())
    board.available = sum(f.available for f in figures.values())
    pools = restrict(Account.objects.filter(kind=AccountKind.POOL), user)  # a county sees its own pool
    readable = user.is_authenticated and user.has_perm("funds.view_account")
    board.pool = (pools.aggregate(s=Sum("balance_fen"))["s"] or 0) if readable else None
    sources = restrict(FundSource.objects.select_related("department", "account"), user)
    if year is not None:
        sources = sources.filter(fiscal_year=year)
    by_department: dict[str, int] = defaultdict(int)
    for source in sources:
        by_department[source.department.short_name or source.department.name] += source.account.debits_fen
    board.by_department = dict(by_department)
    board.contributed = sum(by_department.values())

    live = application_list(user=user).filter(approved_fen__isnull=False).exclude(status=ApplicationStatus.CANCELLED)
    if year is not None:
        live = live.filter(programme__fiscal_year=year)
    total = small = middle = 0
    by_county: dict[str, int] = defaultdict(int)
    for approved, released, disbursed, size, segment, county in live.values_list(
        "approved_fen", "released_fen", "disbursed_fen", "enterprise__size_class", "enterprise__chain_segment",
        "enterprise__county",
    ):  # fmt: skip
        amount = (approved or 0) - released
        total += amount
        small += amount if size in ("micro", "small") else 0
        middle += amount if segment == "middle" else 0
        by_county[county or "—"] += disbursed
    if total:
        board.small_micro_share = round(small * 100 / total, 1)
        board.middle_share = round(middle * 100 / total, 1)
    board.by_county = dict(sorted(by_county.items(), key=lambda kv: -kv[1]))
    board.target = YearTarget.objects.filter(fiscal_year=year).first() if year is not None else None
    return board


# --- what the fund adds to other apps' pages (registered in funds.apps) ---


def _programme_cells(programme: Programme) -> tuple[tuple[str, str], ...]:
    segments = programme.segments or list(programme.policy.segments)
    fields = programme.fields or [f.code for f in programme.policy.fields.all()]
    return tuple((segment, field) for segment in segments for field in fields)


def programmes_for_coverage(*, as_of: Any, user: User | AnonymousUser) -> list[Any]:
    """Programmes running on `as_of` in the policy coverage map's cells (policies.registry)."""
    from django.urls import reverse

    from policies.registry import LinkedItem

    programmes = (
        programme_list(user=user)
        .filter(opens_on__lte=as_of, fiscal_year__gte=as_of.year - 1)
        .prefetch_related("policy__fields")
    )
    return [
        LinkedItem(label=p.name, url=reverse("funds:programme-detail", args=[p.pk]), cells=_programme_cells(p))
        for p in programmes
    ]


def programmes_for_policy(*, policy: Any, user: User | AnonymousUser) -> Any:
    """The fund programmes a policy governs, for the policy's page (policies.registry)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from policies.registry import LinkedItem, Section

    programmes = programme_list(user=user).filter(policy__lineage=policy.lineage)
    items = [
        LinkedItem(label=f"{p.name}（{p.fiscal_year}）", url=reverse("funds:programme-detail", args=[p.pk]))
        for p in programmes
    ]
    return Section(key="funds", title=_("Fund programmes governed by this policy"), items=items) if items else None


def enterprise_section(enterprise: Any, user: User | AnonymousUser) -> dict[str, Any] | None:
    """The enterprise profile's fund section (datacenter.registry): its applications and the money received."""
    applications = list(application_list(user=user).filter(enterprise=enterprise))
    if not applications:
        return None
    return {
        "applications": applications,
        "approved": sum((a.approved_fen or 0) - a.released_fen for a in applications),
        "received": sum(a.disbursed_fen for a in applications),
    }


def expert_average(reviews: Iterable[ExpertReview]) -> Decimal:
    """The experts' mean total, the score before the priorities' bonus."""
    totals = [r.total or Decimal(0) for r in reviews]
    return sum(totals, Decimal(0)) / len(totals)


def score_parts(application: Application) -> tuple[Decimal, Decimal] | None:
    """An application's score as (experts' average, priority bonus), once every expert has scored.

    The bonus is what the score holds beyond the average: it was decided by the enterprise's size and segment
    when the last expert scored, and a later change to the enterprise does not rewrite it.
    """
    reviews = list(application.reviews.all())
    if application.score is None or not reviews or not all(r.scored_at for r in reviews):
        return None
    average = expert_average(reviews).quantize(Decimal("0.01"))
    return average, application.score - average

"""Writes of the pooled fund: sources, programmes and the application workflow.

Every step locks the application row, checks the move against `workflows.TRANSITIONS`
and the actor's role and unit, moves money only through `funds.ledger`, and records
who, when and why. `actor=None` means the system itself (seed data, scheduled jobs).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from bureau import permissions
from bureau.models import Unit, User
from bureau.notifications import notify
from bureau.roles import Role
from core import workdays
from core.choices import ChainSegment
from core.money import format_yuan
from datacenter.models import Enterprise
from policies.models import Policy

from . import ledger, workflows
from . import permissions as steps
from .choices import AccountKind, NotificationKind, ProgrammeStatus, TransferKind
from .choices import ApplicationStatus as S
from .models import (
    Account,
    Application,
    ApplicationStep,
    ExpertReview,
    FundSource,
    LedgerTransfer,
    Objection,
    Programme,
    YearTarget,
)
from .selectors import expert_average

DEFAULT_RUBRIC = [{"name": "技术创新", "max": 40}, {"name": "经济效益", "max": 30}, {"name": "带动作用", "max": 30}]

logger = logging.getLogger(__name__)


def _require_staff(actor: User | None, *roles: str, unit: Unit | None = None) -> None:
    """The actor holds one of `roles` (bureau staff or administrator by default) and, given a `unit`, acts
    for it (bureau.permissions.acts_for_unit: their own jurisdiction)."""
    if actor is None or actor.is_superuser:
        return
    if not permissions.has_role(actor, *(roles or (Role.BUREAU_STAFF, Role.ADMIN))):
        raise PermissionDenied
    if unit is not None and not permissions.acts_for_unit(actor, unit):
        raise PermissionDenied


def pool_account(owner: Unit) -> Account:
    """The pooled fund of a jurisdiction (the city's, or a county's)."""
    jurisdiction = permissions.jurisdiction_of(owner)
    return ledger.account_open(
        code=f"pool-{jurisdiction.code}", name=_("%(unit)s pooled fund") % {"unit": jurisdiction.name},
        kind=AccountKind.POOL, owner_unit=jurisdiction,
    )  # fmt: skip


# --- money in: sources, contributions, allocations ---


@transaction.atomic
def fund_source_create(
    *, actor: User | None, department: Unit, fiscal_year: int, name: str, pledged_fen: int
) -> FundSource:
    _require_staff(actor, unit=department)
    if pledged_fen <= 0:
        raise ValidationError({"pledged_fen": _("A pledge is a positive amount.")})
    account = ledger.account_open(
        # Unique without counting rows (two sources created at once would count the same).
        code=f"source-{department.code}-{fiscal_year}-{uuid.uuid4().hex[:12]}",
        name=f"{department.short_name or department.name} {fiscal_year} {name}",
        kind=AccountKind.SOURCE, owner_unit=department,
    )  # fmt: skip
    source = FundSource(
        department=department, fiscal_year=fiscal_year, name=name, pledged_fen=pledged_fen, account=account
    )
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def contribution_post(*, actor: User | None, source: FundSource, amount_fen: int, idempotency_key: str) -> Any:
    """A department pays (part of) its pledge into the pool."""
    _require_staff(actor, unit=source.department)
    pool = pool_account(source.department)
    # What was paid is read under the accounts' locks, taken in the ledger's order (by key): two payments
    # at once cannot both fit into what is left of the pledge.
    accounts = Account.objects.select_for_update().filter(pk__in=[source.account_id, pool.pk]).order_by("pk")
    paid = next(a.debits_fen for a in accounts if a.pk == source.account_id)
    # A repeat (asked under the locks too, so a retry that overlapped the first request finds its transfer)
    # is answered by the ledger with the first transfer, or refused if it differs.
    repeat = LedgerTransfer.objects.filter(idempotency_key=idempotency_key).exists()
    if not repeat and paid + amount_fen > source.pledged_fen:
        raise ValidationError(
            {
                "amount_fen": _("Only %(left)s yuan of this pledge are still to be paid.")
                % {"left": format_yuan(source.pledged_fen - paid)}
            }
        )
    return ledger.transfer_post(
        from_account=source.account, to_account=pool, amount_fen=amount_fen, kind=TransferKind.CONTRIBUTION,
        idempotency_key=idempotency_key, actor=actor, reference=f"fund-source:{source.pk}",
    )  # fmt: skip


@transaction.atomic
def programme_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    fiscal_year: int,
    policy: Policy,
    owner_unit: Unit,
    opens_on: datetime.date,
    closes_on: datetime.date,
    segments: list[str] | None = None,
    fields: list[str] | None = None,
    max_grant_fen: int | None = None,
    bonus_small_micro: int = 5,
    bonus_middle: int = 5,
    rubric: list[dict[str, Any]] | None = None,
    status: str = ProgrammeStatus.OPEN,
) -> Programme:
    _require_staff(actor)
    if actor is not None and not permissions.may_act_in_unit(actor, "add", Programme, owner_unit):
        raise PermissionDenied
    budget = ledger.account_open(
        code=f"programme-{code}-budget", name=_("%(name)s budget") % {"name": name},
        kind=AccountKind.PROGRAMME_BUDGET, owner_unit=owner_unit,
    )  # fmt: skip
    commitments = ledger.account_open(
        code=f"programme-{code}-commitments", name=_("%(name)s commitments") % {"name": name},
        kind=AccountKind.PROGRAMME_COMMITMENTS, owner_unit=owner_unit,
    )  # fmt: skip
    programme = Programme(
        code=code, name=name, fiscal_year=fiscal_year, policy=policy, owner_unit=owner_unit, opens_on=opens_on,
        closes_on=closes_on, segments=segments or [], fields=fields or [], max_grant_fen=max_grant_fen,
        bonus_small_micro=bonus_small_micro, bonus_middle=bonus_middle,
        rubric=rubric or DEFAULT_RUBRIC,
        status=status, budget_account=budget, commitments_account=commitments,
    )  # fmt: skip
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def allocation_post(*, actor: User | None, programme: Programme, amount_fen: int, idempotency_key: str) -> Any:
    """The annual plan gives pool money to a programme."""
    _require_staff(actor, Role.LEADER, Role.BUREAU_STAFF, Role.ADMIN, unit=programme.owner_unit)
    return ledger.transfer_post(
        from_account=pool_account(programme.owner_unit), to_account=programme.budget_account, amount_fen=amount_fen,
        kind=TransferKind.ALLOCATION, idempotency_key=idempotency_key, actor=actor,
        reference=f"programme:{programme.pk}",
    )  # fmt: skip


# --- applications ---


def enterprise_for(credit_code: str, *, name: str, home_unit: Unit) -> Enterprise:
    """The enterprise master's record for a credit code, created on its first application."""
    try:
        code = uscc.validate(credit_code)
    except (StdnumError, ValueError) as exc:  # stdnum 2.2 raises ValueError for a line break inside a code
        raise ValidationError(
            {"credit_code": _("%(code)s is not a valid unified social credit code.") % {"code": credit_code}}
        ) from exc
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        new = Enterprise(credit_code=code, name=name, home_unit=permissions.jurisdiction_of(home_unit))
        new.full_clean(validate_unique=False)
        # Two first applications of one enterprise at once: the second finds the first one's row.
        enterprise, _created = Enterprise.objects.get_or_create(
            credit_code=code, defaults={"name": new.name, "home_unit": new.home_unit}
        )
    return enterprise


@transaction.atomic
def application_create(
    *,
    actor: User | None,
    programme: Programme,
    credit_code: str,
    enterprise_name: str = "",
    title: str,
    requested_fen: int,
    description: str = "",
    submitted_by_unit: Unit | None = None,
) -> Application:
    """Enter an application for an enterprise (bureau staff) or a department's (its API client)."""
    unit = submitted_by_unit or (actor.unit if actor is not None else None) or programme.owner_unit
    if actor is not None and not actor.is_superuser:
        if not actor.has_perm("funds.add_application") or not permissions.can(actor, "view", programme):
            raise PermissionDenied
        if permissions.has_role(actor, Role.API_CLIENT, Role.DIVISION_STAFF) and not permissions.has_role(
            actor, Role.BUREAU_STAFF, Role.ADMIN
        ):
            unit = actor.unit or unit  # a department applies in its own name only
    if requested_fen <= 0:
        raise ValidationError({"requested_fen": _("The amount requested must be more than zero.")})
    if programme.max_grant_fen is not None and requested_fen > programme.max_grant_fen:
        raise ValidationError(
            {
                "requested_fen": _("This programme grants at most %(max)s yuan.")
                % {"max": format_yuan(programme.max_grant_fen)}
            }
        )
    enterprise = enterprise_for(credit_code, name=enterprise_name, home_unit=programme.owner_unit)
    if programme.segments and enterprise.chain_segment and enterprise.chain_segment not in programme.segments:
        raise ValidationError(
            _("The programme %(programme)s does not support enterprises in the %(segment)s segment of the value chain.")
            % {"programme": programme.name, "segment": ChainSegment(enterprise.chain_segment).label}
        )
    assert unit is not None
    application = Application(
        programme=programme, enterprise=enterprise, title=title, description=description,
        requested_fen=requested_fen, submitted_by_unit=unit, created_by=actor,
    )  # fmt: skip
    application.full_clean()
    application.save()
    _record(application, "", S.DRAFT, actor, "")
    return application


def _record(application: Application, from_status: str, to_status: str, actor: User | None, reason: str) -> None:
    ApplicationStep.objects.create(
        application=application, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("programme", "enterprise").get(pk=application.pk)


def _move(
    application: Application, action: str, to_status: str, actor: User | None, reason: str = ""
) -> tuple[Application, str]:
    """Check that `actor` may take `action` to `to_status` from where the application is; return the locked row."""
    application = _lock(application)
    roles = workflows.roles_for(action, application.status, to_status)
    if roles is None:
        raise ValidationError(
            _("An application that is %(status)s cannot be moved that way (%(action)s).")
            % {"status": S(application.status).label, "action": action}
        )
    if to_status in workflows.NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    _check_actor(actor, action, application, roles)
    return application, application.status


def _check_actor(actor: User | None, action: str, application: Application, roles: frozenset[str]) -> None:
    if actor is not None and not steps.may_take(actor, action, application, roles):
        raise PermissionDenied


def _save_step(
    application: Application, from_status: str, actor: User | None, reason: str, *fields: str
) -> Application:
    application.save(update_fields=["status", "updated_at", *fields])
    _record(application, from_status, application.status, actor, reason)
    _notify_next(application, reason)
    return application


# Who acts next, by the state an application has just entered.
NEXT_ACTORS = {
    S.SUBMITTED: ("owner",),
    S.RETURNED: ("applicant",),
    S.REJECTED: ("applicant",),
    S.EXPERT_REVIEW: ("owner",),
    S.AWAITING_DECISION: ("bureau", "owner"),
    S.PUBLIC_NOTICE: ("applicant", "owner"),
    S.SUSPENDED: ("bureau", "owner"),
    S.APPROVED: ("owner", "applicant"),
    S.AWAITING_ACCEPTANCE: ("owner",),
    S.CLOSED: ("applicant",),
    S.CANCELLED: ("applicant", "owner"),
}


def _notify_next(application: Application, reason: str) -> None:
    """Tell the units that act next (in the portal, and by e-mail once the step commits)."""
    owner = application.programme.owner_unit
    units = {
        "owner": owner,
        "applicant": application.submitted_by_unit,
        "bureau": owner.parent if owner.parent is not None else owner,
    }
    targets = {units[who].pk: units[who] for who in NEXT_ACTORS.get(S(application.status), ())}
    if not targets:
        return
    step = application.steps.order_by("-pk").values_list("pk", flat=True).first()
    notify(
        units=targets.values(), kind=NotificationKind.APPLICATION,
        title=_("%(title)s: %(status)s") % {"title": application.title, "status": S(application.status).label},
        body=reason, url=reverse("funds:application-detail", args=[application.pk]),
        key=f"application:{application.pk}:step:{step}",
    )  # fmt: skip


@transaction.atomic
def application_submit(
    *, actor: User | None, application: Application, comment: str = "", today: datetime.date | None = None
) -> Application:
    """Send the application in for the first review; an optional comment goes with the step."""
    application, before = _move(application, "submit", S.SUBMITTED, actor)
    today = today or timezone.localdate()
    programme = application.programme
    if programme.status != ProgrammeStatus.OPEN or not (programme.opens_on <= today <= programme.closes_on):
        raise ValidationError(
            _("%(programme)s takes applications from %(opens)s to %(closes)s.")
            % {"programme": programme, "opens": programme.opens_on, "closes": programme.closes_on}
        )
    application.status = S.SUBMITTED
    application.submitted_on = today
    return _save_step(application, before, actor, comment.strip(), "submitted_on")


@transaction.atomic
def application_review(*, actor: User | None, application: Application, outcome: str, reason: str = "") -> Application:
    """The division's first review (初审): pass to the experts, return for revision, or reject."""
    targets = {"pass": S.EXPERT_REVIEW, "return": S.RETURNED, "reject": S.REJECTED}
    if outcome not in targets:
        raise ValidationError({"outcome": _("The outcome is pass, return or reject.")})
    application, before = _move(application, "review", targets[outcome], actor, reason)
    application.status = targets[outcome]
    return _save_step(application, before, actor, reason)


@transaction.atomic
def application_assign_experts(*, actor: User | None, application: Application, experts: list[User]) -> Application:
    application, before = _move(application, "assign", S.EXPERT_REVIEW, actor)
    for expert in experts:
        if not permissions.has_role(expert, Role.EXPERT):
            raise ValidationError({"experts": _("%(user)s is not an expert reviewer.") % {"user": expert}})
        if ExpertReview.objects.filter(application=application, expert=expert).exists():
            continue
        ExpertReview.objects.create(application=application, expert=expert)
        # The grant is what lets the expert see this one application and no other.
        assign_perm("funds.view_application", expert, application)
    _record(
        application, before, before, actor, _("Experts assigned: %(names)s") % {"names": ", ".join(map(str, experts))}
    )
    return application


@transaction.atomic
def application_score(
    *, actor: User, application: Application, scores: dict[str, int], comment: str = ""
) -> Application:
    """An assigned expert scores; when every assigned expert (at least two) has, the application awaits decision."""
    application = _lock(application)
    review = ExpertReview.objects.select_for_update().filter(application=application, expert=actor).first()
    if review is None:
        raise PermissionDenied
    if application.status != S.EXPERT_REVIEW:
        raise ValidationError(_("This application is not with the experts."))
    rubric = {c["name"]: int(c["max"]) for c in application.programme.rubric}
    if set(scores) != set(rubric):
        raise ValidationError(
            {"scores": _("Score every criterion of the rubric: %(names)s.") % {"names": "、".join(rubric)}}
        )
    for name, value in scores.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= rubric[name]:
            raise ValidationError(
                {"scores": _("%(name)s takes 0 to %(max)s points.") % {"name": name, "max": rubric[name]}}
            )
    review.scores = scores
    review.total = Decimal(sum(scores.values()))
    review.comment = comment
    review.scored_at = timezone.now()
    review.save()
    reviews = list(application.reviews.all())
    if len(reviews) >= workflows.MIN_EXPERTS and all(r.scored_at for r in reviews):
        before = application.status
        application.score = _score_with_priorities(application, reviews)
        application.status = S.AWAITING_DECISION
        return _save_step(application, before, actor, "", "score")
    return application


def _score_with_priorities(application: Application, reviews: list[ExpertReview]) -> Decimal:
    """The experts' average plus the paper's priorities: small and micro firms, the middle of the chain."""
    average = expert_average(reviews)
    bonus = 0
    if application.enterprise.size_class in ("micro", "small"):
        bonus += application.programme.bonus_small_micro
    if application.enterprise.chain_segment == "middle":
        bonus += application.programme.bonus_middle
    return (average + bonus).quantize(Decimal("0.01"))


def priority_warnings(application: Application, amount_fen: int) -> list[str]:
    """Would committing `amount_fen` to this application push the year's priority shares below target?"""
    target = YearTarget.objects.filter(fiscal_year=application.programme.fiscal_year).first()
    if target is None:
        return []
    committed = (
        Application.objects.filter(programme__fiscal_year=target.fiscal_year, approved_fen__isnull=False)
        .exclude(status=S.CANCELLED)
        .select_related("enterprise")
    )
    total = small = middle = 0
    for other in committed:
        live = (other.approved_fen or 0) - other.released_fen
        total += live
        small += live if other.enterprise.size_class in ("micro", "small") else 0
        middle += live if other.enterprise.chain_segment == "middle" else 0
    total += amount_fen
    small += amount_fen if application.enterprise.size_class in ("micro", "small") else 0
    middle += amount_fen if application.enterprise.chain_segment == "middle" else 0
    warnings = []
    if total and small * 100 < target.small_micro_share * total:
        warnings.append(
            _(
                "Micro and small enterprises would have %(share).1f%% of this year's commitments, "
                "below the target of %(target)d%%."
            )
            % {"share": small * 100 / total, "target": target.small_micro_share}
        )
    if total and middle * 100 < target.middle_share * total:
        warnings.append(
            _(
                "The middle of the chain would have %(share).1f%% of this year's commitments, "
                "below the target of %(target)d%%."
            )
            % {"share": middle * 100 / total, "target": target.middle_share}
        )
    return warnings


@transaction.atomic
def application_decide(
    *,
    actor: User | None,
    application: Application,
    approve: bool,
    amount_fen: int | None = None,
    reason: str = "",
    today: datetime.date | None = None,
) -> Application:
    """The bureau's decision (局务会). Approving commits the money and opens the five-working-day public notice."""
    to_status = S.PUBLIC_NOTICE if approve else S.REJECTED
    application, before = _move(application, "decide", to_status, actor, reason)
    if approve:
        if amount_fen is None or amount_fen <= 0:
            raise ValidationError({"amount_fen": _("Give the amount approved.")})
        if amount_fen > application.requested_fen:
            raise ValidationError({"amount_fen": _("No more can be approved than was requested.")})
        programme = application.programme
        # The ledger refuses to take more than the budget holds, under a lock: no overspending.
        ledger.transfer_post(
            from_account=programme.budget_account, to_account=programme.commitments_account, amount_fen=amount_fen,
            kind=TransferKind.COMMITMENT, idempotency_key=f"application:{application.pk}:commit", actor=actor,
            reference=f"application:{application.pk}",
        )  # fmt: skip
        application.approved_fen = amount_fen
        application.notice_ends_on = workdays.add_workdays(
            today or timezone.localdate(), workflows.PUBLIC_NOTICE_WORKDAYS
        )
    application.status = to_status
    return _save_step(application, before, actor, reason, "approved_fen", "notice_ends_on")


@transaction.atomic
def application_object(*, actor: User | None, application: Application, raised_by: str, content: str) -> Objection:
    application, before = _move(application, "object", S.SUSPENDED, actor)
    if not content.strip():
        raise ValidationError({"content": _("Write down the objection.")})
    objection = Objection.objects.create(application=application, raised_by=raised_by, content=content)
    application.status = S.SUSPENDED
    _save_step(application, before, actor, content)
    return objection


@transaction.atomic
def application_resolve_objection(
    *, actor: User | None, application: Application, resolution: str, today: datetime.date | None = None
) -> Application:
    """The objection is answered and the approval stands: the public notice runs again in full."""
    application, before = _move(application, "resolve", S.PUBLIC_NOTICE, actor)
    if not resolution.strip():
        raise ValidationError({"resolution": _("Write down how the objection was resolved.")})
    application.objections.filter(resolved_at__isnull=True).update(resolution=resolution, resolved_at=timezone.now())
    application.status = S.PUBLIC_NOTICE
    application.notice_ends_on = workdays.add_workdays(today or timezone.localdate(), workflows.PUBLIC_NOTICE_WORKDAYS)
    return _save_step(application, before, actor, resolution, "notice_ends_on")


@transaction.atomic
def application_close_notice(
    *, actor: User | None, application: Application, today: datetime.date | None = None
) -> Application:
    application, before = _move(application, "close_notice", S.APPROVED, actor)
    today = today or timezone.localdate()
    if application.notice_ends_on is None or today < application.notice_ends_on:
        raise ValidationError(
            _("The public notice runs until %(day)s and has not ended yet.") % {"day": application.notice_ends_on}
        )
    application.status = S.APPROVED
    return _save_step(application, before, actor, "")


def notices_close_due(*, today: datetime.date | None = None) -> int:
    """Scheduled: approve every application whose public notice ended without objection."""
    today = today or timezone.localdate()
    due = Application.objects.filter(status=S.PUBLIC_NOTICE, notice_ends_on__lte=today).values_list("pk", flat=True)
    closed = 0
    for pk in due:
        try:
            application_close_notice(actor=None, application=Application(pk=pk), today=today)
        except ValidationError as exc:
            # Moved on since the list was read (an objection came in): its own step, not this run's failure.
            logger.info("public notice of application %s not closed: %s", pk, exc)
            continue
        closed += 1
    return closed


def disbursed_account(application: Application) -> Account:
    programme = application.programme
    return ledger.account_open(
        code=f"programme-{programme.code}-paid-{application.enterprise_id}",
        name=_("%(programme)s paid to %(enterprise)s")
        % {"programme": programme.name, "enterprise": application.enterprise},
        kind=AccountKind.DISBURSED, owner_unit=programme.owner_unit,
    )  # fmt: skip


@transaction.atomic
def application_disburse(
    *, actor: User | None, application: Application, amount_fen: int, tranche_key: str
) -> Application:
    """Pay a tranche out of the commitment. `tranche_key` makes a repeated request pay once."""
    application = _lock(application)
    key = f"application:{application.pk}:tranche:{tranche_key}"
    if LedgerTransfer.objects.filter(idempotency_key=key).exists():
        # Paid already, and the application may have moved on since: who asks is checked, and the ledger
        # answers the repeat with the first transfer or refuses another amount.
        _check_actor(actor, "disburse", application, workflows.roles_of("disburse"))
        _post_tranche(application, amount_fen, key, actor)
        return application
    remaining = application.remaining_commitment_fen
    to_status = S.AWAITING_ACCEPTANCE if amount_fen == remaining else S.APPROVED
    application, before = _move(application, "disburse", to_status, actor)
    if amount_fen <= 0 or amount_fen > remaining:
        raise ValidationError(
            {
                "amount_fen": _("A tranche is more than zero and at most the %(left)s yuan still committed.")
                % {"left": format_yuan(remaining)}
            }
        )
    _post_tranche(application, amount_fen, key, actor)
    application.disbursed_fen += amount_fen
    application.status = to_status
    return _save_step(application, before, actor, "", "disbursed_fen")


def _post_tranche(application: Application, amount_fen: int, key: str, actor: User | None) -> None:
    ledger.transfer_post(
        from_account=application.programme.commitments_account, to_account=disbursed_account(application),
        amount_fen=amount_fen, kind=TransferKind.DISBURSEMENT, idempotency_key=key, actor=actor,
        reference=f"application:{application.pk}",
    )  # fmt: skip


@transaction.atomic
def application_accept(*, actor: User | None, application: Application, reason: str = "") -> Application:
    """The acceptance check (验收) passed: the application is closed."""
    application, before = _move(application, "accept", S.CLOSED, actor, reason)
    application.status = S.CLOSED
    return _save_step(application, before, actor, reason)


@transaction.atomic
def application_withdraw(*, actor: User | None, application: Application, reason: str) -> Application:
    application, before = _move(application, "withdraw", S.WITHDRAWN, actor, reason)
    application.status = S.WITHDRAWN
    return _save_step(application, before, actor, reason)


@transaction.atomic
def application_cancel(*, actor: User | None, application: Application, reason: str) -> Application:
    """Call off an approval: what is committed and not yet paid goes back to the programme's budget."""
    application, before = _move(application, "cancel", S.CANCELLED, actor, reason)
    remaining = application.remaining_commitment_fen
    if remaining:
        ledger.transfer_post(
            from_account=application.programme.commitments_account, to_account=application.programme.budget_account,
            amount_fen=remaining, kind=TransferKind.RELEASE, idempotency_key=f"application:{application.pk}:release",
            actor=actor, reference=f"application:{application.pk}",
        )  # fmt: skip
        application.released_fen += remaining
    application.status = S.CANCELLED
    return _save_step(application, before, actor, reason, "released_fen")

"""The pooled fund's double-entry ledger; the programme and application workflow builds on it."""

from __future__ import annotations

import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.history import track
from core.models import TimeStampedModel

from .choices import AccountKind, ApplicationStatus, ProgrammeStatus, TransferKind


# Balances change with every transfer, and the immutable transfers are their history;
# the audit history records changes to the account itself (name, owner, rules).
@track(exclude=["balance_fen", "debits_fen", "credits_fen"])
class Account(TimeStampedModel):
    """A ledger account: a source, the pool, a programme's budget or commitments, or money disbursed.

    `balance_fen` is kept in step with the transfers (same transaction, row lock), so
    reading a balance never sums transfers; `ledger_check` proves it against them.
    """

    scope_unit_field = "owner_unit"

    code = models.CharField(_("code"), max_length=96, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    owner_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    allow_negative = models.BooleanField(_("may go negative"), default=False)
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0, editable=False)
    debits_fen = models.BigIntegerField(_("total out (fen)"), default=0, editable=False)
    credits_fen = models.BigIntegerField(_("total in (fen)"), default=0, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="account_no_forbidden_negative",
                condition=Q(allow_negative=True) | Q(balance_fen__gte=0),
                violation_error_message=_("This account may not go below zero."),
            ),
            models.CheckConstraint(
                name="account_balance_is_credits_less_debits",
                condition=Q(balance_fen=F("credits_fen") - F("debits_fen")),
                violation_error_message=_("An account's balance is what came in less what went out."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerTransfer(models.Model):
    """An immutable movement of a positive number of fen from one account to another.

    The database refuses UPDATE and DELETE (a trigger); a correction is a new transfer.
    Immutability is the audit trail, so pghistory does not track it twice.
    """

    scope_unit_field = ("from_account__owner_unit", "to_account__owner_unit")

    from_account = models.ForeignKey(
        Account, verbose_name=_("from account"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_account = models.ForeignKey(
        Account, verbose_name=_("to account"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    kind = models.CharField(_("kind"), max_length=32, choices=TransferKind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, unique=True)
    reference = models.CharField(
        _("reference"), max_length=128, blank=True, help_text=_("What caused it, e.g. application:42.")
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    actor = models.ForeignKey(
        "bureau.User", verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transfer")
        verbose_name_plural = _("ledger transfers")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["reference"], name="ledger_transfer_reference")]
        constraints = [
            models.CheckConstraint(
                name="ledger_transfer_amount_positive",
                condition=Q(amount_fen__gt=0),
                violation_error_message=_("A transfer moves a positive amount."),
            ),
            models.CheckConstraint(
                name="ledger_transfer_between_two_accounts",
                condition=~Q(from_account=F("to_account")),
                violation_error_message=_("A transfer moves money between two different accounts."),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="ledger_transfer_immutable", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen} fen: {self.from_account_id} → {self.to_account_id}"


@track()
class FundSource(TimeStampedModel):
    """A department's budget line for a year that contributes to the pool (资金来源)."""

    scope_unit_field = "department"

    department = models.ForeignKey(
        "bureau.Unit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="fund_sources"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    name = models.CharField(_("budget line"), max_length=200)
    pledged_fen = models.BigIntegerField(_("pledged (fen)"))
    account = models.OneToOneField(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("fund source")
        verbose_name_plural = _("fund sources")
        ordering = ["-fiscal_year", "department", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "name"],
                name="fund_source_unique_line",
                violation_error_message=_("This department already has a budget line of that name for that year."),
            ),
            models.CheckConstraint(
                name="fund_source_pledge_positive",
                condition=Q(pledged_fen__gt=0),
                violation_error_message=_("A pledge is a positive amount."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.fiscal_year} {self.name}"


@track()
class Programme(TimeStampedModel):
    """A support programme of one fiscal year, governed by a policy, with its budget and rules."""

    scope_unit_field = "owner_unit"
    # A programme is a public call for applications: every role that reads programmes reads them all.
    scope_public_read = True

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    policy = models.ForeignKey(
        "policies.Policy", verbose_name=_("governing policy"), on_delete=models.PROTECT, related_name="programmes"
    )
    owner_unit = models.ForeignKey(
        "bureau.Unit",
        verbose_name=_("managing division"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    segments = ArrayField(
        models.CharField(max_length=16), verbose_name=_("eligible chain segments"), default=list, blank=True
    )
    fields = ArrayField(models.CharField(max_length=64), verbose_name=_("eligible fields"), default=list, blank=True)
    max_grant_fen = models.BigIntegerField(_("largest grant (fen)"), null=True, blank=True)
    bonus_small_micro = models.PositiveSmallIntegerField(_("bonus for micro and small enterprises"), default=5)
    bonus_middle = models.PositiveSmallIntegerField(_("bonus for the middle of the chain"), default=5)
    # [{"name": "技术创新", "max": 40}, ...]: what experts score, and the most each criterion gives.
    rubric = models.JSONField(_("scoring rubric"), default=list)
    budget_account = models.OneToOneField(
        Account, verbose_name=_("budget account"), on_delete=models.PROTECT, related_name="+"
    )
    commitments_account = models.OneToOneField(
        Account, verbose_name=_("commitments account"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-fiscal_year", "code"]
        constraints = [
            models.CheckConstraint(
                name="programme_window_in_order",
                condition=Q(closes_on__gte=F("opens_on")),
                violation_error_message=_("Applications cannot close before they open."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@track()
class YearTarget(TimeStampedModel):
    """The paper's priorities for a year: the share of committed money meant for micro/small firms and the middle."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    small_micro_share = models.PositiveSmallIntegerField(_("target share for micro and small enterprises (%)"))
    middle_share = models.PositiveSmallIntegerField(_("target share for the middle of the chain (%)"))

    class Meta:
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                name="year_target_shares_are_percentages",
                condition=Q(small_micro_share__lte=100, middle_share__lte=100),
                violation_error_message=_("A share is a percentage from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.fiscal_year)


@track()
class Application(TimeStampedModel):
    """An enterprise's application to a programme, through review, decision, notice, payment and acceptance."""

    # The programme's managing division and the department that submitted it both see it.
    scope_unit_field = ("programme__owner_unit", "submitted_by_unit")
    # An expert sees exactly the applications assigned to them (a guardian grant).
    object_grants = True

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        "datacenter.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="fund_applications",
    )
    title = models.CharField(_("project title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    requested_fen = models.BigIntegerField(_("requested (fen)"))
    approved_fen = models.BigIntegerField(_("approved (fen)"), null=True, blank=True)
    disbursed_fen = models.BigIntegerField(_("disbursed (fen)"), default=0, editable=False)
    released_fen = models.BigIntegerField(_("released (fen)"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, editable=False)
    notice_ends_on = models.DateField(_("public notice ends"), null=True, blank=True, editable=False)
    submitted_by_unit = models.ForeignKey(
        "bureau.Unit",
        verbose_name=pgettext_lazy("fund", "submitted by"),
        on_delete=models.PROTECT,
        related_name="fund_applications",
    )
    created_by = models.ForeignKey(
        "bureau.User", verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="application_request_positive",
                condition=Q(requested_fen__gt=0),
                violation_error_message=_("The amount requested must be more than zero."),
            ),
            models.CheckConstraint(
                name="application_approved_within_request",
                condition=Q(approved_fen__isnull=True) | Q(approved_fen__gt=0, approved_fen__lte=F("requested_fen")),
                violation_error_message=_("The amount approved must be more than zero and no more than requested."),
            ),
            models.CheckConstraint(
                name="application_paid_within_approval",
                condition=Q(disbursed_fen__gte=0, released_fen__gte=0)
                & (
                    Q(approved_fen__isnull=True, disbursed_fen=0)
                    | Q(disbursed_fen__lte=F("approved_fen") - F("released_fen"))
                ),
                violation_error_message=_("No more can be paid than was approved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.enterprise_id})"

    @property
    def remaining_commitment_fen(self) -> int:
        """Approved money neither paid nor released."""
        if self.approved_fen is None:
            return 0
        return self.approved_fen - self.disbursed_fen - self.released_fen


class ApplicationUserObjectPermission(UserObjectPermissionBase):
    """Grants on single applications to users (experts), with a real foreign key."""

    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)


class ApplicationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)


class ApplicationStep(models.Model):
    """One move of an application: from, to, who, when and why. Append-only."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(_("from status"), max_length=24, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=24, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        "bureau.User", verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '-'} → {self.to_status}"

    @property
    def label(self) -> str:
        """What the step was (experts assigned, a tranche paid...), for the timeline."""
        from .workflows import step_label

        return step_label(self.from_status, self.to_status)


@track()
class ExpertReview(TimeStampedModel):
    """An expert assigned to score one application on the programme's rubric."""

    scope_unit_field = "application__programme__owner_unit"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="reviews"
    )
    expert = models.ForeignKey(
        "bureau.User", verbose_name=_("expert"), on_delete=models.PROTECT, related_name="fund_reviews"
    )
    scores = models.JSONField(_("scores by criterion"), default=dict, blank=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(pgettext_lazy("fund", "comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expert review")
        verbose_name_plural = _("expert reviews")
        ordering = ["application", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"],
                name="expert_review_once_per_expert",
                violation_error_message=_("This expert is already assigned to this application."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.application_id}"


@track()
class Objection(TimeStampedModel):
    """An objection raised during an application's public notice; it suspends the notice until resolved."""

    scope_unit_field = "application__programme__owner_unit"

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="objections"
    )
    raised_by = models.CharField(_("raised by"), max_length=200)
    content = models.TextField(_("objection"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.raised_by}"

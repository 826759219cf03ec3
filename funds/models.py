"""The pooled fund's double-entry ledger; the programme and application workflow builds on it."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history import track
from core.models import TimeStampedModel

from .choices import AccountKind, TransferKind


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

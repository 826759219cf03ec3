"""Posting to the ledger and checking it. The only code that changes account balances.

Every transfer locks both accounts (SELECT ... FOR UPDATE, lower primary key first, so
two transfers over the same pair can never deadlock), refuses a forbidden negative,
moves the balances and inserts the transfer in one transaction. A repeated
idempotency key returns the transfer first posted with it and posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from bureau.models import Unit, User

from .choices import AccountKind
from .models import Account, LedgerTransfer


class IdempotencyConflict(ValidationError):
    """The key was used before for a different transfer."""


def account_open(*, code: str, name: str, kind: str, owner_unit: Unit, allow_negative: bool | None = None) -> Account:
    """Open an account, or return the one with this code. Only source accounts may go negative by default."""
    if allow_negative is None:
        allow_negative = kind == AccountKind.SOURCE
    account, _created = Account.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "owner_unit": owner_unit, "allow_negative": allow_negative}
    )
    return account


@transaction.atomic
def transfer_post(
    *,
    from_account: Account,
    to_account: Account,
    amount_fen: int,
    kind: str,
    idempotency_key: str,
    actor: User | None,
    reference: str = "",
    memo: str = "",
) -> LedgerTransfer:
    """Move `amount_fen` from one account to another, exactly once per idempotency key."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise ValidationError({"amount_fen": _("A transfer moves a positive whole number of fen.")})
    if from_account.pk == to_account.pk:
        raise ValidationError(_("A transfer moves money between two different accounts."))
    if not idempotency_key:
        raise ValidationError({"idempotency_key": _("Every transfer needs an idempotency key.")})

    # One round trip: funds_ledger_post() (migration 0003) locks both accounts in key order,
    # so a concurrent request with the same key waits and then finds the first one's transfer.
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT transfer_id, posted_at, replayed FROM funds_ledger_post(%s, %s, %s, %s, %s, %s, %s, %s)",
                [from_account.pk, to_account.pk, amount_fen, kind, idempotency_key, reference, memo,
                 actor.pk if actor is not None else None],
            )  # fmt: skip
            row = cursor.fetchone()
    except DatabaseError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        hint = getattr(diag, "message_hint", None)
        if hint == "idempotency_conflict":
            raise IdempotencyConflict(_("This idempotency key was already used for a different transfer.")) from exc
        if hint == "insufficient":
            # The transaction is aborted now: the balance comes with the error, not from a new query.
            raise ValidationError(
                _("%(account)s holds %(balance)s fen; %(amount)s fen cannot be taken from it.")
                % {"account": from_account, "balance": getattr(diag, "message_detail", "?"), "amount": amount_fen}
            ) from exc
        raise
    assert row is not None
    transfer_id, posted_at, replayed = row
    if replayed:
        return LedgerTransfer.objects.get(pk=transfer_id)
    return LedgerTransfer(
        pk=transfer_id, from_account_id=from_account.pk, to_account_id=to_account.pk, amount_fen=amount_fen,
        kind=kind, idempotency_key=idempotency_key, reference=reference, memo=memo, actor=actor, created_at=posted_at,
    )  # fmt: skip


@dataclass(frozen=True)
class LedgerProblem:
    account: str
    problem: str


def ledger_check() -> list[LedgerProblem]:
    """Recompute every balance from the transfers; report each account that disagrees.

    Checks: every account's balance, debits and credits equal the sums of its transfers;
    no account that forbids it is negative; total debits equal total credits.
    """

    def summed(side: str) -> Any:
        of_account = LedgerTransfer.objects.filter(**{side: OuterRef("pk")}).values(side)
        return Coalesce(Subquery(of_account.annotate(s=Sum("amount_fen")).values("s")), 0)

    # One statement, so one snapshot: a transfer posted while the check runs cannot make the balances and
    # the sums of transfers, read apart, disagree (a false alarm e-mailed at night).
    accounts = Account.objects.annotate(out_fen=summed("from_account"), in_fen=summed("to_account")).order_by("code")
    problems: list[LedgerProblem] = []
    total_debits = total_credits = 0
    for account in accounts:
        debits, credits = account.out_fen, account.in_fen
        total_debits += account.debits_fen
        total_credits += account.credits_fen
        if (account.debits_fen, account.credits_fen) != (debits, credits) or account.balance_fen != credits - debits:
            problems.append(
                LedgerProblem(
                    account.code,
                    f"balance {account.balance_fen} (out {account.debits_fen}, in {account.credits_fen}) but the "
                    f"transfers give {credits - debits} (out {debits}, in {credits})",
                )
            )
        if not account.allow_negative and account.balance_fen < 0:
            problems.append(LedgerProblem(account.code, f"negative balance {account.balance_fen} where forbidden"))
    if total_debits != total_credits:
        problems.append(LedgerProblem("*", f"total out {total_debits} differs from total in {total_credits}"))
    return problems

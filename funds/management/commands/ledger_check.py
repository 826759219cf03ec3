"""Prove the ledger: every balance recomputed from the transfers, totals in balance, no forbidden negative."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from funds.ledger import ledger_check
from funds.models import Account, LedgerTransfer


class Command(BaseCommand):
    help = "Recompute every ledger balance from the transfers; exit non-zero naming the accounts on any mismatch."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_check()
        for problem in problems:
            self.stderr.write(f"{problem.account}: {problem.problem}")
        if problems:
            raise CommandError(f"ledger check failed: {len(problems)} problem(s)")
        self.stdout.write(
            f"ledger check passed: {Account.objects.count()} accounts, {LedgerTransfer.objects.count()} transfers"
        )

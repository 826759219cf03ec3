"""Scheduled work of the fund: thin tasks that call the ledger and services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.mail import mail_admins

from .ledger import ledger_check

logger = logging.getLogger(__name__)


@shared_task(name="funds.ledger_check_nightly")
def ledger_check_nightly() -> int:
    """Run the ledger check; on any problem, log it and e-mail the administrators. Returns the problem count."""
    problems = ledger_check()
    if problems:
        lines = [f"{p.account}: {p.problem}" for p in problems]
        logger.error("ledger check failed", extra={"problems": lines})
        mail_admins("Ledger check failed", "\n".join(lines))
    return len(problems)


@shared_task(name="funds.close_due_notices")
def close_due_notices() -> int:
    """Approve the applications whose five-working-day public notice has ended without objection."""
    from .services import notices_close_due

    return notices_close_due()

"""Concurrent approvals against real PostgreSQL: the budget is never overspent."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from funds import services
from funds.choices import ApplicationStatus as S
from funds.ledger import ledger_check
from funds.models import Application, LedgerTransfer
from tests.funds.conftest import new_application, programme_balance, to_decision

pytestmark = pytest.mark.django_db(transaction=True)


def test_sixteen_concurrent_approvals_never_commit_more_than_the_budget(fund):
    applications = [to_decision(fund, new_application(fund, n=i)) for i in range(16)]
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def approve(application):
        try:
            barrier.wait()
            services.application_decide(
                actor=fund["leader"], application=application, approve=True, amount_fen=150_000_00,
                today=datetime.date(2026, 4, 1),
            )  # fmt: skip
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("approved") == 6  # 6 x 150,000 fit in the 1,000,000 budget; the 7th does not
    assert outcomes.count("refused") == 10
    assert Application.objects.filter(status=S.PUBLIC_NOTICE).count() == 6
    assert Application.objects.filter(status=S.AWAITING_DECISION).count() == 10
    assert programme_balance(fund["programme"]) == (100_000_00, 900_000_00)
    assert LedgerTransfer.objects.filter(kind="commitment").count() == 6
    assert ledger_check() == []

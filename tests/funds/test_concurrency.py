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


def test_the_nightly_close_skips_a_notice_objected_to_while_it_runs_and_closes_the_rest(fund):
    """An objection commits while the job waits on that application's lock: the job moves on."""
    from django.db import transaction

    from tests.db_waits import until_another_session_waits_on_a_lock

    due = []
    for n in (50, 51):
        application = to_decision(fund, new_application(fund, n=n))
        services.application_decide(
            actor=fund["leader"], application=application, approve=True, amount_fen=100_000_00,
            today=datetime.date(2026, 4, 1),
        )  # fmt: skip
        due.append(application)
    first = min(due, key=lambda a: a.pk)
    locked, errors, waited = threading.Event(), [], []

    def object_meanwhile():
        try:
            with transaction.atomic():
                Application.objects.select_for_update().get(pk=first.pk)
                locked.set()
                waited.append(until_another_session_waits_on_a_lock())  # the job has read its list, waits here
                services.application_object(
                    actor=fund["staff"], application=first, raised_by="某企业", content="公示期内收到异议"
                )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    objector = threading.Thread(target=object_meanwhile)
    objector.start()
    assert locked.wait(10)
    closed = services.notices_close_due(today=datetime.date(2026, 12, 31))
    objector.join()
    assert (errors, waited) == ([], [True])
    assert closed == 1
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in due]).values_list("pk", "status"))
    assert statuses == {first.pk: S.SUSPENDED, max(a.pk for a in due): S.APPROVED}


def test_two_first_applications_of_one_enterprise_at_once_share_its_record(fund):
    from datacenter.models import Enterprise
    from tests.datacenter.factories import credit_code

    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def apply(n):
        try:
            barrier.wait()
            services.application_create(
                actor=fund["staff"], programme=fund["programme"], credit_code=credit_code(77),
                enterprise_name="同时申请的企业", title=f"项目{n}", requested_fen=100_00,
            )  # fmt: skip
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Enterprise.objects.filter(credit_code=credit_code(77)).count() == 1
    assert Application.objects.filter(enterprise_id=credit_code(77)).count() == 2

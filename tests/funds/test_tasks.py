import uuid

import pytest
from django.core import mail
from django.test import override_settings

from funds.choices import AccountKind, TransferKind
from funds.ledger import transfer_post
from funds.models import Account
from funds.tasks import ledger_check_nightly
from tests.funds.factories import account

pytestmark = pytest.mark.django_db


@override_settings(
    ADMINS=[("IT office", "it@example.gov.cn")], EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
)
def test_nightly_ledger_check_alerts_the_admins_only_when_something_is_wrong():
    a, b = account(AccountKind.SOURCE), account()
    transfer_post(
        from_account=a,
        to_account=b,
        amount_fen=100,
        kind=TransferKind.ALLOCATION,
        idempotency_key=uuid.uuid4().hex,
        actor=None,
    )
    assert ledger_check_nightly() == 0
    assert mail.outbox == []

    Account.objects.filter(pk=b.pk).update(balance_fen=99, credits_fen=99)
    assert ledger_check_nightly() == 2
    assert len(mail.outbox) == 1
    assert "Ledger check failed" in mail.outbox[0].subject
    assert b.code in mail.outbox[0].body


def test_the_nightly_check_is_on_the_beat_schedule():
    from django.conf import settings

    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "funds.ledger_check_nightly" in entries


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_worker_approves_applications_whose_notice_has_ended(fund, celery_worker):
    import datetime

    from funds import services
    from funds.choices import ApplicationStatus as S
    from funds.tasks import close_due_notices
    from tests.funds.conftest import new_application, to_decision

    application = to_decision(fund, new_application(fund))
    services.application_decide(
        actor=fund["leader"], application=application, approve=True, amount_fen=100_000_00,
        today=datetime.date(2026, 4, 1),
    )  # fmt: skip
    assert close_due_notices.delay().get(timeout=60) == 1  # "today" (2026-11-28) is long past 9 April
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert close_due_notices.delay().get(timeout=60) == 0

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

import datetime

import pytest

from policies.choices import PolicyStatus
from policies.models import Policy, PolicyStep
from policies.tasks import expire_due
from tests.policies import factories

pytestmark = pytest.mark.django_db


def test_expiry_task_expires_due_policies_and_is_idempotent(staff):
    due = factories.published(actor=staff, expires_on=datetime.date(2015, 12, 31))
    later = factories.published(actor=staff, expires_on=datetime.date(2099, 12, 31))
    assert expire_due.apply().get() == [due.pk]
    assert expire_due.apply().get() == []
    assert Policy.objects.get(pk=due.pk).status == PolicyStatus.EXPIRED
    assert Policy.objects.get(pk=later.pk).status == PolicyStatus.PUBLISHED
    step = PolicyStep.objects.filter(policy=due).last()
    assert (step.to_status, step.actor) == (PolicyStatus.EXPIRED, None)

import pytest

from bureau import demo as bureau_demo
from policies import demo
from policies.choices import ChainSegment, PolicyStatus, PolicyTier
from policies.models import LegacyPolicy, Policy, PolicyStep

pytestmark = pytest.mark.django_db


def test_seed_builds_a_1_plus_x_system_and_is_idempotent():
    bureau_demo.seed()
    demo.seed()
    counts = (Policy.objects.count(), LegacyPolicy.objects.count(), PolicyStep.objects.count())
    demo.seed()
    assert (Policy.objects.count(), LegacyPolicy.objects.count(), PolicyStep.objects.count()) == counts

    master = Policy.objects.get(tier=PolicyTier.MASTER)
    subs = Policy.objects.filter(master=master, status=PolicyStatus.PUBLISHED)
    assert subs.count() >= 12
    covered = {seg for p in subs for seg in p.segments}
    assert covered == {ChainSegment.FRONT, ChainSegment.MIDDLE, ChainSegment.END}
    assert Policy.objects.filter(status=PolicyStatus.AMENDED).count() == 1
    assert Policy.objects.filter(status=PolicyStatus.DRAFT).exists()
    assert LegacyPolicy.objects.count() >= 6
    assert set(LegacyPolicy.objects.values_list("disposition", flat=True)) == {"merged", "superseded", "repealed"}
    assert master.interpretations.exists()

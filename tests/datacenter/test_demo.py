import time

import pytest

from datacenter import demo
from datacenter.models import DataSet, Enterprise, IndicatorValue, IngestionJob, Record

pytestmark = pytest.mark.django_db


def test_the_demo_loads_four_departments_data_once(django_db_blocker):
    from bureau import demo as bureau_demo

    bureau_demo.seed()
    started = time.monotonic()
    demo.seed()
    assert time.monotonic() - started < 20
    counts = dict(DataSet.objects.values_list("code", "record_count"))
    assert counts == {"ecommerce-stores": 3600, "software-enterprises": 2000, "manufacturing-enterprises": 3000,
                      "internet-finance-platforms": 1200}  # fmt: skip
    assert not IngestionJob.objects.exclude(status="succeeded").exists()
    assert IndicatorValue.objects.filter(indicator__code="online-retail-sales", county="").count() == 6
    assert Enterprise.objects.filter(size_class="").count() < Enterprise.objects.count()
    before = (Record.objects.count(), IngestionJob.objects.count(), Enterprise.objects.count())
    demo.seed()
    assert (Record.objects.count(), IngestionJob.objects.count(), Enterprise.objects.count()) == before

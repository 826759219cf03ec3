import time

import pytest

from bureau.models import User
from datacenter import demo
from datacenter.models import DataSet, Enterprise, IndicatorValue, IngestionJob
from tests.datacenter.factories import records

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
    before = (len(records()), IngestionJob.objects.count(), Enterprise.objects.count())
    demo.seed()
    assert (len(records()), IngestionJob.objects.count(), Enterprise.objects.count()) == before


def test_the_demo_pages_open_for_the_center(client):
    from bureau import demo as bureau_demo

    bureau_demo.seed()
    demo.seed()
    center = User.objects.get(username="center")
    assert center.check_password(bureau_demo.demo_password())
    client.force_login(center)
    stores = DataSet.objects.get(code="ecommerce-stores")
    for url in ["/datacenter/", f"/datacenter/datasets/{stores.pk}/", f"/datacenter/datasets/{stores.pk}/records/",
                "/datacenter/jobs/", "/datacenter/enterprises/", "/datacenter/indicators/",
                f"/datacenter/enterprises/{records(stores)[0].enterprise}/"]:  # fmt: skip
        assert client.get(url).status_code == 200, url
    software = DataSet.objects.get(code="software-enterprises")
    shared = sorted({r.enterprise for r in records(software)} & {r.enterprise for r in records(stores)})[0]
    page = client.get(f"/datacenter/enterprises/{shared}/").content.decode()
    assert "不一致" in page  # the name differs between the two departments
    assert "网络零售额" in client.get("/datacenter/indicators/").content.decode()

import pytest

from datacenter.models import Enterprise, Record
from tests.datacenter.factories import city_with_center, csv_bytes, load, make_dataset, row

pytestmark = pytest.mark.django_db


def test_a_file_loads():
    units = city_with_center()
    ds = make_dataset(units["commerce"])
    job = load(ds, csv_bytes([row(i) for i in range(5)]))
    print(job.error, list(job.errors.values_list("line", "field", "reason")))
    assert job.status == "succeeded", job.error
    assert Record.objects.count() == 5
    assert Enterprise.objects.count() == 5
    print(Record.objects.first().payload, Enterprise.objects.values().first())

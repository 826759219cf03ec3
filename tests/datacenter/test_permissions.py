"""Who sees and loads which data sets."""

import pytest
from django.core.exceptions import PermissionDenied

from bureau.roles import Role
from datacenter import selectors, services
from tests.bureau.factories import UserFactory
from tests.datacenter.factories import center_staff, city_with_center, csv_bytes, make_dataset, row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    units = city_with_center()
    return {
        **units,
        "stores": make_dataset(units["commerce"], "stores"),
        "secret": make_dataset(units["commerce"], "secret", sensitivity="sensitive"),
        "software": make_dataset(units["eitc"], "software"),
        "commerce_api": UserFactory(roles=[Role.API_CLIENT], unit=units["commerce"]),
        "eitc_api": UserFactory(roles=[Role.API_CLIENT], unit=units["eitc"]),
    }


def codes(user):
    return set(selectors.dataset_list(user=user).values_list("code", flat=True))


def test_a_department_sees_only_its_own_data_sets(world):
    assert codes(world["commerce_api"]) == {"stores", "secret"}
    assert codes(world["eitc_api"]) == {"software"}


def test_sensitive_data_sets_are_for_the_owner_and_the_center_only(world):
    assert "secret" in codes(center_staff(world))
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    assert codes(bureau_staff) == {"stores", "software"}
    leader = UserFactory(roles=[Role.LEADER], unit=world["bureau"])
    assert "secret" not in codes(leader)


def test_a_sensitive_data_set_can_be_shared_with_one_unit(world):
    eitc_staff = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["eitc"])
    assert "secret" not in codes(eitc_staff)
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=center_staff(world))
    assert "secret" in codes(eitc_staff)
    assert "secret" not in codes(UserFactory(roles=[Role.DIVISION_STAFF], unit=world["county"]))


def test_a_department_uploads_only_to_its_own_data_sets(world):
    job = upload(world["stores"], csv_bytes([row(1)]), actor=world["commerce_api"])
    assert job.created_by == world["commerce_api"]
    with pytest.raises(PermissionDenied):
        upload(world["stores"], csv_bytes([row(1)]), actor=world["eitc_api"])


def test_only_the_center_registers_data_sets(world):
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    with pytest.raises(PermissionDenied):
        make_dataset_as(world, bureau_staff)
    assert make_dataset_as(world, center_staff(world)).code == "new"


def make_dataset_as(world, actor):
    return services.dataset_create(owner_unit=world["commerce"], code="new", name="新数据集", frequency="daily",
                                   fields=[{"name": "k", "type": "text"}], natural_key=["k"], actor=actor)  # fmt: skip


def test_records_follow_the_data_set_rules(world):
    from tests.datacenter.factories import load

    load(world["secret"], csv_bytes([row(1)]))
    assert selectors.record_list(user=world["commerce_api"], dataset=world["secret"]).count() == 1
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    assert selectors.record_list(user=bureau_staff, dataset=world["secret"]).count() == 0


def test_the_jobs_filter_offers_only_the_data_sets_the_caller_sees(world):
    from rest_framework.test import APIClient

    leader = UserFactory(roles=[Role.LEADER], unit=world["bureau"])  # reads every job, not a sensitive data set
    client = APIClient()
    client.force_authenticate(leader)
    html = client.get("/api/v1/ingestion-jobs/", HTTP_ACCEPT="text/html").content.decode()
    assert 'name="dataset"' in html
    assert f'value="{world["stores"].pk}"' in html
    assert f'value="{world["secret"].pk}"' not in html

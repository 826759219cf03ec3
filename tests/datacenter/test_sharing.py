"""Sharing a sensitive data set with one more unit: the service, the page, the API and who then sees what."""

import pghistory
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from bureau.choices import UnitKind
from bureau.roles import Role
from datacenter import selectors, services
from datacenter.models import DataSetShare
from tests.bureau.factories import UnitFactory, UserFactory
from tests.datacenter.factories import center_staff, city_with_center, csv_bytes, load, make_dataset, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    units = city_with_center()
    secret = make_dataset(units["commerce"], "secret", sensitivity="sensitive", name="网络借贷平台")
    load(secret, csv_bytes([row(1), row(2)]))
    eitc_division = UnitFactory(code="eitc-software", kind=UnitKind.DEPARTMENT_DIVISION, parent=units["eitc"])
    return {
        **units,
        "secret": secret,
        "staff": center_staff(units),
        "eitc_division": eitc_division,
        "eitc_user": UserFactory(roles=[Role.DIVISION_STAFF], unit=units["eitc"]),
        "division_user": UserFactory(roles=[Role.DIVISION_STAFF], unit=eitc_division),
        "owner_user": UserFactory(roles=[Role.DIVISION_STAFF], unit=units["commerce"]),
    }


def share_events():
    return apps.get_model("datacenter", "DataSetShareEvent").objects.order_by("pgh_id")


def test_a_shared_units_people_read_the_records_only_while_it_is_shared(world, client):
    secret, eitc_user = world["secret"], world["eitc_user"]
    client.force_login(eitc_user)
    records_page = f"/datacenter/datasets/{secret.pk}/records/"
    assert selectors.record_list(user=eitc_user, dataset=secret).count() == 0
    assert client.get(records_page).status_code == 404

    services.dataset_share(dataset=secret, unit=world["eitc"], actor=world["staff"])
    assert selectors.record_list(user=eitc_user, dataset=secret).count() == 2
    assert selectors.record_list(user=world["division_user"], dataset=secret).count() == 2  # the unit below it too
    assert client.get(records_page).status_code == 200
    assert "secret" in selectors.dataset_list(user=eitc_user).values_list("code", flat=True)
    # Reading only: the shared unit neither uploads to it nor changes it.
    assert not selectors.dataset_list(user=eitc_user, action="change").filter(pk=secret.pk).exists()
    county_user = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["county"])
    assert selectors.record_list(user=county_user, dataset=secret).count() == 0

    services.dataset_unshare(dataset=secret, unit=world["eitc"], actor=world["staff"])
    assert selectors.record_list(user=eitc_user, dataset=secret).count() == 0
    assert client.get(records_page).status_code == 404


def test_sharing_and_revoking_are_kept_in_the_history_with_who_did_it(world):
    with pghistory.context(user=world["staff"].pk):
        services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
        services.dataset_unshare(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    events = list(share_events())
    assert [e.pgh_label for e in events] == ["insert", "delete"]
    assert all(e.pgh_context.metadata["user"] == world["staff"].pk for e in events)
    assert events[0].unit_id == world["eitc"].pk
    assert events[0].shared_by_id == world["staff"].pk


def test_only_the_center_shares_and_revokes(world):
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    for actor in (world["owner_user"], bureau_staff):
        with pytest.raises(PermissionDenied):
            services.dataset_share(dataset=world["secret"], unit=world["county"], actor=actor)
        with pytest.raises(PermissionDenied):
            services.dataset_unshare(dataset=world["secret"], unit=world["eitc"], actor=actor)
    assert list(DataSetShare.objects.values_list("unit__code", flat=True)) == ["eitc"]


@pytest.mark.parametrize("target", ["commerce", "center", "city", "twice", "below_a_share", "association"])
def test_a_share_goes_only_to_a_unit_that_does_not_read_it_already(world, target):
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    unit = {
        "twice": world["eitc"],
        "below_a_share": world["eitc_division"],
        "association": UnitFactory(code="assoc", kind=UnitKind.ASSOCIATION, parent=world["city"]),
    }.get(target) or world[target]
    with pytest.raises(ValidationError) as caught:
        services.dataset_share(dataset=world["secret"], unit=unit, actor=world["staff"])
    assert "unit" in caught.value.message_dict
    assert DataSetShare.objects.count() == 1


def test_only_a_sensitive_data_set_is_shared(world):
    stores = make_dataset(world["commerce"], "stores")
    with pytest.raises(ValidationError, match="sensitive"):
        services.dataset_share(dataset=stores, unit=world["eitc"], actor=world["staff"])


def test_revoking_a_share_that_does_not_exist_is_an_error(world):
    with pytest.raises(ValidationError):
        services.dataset_unshare(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])


def test_the_unit_picker_offers_only_sensible_units(world):
    UnitFactory(code="assoc", kind=UnitKind.ASSOCIATION, parent=world["city"])
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    codes = set(selectors.share_candidates(dataset=world["secret"]).values_list("code", flat=True))
    assert codes == {"bureau", "lucheng"}


def test_center_staff_share_and_revoke_on_the_page(world, client):
    client.force_login(world["staff"])
    page = f"/datacenter/datasets/{world['secret'].pk}/sharing/"
    response = client.get(page)
    assert response.status_code == 200
    assert "没有与其他单位共享" in response.content.decode()

    response = client.post(page, {"unit": world["eitc"].pk})
    assert response.status_code == 302
    assert "经信委" in client.get(page).content.decode()
    share = DataSetShare.objects.get()
    assert share.shared_by == world["staff"]
    # The event records the signed-in user through the request's context.
    assert share_events().get().pgh_context.metadata["user"] == world["staff"].pk

    revoke = f"{page}{world['eitc'].pk}/revoke/"
    confirmation = client.get(revoke)
    assert confirmation.status_code == 200
    assert "将不再能看到" in confirmation.content.decode()
    assert DataSetShare.objects.exists()  # asking changes nothing
    assert client.post(revoke).status_code == 302
    assert not DataSetShare.objects.exists()
    assert [e.pgh_label for e in share_events()] == ["insert", "delete"]


def test_a_bad_share_shows_on_the_form_and_saves_nothing(world, client):
    client.force_login(world["staff"])
    response = client.post(f"/datacenter/datasets/{world['secret'].pk}/sharing/", {"unit": world["commerce"].pk})
    assert response.status_code == 200
    assert "该选择不在可用的选项中" in response.content.decode()  # the owner is not among the choices
    assert not DataSetShare.objects.exists()


def test_only_center_staff_reach_the_sharing_pages(world, client):
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    page = f"/datacenter/datasets/{world['secret'].pk}/sharing/"
    revoke = f"{page}{world['eitc'].pk}/revoke/"
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    for user in (world["owner_user"], world["eitc_user"], bureau_staff):
        client.force_login(user)
        assert client.get(page).status_code in (403, 404)
        assert client.post(page, {"unit": world["county"].pk}).status_code in (403, 404)
        assert client.post(revoke).status_code in (403, 404)
    assert list(DataSetShare.objects.values_list("unit__code", flat=True)) == ["eitc"]


def test_the_sharing_page_lists_shares_in_constant_queries(world, client, django_assert_max_num_queries):
    for i in range(6):
        unit = UnitFactory(code=f"dept{i}", kind=UnitKind.DEPARTMENT, parent=world["city"])
        services.dataset_share(dataset=world["secret"], unit=unit, actor=world["staff"])
    client.force_login(world["staff"])
    # As many with six shares as with one; the two-factor middleware's read of the session's device included.
    with django_assert_max_num_queries(21):
        response = client.get(f"/datacenter/datasets/{world['secret'].pk}/sharing/")
    assert response.content.decode().count("/revoke/") == 6


def test_the_api_lists_shares_and_revokes(world, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(world["staff"])
    url = f"/api/v1/datasets/{world['secret'].pk}/shares/"
    response = api.post(url, {"unit": world["eitc"].pk}, format="json")
    assert response.status_code == 201
    assert response.json()["unit_name"] == "经信委"
    assert api.post(url, {"unit": world["eitc"].pk}, format="json").status_code == 400
    with django_assert_max_num_queries(13):  # a paginated list: the count, then the page
        listed = api.get(url).json()
    assert [s["unit"] for s in listed["results"]] == [world["eitc"].pk]

    owner = APIClient()
    owner.force_authenticate(UserFactory(roles=[Role.API_CLIENT], unit=world["commerce"]))
    assert owner.post(url, {"unit": world["county"].pk}, format="json").status_code == 403
    assert owner.delete(f"{url}{world['eitc'].pk}/").status_code == 403

    assert api.delete(f"{url}{world['eitc'].pk}/").status_code == 204
    assert api.delete(f"{url}{world['eitc'].pk}/").status_code == 400
    assert api.get(url).json()["results"] == []


def test_the_shared_units_api_client_reads_the_records_while_shared(world):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.API_CLIENT], unit=world["eitc"]))
    records = f"/api/v1/datasets/{world['secret'].pk}/records/"
    assert client.get(records).status_code == 404
    services.dataset_share(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    assert client.get(records).json()["count"] == 2
    assert "secret" in [d["code"] for d in client.get("/api/v1/datasets/").json()["results"]]
    services.dataset_unshare(dataset=world["secret"], unit=world["eitc"], actor=world["staff"])
    assert client.get(records).status_code == 404


def test_a_unit_the_data_set_is_shared_with_never_loads_into_it_even_with_the_owner_in_its_jurisdiction(world):
    secret = world["secret"]
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])  # the city is their jurisdiction
    services.dataset_share(dataset=secret, unit=world["bureau"], actor=world["staff"])
    assert selectors.record_list(user=bureau_staff, dataset=secret).count() == 2  # they read it
    with pytest.raises(PermissionDenied):
        services.job_create(dataset=secret, stream=[csv_bytes([row(1, name="改写")])], original_name="x.csv",
                            actor=bureau_staff)  # fmt: skip
    owners_job = services.job_create(
        dataset=secret, stream=[csv_bytes([row(3)])], original_name="y.csv", actor=world["owner_user"], enqueue=False
    )
    with pytest.raises(PermissionDenied):
        services.job_cancel(job=owners_job, actor=bureau_staff)
    services.job_cancel(job=owners_job, actor=world["owner_user"])
    with pytest.raises(PermissionDenied):
        services.job_retry(job=owners_job, actor=bureau_staff)

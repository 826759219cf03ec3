"""The organisation's API: behaviour, bad input, and the permission matrix (role x endpoint x own/other unit)."""

import datetime

import pytest
from rest_framework.test import APIClient

from bureau import services
from bureau.choices import TransferStatus, UnitKind
from bureau.models import Appointment, Transfer
from bureau.roles import Role
from tests.bureau.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world():
    """A city bureau and a county bureau below it; every user of the matrix sits in the county."""
    city = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city)
    city_div = UnitFactory(code="city-div", kind=UnitKind.DIVISION, parent=bureau)
    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    county_div = UnitFactory(code="county-div", kind=UnitKind.DIVISION, parent=county)
    county_dept = UnitFactory(code="county-dept", kind=UnitKind.DEPARTMENT, parent=county)
    city_dept = UnitFactory(code="city-dept", kind=UnitKind.DEPARTMENT, parent=city)
    own_post = services.post_create(actor=None, unit=county_div, title="科员", max_holders=None)
    other_post = services.post_create(actor=None, unit=city_div, title="科员", max_holders=None)
    own_person = PersonFactory(home_unit=county_div)
    other_person = PersonFactory(home_unit=city_div)
    own_transfer = services.transfer_plan(
        actor=None, person=PersonFactory(home_unit=county_dept), to_unit=county_div, planned_on=D(2025, 1, 1)
    )
    other_transfer = services.transfer_plan(
        actor=None, person=PersonFactory(home_unit=city_dept), to_unit=city_div, planned_on=D(2025, 1, 1)
    )
    return {
        "county": county, "county_div": county_div, "city_div": city_div,
        "post": {"own": own_post, "other": other_post},
        "person": {"own": own_person, "other": other_person},
        "transfer": {"own": own_transfer, "other": other_transfer},
    }  # fmt: skip


def client_for(role, unit):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[role], unit=unit))
    return client


ROLES = [Role.LEADER, Role.BUREAU_STAFF, Role.DIVISION_STAFF, Role.EXPERT, Role.API_CLIENT, Role.AUDITOR, Role.ADMIN]

# endpoint -> role -> (status for the own unit's record, status for the other unit's record)
MATRIX = {
    "read person": {
        Role.LEADER: (200, 200), Role.BUREAU_STAFF: (200, 404), Role.DIVISION_STAFF: (200, 404),
        Role.EXPERT: (403, 403), Role.API_CLIENT: (403, 403), Role.AUDITOR: (200, 200), Role.ADMIN: (200, 404),
    },
    "change person": {
        Role.LEADER: (403, 403), Role.BUREAU_STAFF: (200, 404), Role.DIVISION_STAFF: (403, 403),
        Role.EXPERT: (403, 403), Role.API_CLIENT: (403, 403), Role.AUDITOR: (403, 403), Role.ADMIN: (200, 404),
    },
    "appoint to post": {
        Role.LEADER: (403, 403), Role.BUREAU_STAFF: (201, 403), Role.DIVISION_STAFF: (403, 403),
        Role.EXPERT: (403, 403), Role.API_CLIENT: (403, 403), Role.AUDITOR: (403, 403), Role.ADMIN: (201, 403),
    },
    "read transfer": {
        Role.LEADER: (200, 200), Role.BUREAU_STAFF: (200, 404), Role.DIVISION_STAFF: (200, 404),
        Role.EXPERT: (403, 403), Role.API_CLIENT: (403, 403), Role.AUDITOR: (200, 200), Role.ADMIN: (200, 404),
    },
    "advance transfer": {
        Role.LEADER: (403, 403), Role.BUREAU_STAFF: (200, 404), Role.DIVISION_STAFF: (403, 404),
        Role.EXPERT: (404, 404), Role.API_CLIENT: (404, 404), Role.AUDITOR: (403, 403), Role.ADMIN: (200, 404),
    },
    "read unit": dict.fromkeys(ROLES, (200, 200)),
}  # fmt: skip


def call(endpoint, client, world, side):
    if endpoint == "read person":
        return client.get(f"/api/v1/people/{world['person'][side].pk}/")
    if endpoint == "change person":
        return client.patch(f"/api/v1/people/{world['person'][side].pk}/", {"title": "副处长"})
    if endpoint == "appoint to post":
        person = PersonFactory(home_unit=world["county_div"])
        return client.post(
            "/api/v1/appointments/", {"person": person.pk, "post": world["post"][side].pk, "start_date": "2025-01-01"}
        )
    if endpoint == "read transfer":
        return client.get(f"/api/v1/transfers/{world['transfer'][side].pk}/")
    if endpoint == "advance transfer":
        return client.post(f"/api/v1/transfers/{world['transfer'][side].pk}/advance/", {"effective_date": "2025-02-01"})
    if endpoint == "read unit":
        unit = world["county_div"] if side == "own" else world["city_div"]
        return client.get(f"/api/v1/units/{unit.pk}/")
    raise AssertionError(endpoint)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(world, endpoint, role):
    expected = MATRIX[endpoint][role]
    actual = tuple(
        call(endpoint, client_for(role, world["county_div"]), world, side).status_code for side in ("own", "other")
    )
    assert actual == expected


def test_lists_show_only_what_the_role_and_unit_grant(world):
    client = client_for(Role.DIVISION_STAFF, world["county_div"])
    names = {p["name"] for p in client.get("/api/v1/people/").json()["results"]}
    assert world["person"]["own"].name in names
    assert world["person"]["other"].name not in names


def test_advancing_a_transfer_through_the_api_records_the_step(world):
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    transfer = world["transfer"]["own"]
    response = client.post(f"/api/v1/transfers/{transfer.pk}/advance/", {"effective_date": "2025-03-01"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == TransferStatus.VIRTUAL
    assert [s["to_status"] for s in body["steps"]] == ["planned", "virtual"]


def test_advancing_out_of_order_is_a_400_in_the_error_format(world):
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    transfer = world["transfer"]["own"]
    response = client.post(f"/api/v1/transfers/{transfer.pk}/advance/", {"effective_date": "2024-12-01"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "effective_date" in response.json()["error"]["details"]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PLANNED


def test_cancelling_needs_a_reason(world):
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    transfer = world["transfer"]["own"]
    response = client.post(f"/api/v1/transfers/{transfer.pk}/cancel/", {"effective_date": "2025-02-01"})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["details"]


def test_planning_a_transfer_for_someone_already_in_one_is_refused(world):
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    person = world["transfer"]["own"].person
    response = client.post(
        "/api/v1/transfers/", {"person": person.pk, "to_unit": world["county"].pk, "planned_on": "2025-02-01"}
    )
    assert response.status_code == 400
    assert Transfer.objects.filter(person=person).count() == 1


def test_overlapping_appointment_to_a_single_holder_post_is_a_400(world):
    post = services.post_create(actor=None, unit=world["county_div"], title="处长", max_holders=1)
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    first = client.post(
        "/api/v1/appointments/", {"person": world["person"]["own"].pk, "post": post.pk, "start_date": "2025-01-01"}
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/appointments/",
        {"person": PersonFactory(home_unit=world["county_div"]).pk, "post": post.pk, "start_date": "2025-06-01"},
    )
    assert second.status_code == 400
    assert Appointment.objects.filter(post=post).count() == 1


def test_end_date_before_start_is_a_400(world):
    client = client_for(Role.BUREAU_STAFF, world["county_div"])
    response = client.post(
        "/api/v1/appointments/",
        {
            "person": world["person"]["own"].pk,
            "post": world["post"]["own"].pk,
            "start_date": "2025-01-01",
            "end_date": "2024-01-01",
        },
    )
    assert response.status_code == 400


def test_a_unit_made_its_own_ancestor_is_a_400(world):
    client = client_for(Role.ADMIN, world["county_div"])
    response = client.patch(f"/api/v1/units/{world['county'].pk}/", {"parent": world["county_div"].pk})
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["details"]


def test_a_unit_sent_without_a_parent_is_a_new_root_that_only_a_superuser_makes(world):
    body = {"code": "new-city", "kind": UnitKind.CITY, "name": "新市"}
    staff = client_for(Role.BUREAU_STAFF, world["county"])
    assert staff.post("/api/v1/units/", body, format="json").status_code == 403
    superuser = APIClient()
    superuser.force_authenticate(UserFactory(roles=[Role.ADMIN], unit=None, is_superuser=True))
    response = superuser.post("/api/v1/units/", body, format="json")
    assert response.status_code == 201
    assert response.json()["parent"] is None
    assert response.json()["depth"] == 0


def test_placement_with_an_empty_date_is_a_400(world):
    client = client_for(Role.LEADER, world["county"])
    response = client.get(f"/api/v1/people/{world['person']['own'].pk}/placement/", {"date": ""})
    assert response.status_code == 400
    assert "date" in response.json()["error"]["details"]


def test_placement_answers_where_a_person_is_on_a_date(world):
    transfer = world["transfer"]["own"]
    services.transfer_advance(actor=None, transfer=transfer, effective_date=D(2025, 3, 1))
    client = client_for(Role.LEADER, world["county_div"])
    body = client.get(f"/api/v1/people/{transfer.person.pk}/placement/", {"date": "2025-04-01"}).json()
    assert body["works_in"] == world["county_div"].pk
    assert body["paid_by"] == transfer.from_unit.pk
    assert body["phase"] == "virtual"


def test_filters_by_unit_and_date(world):
    post = world["post"]["own"]
    person = world["person"]["own"]
    services.appointment_create(
        actor=None, person=person, post=post, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31)
    )
    client = client_for(Role.LEADER, world["county_div"])
    held_2024 = client.get("/api/v1/appointments/", {"unit": world["county"].pk, "as_of": "2024-06-01"}).json()
    held_2025 = client.get("/api/v1/appointments/", {"unit": world["county"].pk, "as_of": "2025-06-01"}).json()
    assert [a["person"] for a in held_2024["results"]] == [person.pk]
    assert held_2025["count"] == 0
    people = client.get("/api/v1/people/", {"unit": world["county"].pk, "as_of": "2024-06-01"}).json()
    assert [p["id"] for p in people["results"]] == [person.pk]


def test_transfer_list_query_count_is_constant(world, django_assert_max_num_queries):
    for _ in range(30):
        services.transfer_plan(
            actor=None,
            person=PersonFactory(home_unit=world["city_div"]),
            to_unit=world["county_div"],
            planned_on=D(2025, 1, 1),
        )
    client = client_for(Role.LEADER, world["county_div"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/transfers/", {"page_size": 100})
    assert response.json()["count"] == 32


def test_a_whole_division_is_planned_through_the_api(world):
    source = world["city_div"]
    post = world["post"]["other"]
    people = [PersonFactory(home_unit=source) for _ in range(2)]
    for person in people:
        services.appointment_create(actor=None, person=person, post=post, start_date=D(2024, 1, 1))
    client = client_for(Role.ADMIN, world["city_div"])
    response = client.post(
        "/api/v1/transfers/plan-division/",
        {"division": source.pk, "to_unit": world["county_div"].pk, "planned_on": "2025-02-01"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {t["person"] for t in body} == {p.pk for p in people}
    assert len({t["batch"] for t in body}) == 1


def test_county_staff_cannot_plan_the_transfer_of_a_city_person_through_the_api(world):
    body = {"person": world["person"]["other"].pk, "to_unit": world["county_div"].pk, "planned_on": "2025-02-01"}
    response = client_for(Role.BUREAU_STAFF, world["county_div"]).post("/api/v1/transfers/", body)
    assert response.status_code == 400
    assert "person" in response.json()["error"]["details"]
    assert not Transfer.objects.filter(person=world["person"]["other"]).exists()
    response = client_for(Role.BUREAU_STAFF, world["city_div"]).post("/api/v1/transfers/", body)
    assert response.status_code == 201, response.json()
    assert response.json()["from_unit"] == world["city_div"].pk


def test_county_staff_cannot_plan_the_transfer_of_a_city_division_through_the_api(world):
    for _ in range(2):
        person = PersonFactory(home_unit=world["city_div"])
        services.appointment_create(actor=None, person=person, post=world["post"]["other"], start_date=D(2024, 1, 1))
    body = {"division": world["city_div"].pk, "to_unit": world["county_div"].pk, "planned_on": "2025-02-01"}
    before = Transfer.objects.count()
    response = client_for(Role.BUREAU_STAFF, world["county_div"]).post("/api/v1/transfers/plan-division/", body)
    assert response.status_code == 400
    assert "division" in response.json()["error"]["details"]
    assert Transfer.objects.count() == before
    response = client_for(Role.BUREAU_STAFF, world["city_div"]).post("/api/v1/transfers/plan-division/", body)
    assert response.status_code == 201, response.json()
    assert len(response.json()) == 2


def test_the_person_filters_take_only_people_the_caller_may_read(seeded_for_person_filter):
    division_user, own, other = seeded_for_person_filter
    api = APIClient()
    api.force_authenticate(division_user)
    for url in ("/api/v1/transfers/", "/api/v1/appointments/"):
        assert api.get(url, {"person": own.pk}).status_code == 200
        refused = api.get(url, {"person": other.pk})
        assert refused.status_code == 400, url
        assert "person" in refused.json()["error"]["details"]


@pytest.fixture
def seeded_for_person_filter():
    from bureau import demo
    from bureau.models import Person, Unit

    demo.seed()
    unit = Unit.objects.get(code="dept-commerce-ecommerce")
    user = UserFactory(roles=[Role.DIVISION_STAFF], unit=unit)
    return user, Person.objects.filter(home_unit=unit).first(), Person.objects.get(name="林海涛")

import pghistory.models
import pytest
from django.db import connection
from django.urls import reverse

from bureau.models import Unit
from bureau.roles import Role
from tests.bureau.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def events_of(obj):
    return pghistory.models.MiddlewareEvents.objects.tracks(obj).order_by("pgh_created_at", "pgh_id")


def test_orm_change_inside_a_context_is_recorded_with_its_user():
    actor = UserFactory()
    unit = UnitFactory(name="旧名称")
    with pghistory.context(user=actor.pk):
        unit.name = "新名称"
        unit.save()
    update = events_of(unit).filter(pgh_label="update").get()
    assert update.user == actor
    assert update.pgh_diff == {"name": ["旧名称", "新名称"]}


def test_raw_sql_and_bulk_changes_are_recorded_too():
    unit = UnitFactory(name="甲")
    Unit.objects.filter(pk=unit.pk).update(name="乙")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE bureau_unit SET name = %s WHERE id = %s", ["丙", unit.pk])
    assert [e.pgh_data["name"] for e in events_of(unit)] == ["甲", "乙", "丙"]


def test_history_cannot_be_rewritten():
    from django.db import DatabaseError, transaction

    unit = UnitFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        unit.events.all().update(name="tampered")


def test_a_change_through_a_page_request_records_the_signed_in_user(client):
    admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    unit = UnitFactory()
    client.force_login(admin)
    response = client.post(
        reverse("admin:bureau_unit_change", args=[unit.pk]),
        {"code": unit.code, "name": "改过的名称", "kind": unit.kind, "level": unit.level, "sort_order": 0,
         "is_active": "on", "division_type": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    update = events_of(unit).filter(pgh_label="update").get()
    assert update.user == admin
    assert update.pgh_context["url"] == reverse("admin:bureau_unit_change", args=[unit.pk])


def test_token_authentication_puts_the_token_owner_into_the_audit_context(rf):
    import datetime

    from rest_framework.request import Request

    from bureau import services
    from bureau.api.authentication import ApiTokenAuthentication

    owner = UserFactory(roles=[Role.API_CLIENT])
    token, secret = services.api_token_create(
        user=owner, name="系统", expires_on=datetime.date.today() + datetime.timedelta(days=30), actor=None
    )
    unit = UnitFactory()
    request = Request(rf.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Token {secret}"))
    # The middleware opens the context before DRF knows the user; authentication fills it in.
    with pghistory.context(url="/api/v1/units/"):
        ApiTokenAuthentication().authenticate(request)
        unit.name = "接口修改"
        unit.save()
    update = events_of(unit).filter(pgh_label="update").get()
    assert update.user == owner
    assert update.pgh_context["auth"] == "token"
    assert update.pgh_context["api_token"] == token.pk


def test_auditor_filters_the_audit_page_by_model_object_and_user(client):
    actor = UserFactory(username="changer")
    unit = UnitFactory(name="被修改的单位")
    with pghistory.context(user=actor.pk):
        unit.name = "修改后的单位"
        unit.save()
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    response = client.get(reverse("audit-log"), {"model": "bureau.Unit", "object_id": unit.pk, "user": actor.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "修改后的单位" in html
    assert "changer" in html or str(actor) in html
    assert html.count("<tr>") == 2  # the header and the one update by that user


def test_audit_page_is_refused_to_roles_without_the_right(client):
    client.force_login(UserFactory(roles=[Role.DIVISION_STAFF]))
    assert client.get(reverse("audit-log")).status_code == 403


def test_audit_page_query_count_does_not_grow_with_events(client, django_assert_max_num_queries):
    unit = UnitFactory()
    actor = UserFactory()
    with pghistory.context(user=actor.pk):
        for i in range(40):
            unit.name = f"名称{i}"
            unit.save()
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit-log"), {"model": "bureau.Unit"})
    assert response.status_code == 200


def test_the_django_admin_gives_administrators_only_the_lists_without_a_page_and_superusers_all(client):
    from bureau.roles import Role
    from tests.bureau.factories import UserFactory

    county_admin = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=False)
    client.force_login(county_admin)
    # Users, their groups and superuser flag: never (they could make themselves superusers there).
    assert client.get("/admin/bureau/user/").status_code == 403
    assert client.get("/admin/datacenter/dataset/").status_code == 403
    assert client.get("/admin/meetings/membership/").status_code == 200
    assert client.get("/admin/policies/policyfield/").status_code == 200
    index = client.get("/admin/").content.decode()
    assert "/admin/meetings/membership/" in index
    assert "/admin/bureau/user/" not in index
    clerk = UserFactory(roles=[Role.BUREAU_STAFF], is_staff=True, is_superuser=False)
    client.force_login(clerk)
    assert client.get("/admin/meetings/membership/").status_code == 302  # to the admin's sign-in
    superuser = UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get("/admin/bureau/user/").status_code == 200


# --- who reads which part of the history ---


@pytest.fixture
def city():
    """The city with its bureau and a division, and a county bureau with a division; a person in each division."""
    from bureau.choices import UnitKind
    from bureau.models import Person

    root = UnitFactory(code="a-city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="a-bureau", kind=UnitKind.BUREAU, parent=root)
    division = UnitFactory(code="a-division", kind=UnitKind.DIVISION, parent=bureau)
    county = UnitFactory(code="a-county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    county_div = UnitFactory(code="a-county-div", kind=UnitKind.DIVISION, parent=county)
    city_person = Person.objects.create(name="市里的人", home_unit=division)
    county_person = Person.objects.create(name="县里的人", home_unit=county_div)
    for person in (city_person, county_person):
        person.name += "（改）"
        person.save()
    return {"root": root, "division": division, "county": county, "county_div": county_div,
            "city_person": city_person, "county_person": county_person}  # fmt: skip


def record_link(obj):
    return f"object_id={obj.pk}"


def test_a_county_administrator_sees_the_history_of_the_county_records_but_not_of_the_city(client, city):
    client.force_login(UserFactory(roles=[Role.ADMIN], unit=city["county"]))
    response = client.get(reverse("audit-log"), {"model": "bureau.Person"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "县里的人（改）" in html
    assert "市里的人" not in html
    # Neither by naming the record.
    response = client.get(reverse("audit-log"), {"model": "bureau.Person", "object_id": city["city_person"].pk})
    assert "市里的人" not in response.content.decode()
    # Nor among all record types.
    html = client.get(reverse("audit-log")).content.decode()
    assert "县里的人（改）" in html
    assert "市里的人" not in html


@pytest.mark.parametrize("who", ["auditor", "city administrator"])
def test_auditors_and_the_city_administrators_see_the_history_of_every_record(client, city, who):
    if who == "auditor":
        viewer = UserFactory(roles=[Role.AUDITOR], unit=city["county_div"])
    else:
        viewer = UserFactory(roles=[Role.ADMIN], unit=city["root"])
    client.force_login(viewer)
    html = client.get(reverse("audit-log"), {"model": "bureau.Person"}).content.decode()
    assert "县里的人（改）" in html
    assert "市里的人（改）" in html


def test_the_user_filter_offers_a_county_administrator_only_the_accounts_of_the_county(client, city):
    county_admin = UserFactory(username="county-admin", roles=[Role.ADMIN], unit=city["county"])
    county_clerk = UserFactory(username="county-clerk", unit=city["county_div"])
    city_clerk = UserFactory(username="city-clerk", unit=city["division"])
    client.force_login(county_admin)
    response = client.get(reverse("audit-log"))
    choices = set(response.context["form"].fields["user"].queryset)
    assert {county_admin, county_clerk} <= choices
    assert city_clerk not in choices
    assert "city-clerk" not in response.content.decode()
    # Asking for the city's account by its id is refused like any value not offered.
    response = client.get(reverse("audit-log"), {"user": city_clerk.pk})
    assert "user" in response.context["form"].errors

    client.force_login(UserFactory(roles=[Role.AUDITOR], unit=city["county_div"]))
    choices = set(client.get(reverse("audit-log")).context["form"].fields["user"].queryset)
    assert {county_admin, county_clerk, city_clerk} <= choices


def test_a_county_administrators_audit_page_query_count_does_not_grow_with_events(client, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(roles=[Role.ADMIN], unit=city["county"]))
    person = city["county_person"]

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("audit-log"))
        assert response.status_code == 200
        return len(captured)

    few = queries_for_page()
    for i in range(30):
        person.name = f"县里的人{i}"
        person.save()
    assert queries_for_page() == few


def test_the_audit_page_names_fields_choices_and_related_records_in_the_readers_terms(client):
    from bureau.choices import UnitKind
    from bureau.models import Person

    first = UnitFactory(code="audit-first", name="第一单位")
    second = UnitFactory(code="audit-second", name="第二单位")
    person = Person.objects.create(name="被调动的人", home_unit=first)
    person.home_unit = second
    person.save()
    first.kind = UnitKind.ENTERPRISE
    first.save()
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    html = client.get(reverse("audit-log")).content.decode()
    assert "home_unit_id" not in html
    assert "原单位" in html  # the field's verbose name (home unit)
    assert "第一单位 → 第二单位" in html  # related records by name
    assert "成员部门 → 企业" in html  # choice labels, not "department → enterprise"
    assert "被调动的人" in html  # a creation shows the values it was created with


def test_the_audit_page_shows_changed_times_in_beijing_time(client):
    import datetime

    user = UserFactory(
        username="audit-time", date_joined=datetime.datetime(2026, 11, 29, 4, 38, 52, tzinfo=datetime.UTC)
    )
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    html = client.get(reverse("audit-log"), {"model": "bureau.User", "object_id": user.pk}).content.decode()
    assert "2026-11-29 12:38:52" in html
    assert "+00:00" not in html


def test_the_audit_page_leaves_out_updates_of_computed_columns_unless_asked(client):
    from core.audit import computed_fields
    from policies.models import Policy

    assert {"search_vector", "rank_vector"} <= computed_fields(Policy)
    unit = UnitFactory(code="audit-computed")
    Unit.objects.filter(pk=unit.pk).update(path=unit.path + "0/", depth=9)
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    query = {"model": "bureau.Unit", "object_id": unit.pk}
    html = client.get(reverse("audit-log"), query).content.decode()
    assert html.count("<tr>") == 2  # the header and the creation, not the path's recomputation
    assert "树路径" not in html  # nor the path among the creation's values
    html = client.get(reverse("audit-log"), {**query, "include_computed": "on"}).content.decode()
    assert html.count("<tr>") == 3


def test_audit_page_query_count_does_not_grow_with_related_records(client, django_assert_max_num_queries):
    from bureau.models import Person

    units = [UnitFactory(code=f"audit-rel-{i}") for i in range(2)]
    person = Person.objects.create(name="来回调动", home_unit=units[0])
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    client.get(reverse("audit-log"))
    with django_assert_max_num_queries(13) as few:
        client.get(reverse("audit-log"))
    for i in range(30):
        person.home_unit = units[i % 2]
        person.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("audit-log"))

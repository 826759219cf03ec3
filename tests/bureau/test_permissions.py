import pytest

from bureau import permissions
from bureau.choices import UnitKind
from bureau.models import Notification, Unit, User
from bureau.roles import Role
from tests.bureau.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    """A small city: the city root, its bureau with a division, a department, and a county bureau with a division."""
    root = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=root)
    division = UnitFactory(code="division", kind=UnitKind.DIVISION, parent=bureau)
    dept = UnitFactory(code="dept", kind=UnitKind.DEPARTMENT, parent=root)
    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    county_div = UnitFactory(code="county-div", kind=UnitKind.DIVISION, parent=county)
    return {u.code: u for u in (root, bureau, division, dept, county, county_div)}


def visible_codes(user, action="view"):
    return set(permissions.visible_units(user, action).values_list("code", flat=True))


def test_leaders_and_auditors_read_every_unit(city):
    for role in (Role.LEADER, Role.AUDITOR):
        assert visible_codes(UserFactory(roles=[role], unit=city["division"])) == set(city)


def test_auditors_change_nothing(city):
    assert visible_codes(UserFactory(roles=[Role.AUDITOR], unit=city["bureau"]), "change") == set()


def test_city_bureau_staff_act_in_the_whole_city(city):
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=city["division"])
    assert visible_codes(staff, "change") == set(city)


def test_county_staff_act_only_in_their_county(city):
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=city["county-div"])
    assert visible_codes(staff, "change") == {"county", "county-div"}


def test_the_organisation_chart_is_readable_by_every_role_that_reads_units(city):
    staff = UserFactory(roles=[Role.DIVISION_STAFF], unit=city["county"])
    assert visible_codes(staff) == set(city)
    assert visible_codes(staff, "change") == set()


def test_division_staff_see_people_of_their_own_unit_and_below(city):
    from bureau.models import Person

    here = Person.objects.create(name="县里的人", home_unit=city["county-div"])
    Person.objects.create(name="市里的人", home_unit=city["division"])
    staff = UserFactory(roles=[Role.DIVISION_STAFF], unit=city["county"])
    assert list(permissions.restrict(Person.objects.all(), staff)) == [here]


def test_a_user_without_a_role_or_unit_sees_nothing(city):
    from bureau.models import Person

    Person.objects.create(name="某人", home_unit=city["division"])
    assert visible_codes(UserFactory(unit=city["bureau"])) == set()
    no_unit = UserFactory(roles=[Role.DIVISION_STAFF], unit=None)
    assert not permissions.restrict(Person.objects.all(), no_unit).exists()


def test_inactive_users_see_nothing(city):
    user = UserFactory(roles=[Role.LEADER], unit=city["bureau"], is_active=False)
    assert visible_codes(user) == set()


def test_may_act_in_unit_follows_the_same_scope(city):
    county_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=city["county"])
    assert permissions.may_act_in_unit(county_staff, "add", Unit, city["county-div"])
    assert not permissions.may_act_in_unit(county_staff, "add", Unit, city["division"])


@pytest.mark.parametrize("role", [*Role, None])
@pytest.mark.parametrize("active", [True, False])
def test_reaches_own_unit_agrees_with_restrict_for_every_role(city, role, active):
    """The top bar's notice count asks `reaches_own_unit` instead of loading the unit for `restrict`."""
    user = UserFactory(roles=[role] if role else [], unit=city["county-div"], is_active=active)
    Notification.objects.create(unit=city["county-div"], kind="brief", title="通知")
    user = User.objects.get(pk=user.pk)  # nothing loaded yet, as at the start of a request
    for action in ("view", "change"):
        own_rows = permissions.restrict(Notification.objects.filter(unit=city["county-div"]), user, action)
        assert permissions.reaches_own_unit(user, action, Notification) == own_rows.exists()


def test_reaches_own_unit_needs_a_unit_and_holds_for_superusers(city):
    assert not permissions.reaches_own_unit(UserFactory(roles=[Role.DIVISION_STAFF], unit=None), "view", Notification)
    assert permissions.reaches_own_unit(UserFactory(is_superuser=True, unit=city["dept"]), "delete", Notification)

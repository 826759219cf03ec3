import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bureau import services
from bureau.choices import UnitKind
from bureau.models import Unit
from bureau.roles import Role
from tests.bureau.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_unit_gets_its_tree_path_in_one_insert():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    child = services.unit_create(actor=None, parent=root, code="child", name="子单位", kind=UnitKind.DEPARTMENT)
    assert child.path == f"/{root.pk}/{child.pk}/"
    assert child.depth == 1
    assert [e.pgh_label for e in child.events.all()] == ["insert"]


def test_moving_a_unit_moves_its_whole_subtree():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    a = UnitFactory(code="a", parent=root)
    b = UnitFactory(code="b", parent=root)
    a1 = UnitFactory(code="a1", parent=a)
    a11 = UnitFactory(code="a11", parent=a1)
    services.unit_update(actor=None, unit=a1, parent=b)
    a1.refresh_from_db()
    a11.refresh_from_db()
    assert a1.path == f"/{root.pk}/{b.pk}/{a1.pk}/"
    assert a11.path == f"/{root.pk}/{b.pk}/{a1.pk}/{a11.pk}/"
    assert (a1.depth, a11.depth) == (2, 3)


def test_a_unit_cannot_become_its_own_ancestor():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    a = UnitFactory(code="a", parent=root)
    a1 = UnitFactory(code="a1", parent=a)
    with pytest.raises(ValidationError) as excinfo:
        services.unit_update(actor=None, unit=a, parent=a1)
    assert "parent" in excinfo.value.message_dict
    a.refresh_from_db()
    assert a.parent == root
    assert a.path == f"/{root.pk}/{a.pk}/"


def test_a_unit_cannot_be_its_own_parent():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    with pytest.raises(ValidationError):
        services.unit_update(actor=None, unit=root, parent=root)


def test_headcount_minimum_above_maximum_is_refused_and_nothing_saved():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=None, parent=root, code="c", name="中心", kind=UnitKind.CENTER, headcount_min=20, headcount_max=15
        )
    assert not Unit.objects.filter(code="c").exists()


def test_county_staff_cannot_create_units_in_the_city():
    root = UnitFactory(code="root", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=root)
    county = UnitFactory(code="county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=county)
    services.unit_create(actor=staff, parent=county, code="ok", name="县处室", kind=UnitKind.DIVISION)
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=staff, parent=bureau, code="no", name="市处室", kind=UnitKind.DIVISION)
    assert not Unit.objects.filter(code="no").exists()

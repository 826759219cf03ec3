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


# --- appointments ---

D = __import__("datetime").date


def test_a_single_holder_post_refuses_an_overlapping_appointment():
    from tests.bureau.factories import PersonFactory, PostFactory

    post = PostFactory(title="局长", max_holders=1)
    services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2024, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2025, 1, 1))
    assert "post" in excinfo.value.message_dict
    assert post.appointments.count() == 1


def test_a_post_can_be_filled_again_after_the_holder_leaves():
    from tests.bureau.factories import PersonFactory, PostFactory

    post = PostFactory(max_holders=1)
    first = services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2024, 1, 1))
    services.appointment_end(actor=None, appointment=first, end_date=D(2024, 12, 31))
    services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2025, 1, 1))
    assert post.appointments.count() == 2
    first.refresh_from_db()
    assert first.end_date == D(2024, 12, 31)  # ending keeps the row: history is never erased


def test_a_post_with_three_places_takes_three_holders_at_once():
    from tests.bureau.factories import PersonFactory, PostFactory

    post = PostFactory(title="副局长", max_holders=3)
    for _ in range(3):
        services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.appointment_create(actor=None, person=PersonFactory(), post=post, start_date=D(2024, 6, 1))


def test_an_appointment_ending_before_it_starts_is_refused():
    from tests.bureau.factories import PersonFactory, PostFactory

    with pytest.raises(ValidationError):
        services.appointment_create(
            actor=None, person=PersonFactory(), post=PostFactory(), start_date=D(2025, 1, 1), end_date=D(2024, 1, 1)
        )


def test_a_concurrent_appointment_records_on_whose_behalf():
    from tests.bureau.factories import PersonFactory, PostFactory

    commerce = UnitFactory(code="commerce")
    appointment = services.appointment_create(
        actor=None, person=PersonFactory(), post=PostFactory(title="副局长", max_holders=3),
        start_date=D(2024, 1, 1), is_concurrent=True, on_behalf_of=commerce,
    )  # fmt: skip
    assert appointment.is_concurrent
    assert appointment.on_behalf_of == commerce


# --- county bureaus ---


def test_mirroring_copies_the_city_bureau_structure_without_people():
    from bureau.models import Post

    city = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city)
    office = UnitFactory(code="office", kind=UnitKind.DIVISION, parent=bureau)
    center = UnitFactory(code="center", kind=UnitKind.CENTER, parent=bureau, headcount_min=15, headcount_max=20)
    UnitFactory(code="existing-county", kind=UnitKind.COUNTY_BUREAU, parent=bureau)
    services.post_create(actor=None, unit=bureau, title="局长")
    services.post_create(actor=None, unit=office, title="主任")
    services.post_create(actor=None, unit=center, title="中心主任")
    admin = UserFactory(roles=[Role.ADMIN], unit=office)

    county = services.county_bureau_mirror(
        actor=admin, source=bureau, parent=bureau, code="lucheng", name="鹿城区网络经济发展局"
    )

    copied = Unit.objects.filter(path__startswith=county.path).exclude(pk=county.pk)
    assert sorted(copied.values_list("name", flat=True)) == sorted([office.name, center.name])
    assert copied.get(name=center.name).headcount_max == 20
    assert sorted(Post.objects.filter(unit__path__startswith=county.path).values_list("title", flat=True)) == [
        "中心主任", "主任", "局长",
    ]  # fmt: skip
    assert not Unit.objects.filter(path__startswith=county.path, kind=UnitKind.COUNTY_BUREAU).exclude(pk=county.pk)


def test_only_admins_mirror_a_county_bureau():
    city = UnitFactory(code="city", kind=UnitKind.CITY)
    bureau = UnitFactory(code="bureau", kind=UnitKind.BUREAU, parent=city)
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=bureau)
    with pytest.raises(PermissionDenied):
        services.county_bureau_mirror(actor=staff, source=bureau, parent=bureau, code="x", name="某县局")
    assert not Unit.objects.filter(code="x").exists()

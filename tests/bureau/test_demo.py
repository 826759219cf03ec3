import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings

from bureau.choices import UnitKind
from bureau.models import Unit, User
from bureau.roles import Role

pytestmark = pytest.mark.django_db


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed and not m._meta.proxy}


@override_settings(DEBUG=True)
def test_seed_demo_twice_leaves_the_same_row_counts():
    call_command("seed_demo")
    first = row_counts()
    call_command("seed_demo")
    second = {k: v for k, v in row_counts().items() if not k.endswith("Event") and k != "pghistory.Context"}
    assert second == {k: v for k, v in first.items() if not k.endswith("Event") and k != "pghistory.Context"}
    assert first["bureau.Unit"] > 30


@override_settings(DEBUG=True)
def test_seed_demo_builds_the_organisation_of_the_paper():
    call_command("seed_demo")
    bureau = Unit.objects.get(code="bureau")
    assert bureau.get_level_display() == "正县级"
    center = Unit.objects.get(code="bigdata-center")
    assert (center.headcount_min, center.headcount_max, center.parent) == (15, 20, bureau)
    assert Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU).count() == 12
    assert Unit.objects.filter(kind=UnitKind.ZONE_BUREAU).exists()
    assert Unit.objects.filter(kind=UnitKind.DIVISION, division_type="shared").exists()


@override_settings(DEBUG=True)
def test_seed_demo_gives_one_account_per_role():
    call_command("seed_demo")
    for role in Role:
        assert User.objects.filter(groups__name=role).count() >= 1, role


def test_seed_demo_refuses_to_run_with_debug_off():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Unit.objects.exists()


def test_roles_exist_as_groups_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {r.value for r in Role} <= names
    auditor = Group.objects.get(name=Role.AUDITOR)
    assert auditor.permissions.filter(codename="view_events", content_type__app_label="pghistory").exists()
    assert not auditor.permissions.filter(codename__startswith="change_").exists()

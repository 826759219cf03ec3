"""Writes to the organisation. Every function is atomic, takes the acting user, and checks permission.

`actor=None` means the system itself (migrations, seed data, scheduled jobs).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from . import permissions
from .models import Unit, User

UNIT_FIELDS = {
    "code", "name", "short_name", "kind", "level", "division_type", "headcount_min", "headcount_max",
    "sort_order", "is_active", "established_on", "dissolved_on",
}  # fmt: skip


def _authorise_unit_write(actor: User | None, action: str, parent: Unit | None) -> None:
    if actor is None:
        return
    if parent is None:
        # A new root (a city) is an administrator-wide act: only a superuser makes one.
        if not actor.is_superuser:
            raise PermissionDenied
        return
    if not permissions.may_act_in_unit(actor, action, Unit, parent):
        raise PermissionDenied


def _full_clean(unit: Unit) -> None:
    unit.full_clean(exclude=["path", "depth", "parent"])


@transaction.atomic
def unit_create(*, actor: User | None, parent: Unit | None, **fields: Any) -> Unit:
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    _authorise_unit_write(actor, "add", parent)
    unit = Unit(parent=parent, **fields)
    _full_clean(unit)
    # The path holds the unit's own key, so take the key first: one INSERT, one history event.
    unit.pk = _next_unit_id()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(force_insert=True)
    return unit


def _next_unit_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Unit._meta.db_table])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@transaction.atomic
def unit_update(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's fields; a new `parent` moves it with its whole subtree."""
    unknown = set(changes) - UNIT_FIELDS - {"parent"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if actor is not None and not permissions.can(actor, "change", unit):
        raise PermissionDenied
    new_parent = changes.pop("parent", unit.parent)
    for field, value in changes.items():
        setattr(unit, field, value)
    _full_clean(unit)
    if (new_parent.pk if new_parent else None) != unit.parent_id:
        _move(actor, unit, new_parent)
    unit.save()
    return unit


def _move(actor: User | None, unit: Unit, new_parent: Unit | None) -> None:
    if new_parent is not None:
        new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})
    _authorise_unit_write(actor, "change", new_parent)
    old_path, old_depth = unit.path, unit.depth
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    new_depth = new_parent.depth + 1 if new_parent else 0
    # One statement rewrites the whole subtree's paths; the rows were locked by the caller's lock on `unit`
    # and by this UPDATE itself.
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") - old_depth + new_depth,
    )
    unit.parent = new_parent
    unit.path, unit.depth = new_path, new_depth

"""The data center's own rules on top of bureau.permissions: the center, and sensitive data sets."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from bureau.choices import UnitKind
from bureau.models import Unit, User


def is_center_member(user: User | AnonymousUser) -> bool:
    """Superusers and the people of the big-data center (a unit of kind "center", or below one)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    unit: Unit | None = getattr(user, "unit", None)
    if unit is None:
        return False
    # Asked several times a request (each selector's sensitive rule); remembered on the user for its unit.
    cached: tuple[int, bool] | None = getattr(user, "_center_member", None)
    if cached is not None and cached[0] == unit.pk:
        return cached[1]
    ids = [*unit.ancestor_ids(), unit.pk]
    member = Unit.objects.filter(pk__in=ids, kind=UnitKind.CENTER).exists()
    user._center_member = (unit.pk, member)  # type: ignore[attr-defined]
    return member


def sensitive_visible_q(user: User | AnonymousUser, prefix: str = "") -> Q:
    """Rows of sensitive data sets are for the owner department (and the units below it) and the center."""
    if is_center_member(user):
        return Q(**{f"{prefix}pk__isnull": False})  # everything (an empty Q would vanish when OR-ed)
    return ~Q(**{f"{prefix}sensitivity": "sensitive"}) | Q(**{f"{prefix}owner_unit_id__in": _own_units(user)})


def _own_units(user: User | AnonymousUser) -> list[int]:
    """The user's unit and the units above it: a data set owned by one of them is the user's own."""
    unit: Unit | None = getattr(user, "unit", None)
    return [*unit.ancestor_ids(), unit.pk] if unit is not None else []


def may_write_sensitive(user: User | AnonymousUser, dataset: Any) -> bool:
    """Loads into a sensitive data set (uploads, pulls, cancelling or retrying them) are its owner department's
    and the center's alone. A share opens it to a unit for reading, never for writing: without this, a unit
    it is shared with that also has the owner in its jurisdiction (the city bureau) could overwrite its records."""
    return dataset.sensitivity != "sensitive" or is_center_member(user) or dataset.owner_unit_id in _own_units(user)

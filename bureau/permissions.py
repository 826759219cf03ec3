"""Who may see and change what: the one place every app's pages and API ask.

Three layers, as in NetBox:
1. Model permissions, carried by the role groups (bureau.roles): may this user view,
   add, change or delete this kind of record at all?
2. Unit scope, as a queryset filter: leaders and auditors read everything; admins and
   bureau staff act within their jurisdiction (the city, or their county or zone
   bureau, with all units below it); division staff and department API clients act
   within their own unit and the units below it. Rights on a unit cascade to its
   sub-units.
3. Explicit grants on single objects (django-guardian): an expert assigned to one
   application. A model may also grant reading single rows to whole units: it names
   the lookup to those units in `unit_grants` (a sensitive data set shared with a
   department reaches that department and the units below it). They add to the scope.

Views and serializers never check roles by hand: they call `restrict()` (or use the
API viewset base in `bureau.api.viewsets`) and `require_perm`.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .choices import JURISDICTION_KINDS
from .models import Unit, User
from .roles import Role

M = TypeVar("M", bound=Model)

# Roles that read every record whatever their unit.
READ_ALL_ROLES = frozenset({Role.LEADER, Role.AUDITOR})
# Roles that act on every record of their jurisdiction.
JURISDICTION_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
# Roles that act on the records of their own unit (and its sub-units).
OWN_UNIT_ROLES = frozenset({Role.DIVISION_STAFF, Role.API_CLIENT})

ACTIONS = ("view", "add", "change", "delete")

# Roles that must sign in with a second factor (TOTP): leaders, administrators, and bureau staff,
# who decide on and pay out the pooled fund's money (funds.workflows.DECIDERS and PAYERS; a test
# keeps the two in step). Everyone else may enrol from their account page.
TWO_FACTOR_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.BUREAU_STAFF})


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The user's role names, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user.__dict__["_portal_roles"] = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def two_factor_required(user: User | AnonymousUser) -> bool:
    """Must this user pass a second factor before using the portal's pages?"""
    from django.conf import settings

    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, *TWO_FACTOR_ROLES)


def may_override_quota(user: User | AnonymousUser) -> bool:
    """May `user` take a transfer over a unit's headcount quota, with a recorded reason? Administrators only."""
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMIN))


def jurisdiction_of(unit: Unit) -> Unit:
    """The nearest unit at or above `unit` that heads a jurisdiction (the city, a county or zone bureau)."""
    if unit.kind in JURISDICTION_KINDS:
        return unit
    ancestors = {u.pk: u for u in Unit.objects.filter(pk__in=unit.ancestor_ids())}
    for pk in reversed(unit.ancestor_ids()):
        candidate = ancestors.get(pk)
        if candidate is not None and candidate.kind in JURISDICTION_KINDS:
            return candidate
    return unit


def _scoping_roles(user: User | AnonymousUser, action: str) -> frozenset[str] | None:
    """The user's roles that give them a unit scope for `action`; None means no limit."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    roles = user_roles(user)
    if action == "view" and roles & READ_ALL_ROLES:
        return None
    return roles & (JURISDICTION_ROLES | OWN_UNIT_ROLES)


def scope_paths(user: User | AnonymousUser, action: str) -> list[str] | None:
    """Tree paths whose subtrees the user may act on by role; None means no limit, [] nothing."""
    roles = _scoping_roles(user, action)
    if roles is None:
        return None
    unit: Unit | None = getattr(user, "unit", None) if roles else None
    if unit is None:
        return []
    paths = []
    if roles & JURISDICTION_ROLES:
        paths.append(jurisdiction_of(unit).path)
    if roles & OWN_UNIT_ROLES:
        paths.append(unit.path)
    return paths


def reaches_own_unit(user: User | AnonymousUser, action: str, model: type[Model]) -> bool:
    """Does `restrict` give `user` the rows of `model` owned by their own unit (grants aside)? Every scope holds
    one's own unit (its subtree, its jurisdiction's, or everything), so this is the model permission and whether
    the roles give a scope at all, answered without loading the unit: the top bar asks it on every page."""
    if (
        not user.is_authenticated
        or getattr(user, "unit_id", None) is None
        or not user.has_perm(perm_name(model, action))
    ):
        return False
    return _scoping_roles(user, action) != frozenset()


def perm_name(model: type[Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def scope_fields(model: type[Model]) -> tuple[str, ...]:
    """Lookups from a model to the units that own its rows (`scope_unit_field`: one, or a tuple)."""
    if model is Unit:
        return ("",)
    fields = getattr(model, "scope_unit_field", ())
    return (fields,) if isinstance(fields, str) else tuple(fields)


def restrict(queryset: QuerySet[M], user: User | AnonymousUser, action: str = "view") -> QuerySet[M]:
    """The rows of `queryset` that `user` may perform `action` on."""
    assert action in ACTIONS, action
    model = queryset.model
    perm = perm_name(model, action)
    allowed = Q(pk__in=[])
    if user.is_authenticated and user.has_perm(perm):
        # The organisation itself (units, posts, who holds them) is no secret to anyone
        # whose role may read it; changing it stays within scope.
        if action == "view" and getattr(model, "scope_public_read", False):
            return queryset
        paths = scope_paths(user, action)
        if paths is None:
            return queryset
        for field in scope_fields(model):
            lookup = f"{field}__path__startswith" if field else "path__startswith"
            for path in paths:
                allowed |= Q(**{lookup: path})
    if user.is_authenticated and getattr(model, "object_grants", False):
        granted = get_objects_for_user(user, perm, klass=model, accept_global_perms=False, with_superuser=False)
        allowed |= Q(pk__in=granted.values("pk"))
    if action == "view" and getattr(model, "unit_grants", None) and user.is_authenticated and user.has_perm(perm):
        allowed |= Q(pk__in=unit_granted(model, user).values("pk"))
    return queryset.filter(allowed)


def unit_granted(model: type[M], user: User | AnonymousUser) -> QuerySet[M]:
    """Rows of a model with `unit_grants` that are granted to the user's unit or to a unit above it."""
    lookup: str | None = getattr(model, "unit_grants", None)
    unit: Unit | None = getattr(user, "unit", None) if user.is_authenticated else None
    if not lookup or unit is None:
        return model._default_manager.none()
    return model._default_manager.filter(**{f"{lookup}__in": [*unit.ancestor_ids(), unit.pk]})


def can(user: User | AnonymousUser, action: str, obj: Model) -> bool:
    """May `user` perform `action` on this one object? The same rule as `restrict`, for one row."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def may_act_in_unit(user: User | AnonymousUser, action: str, model: type[Model], unit: Unit) -> bool:
    """For creating records: may `user` `action` records of `model` owned by `unit`?"""
    if not user.is_authenticated or not user.has_perm(perm_name(model, action)):
        return False
    return _within(scope_paths(user, action), unit)


def _within(paths: list[str] | None, unit: Unit) -> bool:
    """Is `unit` in the subtrees `paths` (None: no limit)?"""
    return paths is None or any(unit.path.startswith(p) for p in paths)


def acts_for_unit(user: User | AnonymousUser, unit: Unit) -> bool:
    """Is `unit` within the units `user` acts for, by role scope alone? For workflow steps, whose roles come
    from the workflow table rather than model permissions. Leaders, who change no records by permission,
    take decisions for their own jurisdiction."""
    paths = scope_paths(user, "change")
    own: Unit | None = getattr(user, "unit", None)
    if paths is not None and own is not None and has_role(user, Role.LEADER):
        paths = [*paths, jurisdiction_of(own).path]
    return _within(paths, unit)


def visible_units(user: User | AnonymousUser, action: str = "view") -> QuerySet[Unit]:
    return restrict(Unit.objects.all(), user, action)


def check(user: User | AnonymousUser, action: str, obj: Model) -> None:
    """Raise PermissionDenied unless `can(user, action, obj)`; services call this."""
    from django.core.exceptions import PermissionDenied

    if not can(user, action, obj):
        raise PermissionDenied

"""Reads shared by every app: the audit history."""

from __future__ import annotations

import datetime

import pghistory.models
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Model, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from bureau.models import Unit, User
from bureau.permissions import restrict, scope_paths


def tracked_models() -> dict[str, type[Model]]:
    """The business models whose changes the audit history records, by label, with their event model."""
    found: dict[str, type[Model]] = {}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.abstract:
            found[model.pgh_tracked_model._meta.label] = model  # type: ignore[attr-defined]
    return dict(sorted(found.items()))


def reads_all_history(viewer: User | AnonymousUser) -> bool:
    """Does `viewer` read the whole history? Superusers and those whose view scope has no limit (auditors,
    leaders) do, and so do those whose scope holds every unit (the administrators of the city itself)."""
    paths = scope_paths(viewer, "view")
    if paths is None:
        return True
    if not paths:
        return False
    outside = Unit.objects.all()
    for path in paths:
        outside = outside.exclude(path__startswith=path)
    return not outside.exists()


def audit_events(
    *,
    viewer: User | AnonymousUser,
    model: str | None = None,
    object_id: str | None = None,
    user: Model | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    include_computed: bool = False,
) -> QuerySet[pghistory.models.MiddlewareEvents]:
    """Newest first, only events of records `viewer` may read. Naming a model reads only that model's event table.

    Updates that changed only computed columns (a search vector, an indicator's last computation) are left
    out unless `include_computed`.
    """
    events = pghistory.models.MiddlewareEvents.objects.all()
    event_models = tracked_models()
    if model and model in event_models:
        event_models = {model: event_models[model]}
    events = events.across(*event_models.values())
    if not reads_all_history(viewer):
        events = events.filter(_readable_records(viewer, event_models))
    if not include_computed:
        events = events.filter(_not_only_computed(event_models))
    if object_id:
        events = events.filter(pgh_obj_id=object_id)
    if user is not None:
        events = events.filter(user=user)
    if date_from:
        events = events.filter(pgh_created_at__date__gte=date_from)
    if date_to:
        events = events.filter(pgh_created_at__date__lte=date_to)
    return events.select_related("user").order_by("-pgh_created_at", "-pgh_id")


def _not_only_computed(event_models: dict[str, type[Model]]) -> RawSQL:
    """SQL: the event is not an update whose changes are all in computed columns."""
    from .audit import computed_fields

    table = f'"{pghistory.models.MiddlewareEvents._meta.db_table}"'
    cases, params = [], []
    for label, event_model in event_models.items():
        computed = sorted(computed_fields(event_model.pgh_tracked_model))  # type: ignore[attr-defined]
        if computed:
            cases.append(f"WHEN %s THEN COALESCE({table}.pgh_diff, '{{}}'::jsonb) - %s::text[]")
            params += [label, computed]
    if not cases:
        return RawSQL("TRUE", [], output_field=BooleanField())
    remaining = f"CASE {table}.pgh_obj_model {' '.join(cases)} ELSE {table}.pgh_diff END"
    sql = f"NOT ({table}.pgh_label = %s AND {table}.pgh_diff IS NOT NULL AND ({remaining}) = %s::jsonb)"
    # Only table names and placeholders are written into the SQL; every value is a parameter.
    return RawSQL(sql, ["update", *params, "{}"], output_field=BooleanField())  # noqa: S611


def _readable_records(viewer: User | AnonymousUser, event_models: dict[str, type[Model]]) -> Q:
    """Events whose tracked record `viewer` may read, by the same rule as every page (`restrict`).

    One subquery per tracked model inside the page's single query, so the query count does not grow
    with the rows. A deleted record is no longer in any scope: its events show to full readers only.
    """
    readable = Q(pk__in=[])
    for label, event_model in event_models.items():
        tracked: type[Model] = event_model.pgh_tracked_model  # type: ignore[attr-defined]
        ids = (
            restrict(tracked._default_manager.all(), viewer)
            .order_by()
            .annotate(audit_obj_id=Cast("pk", TextField()))
            .values("audit_obj_id")
        )
        readable |= Q(pgh_obj_model=label, pgh_obj_id__in=ids)
    return readable


def audit_users(viewer: User | AnonymousUser) -> QuerySet[User]:
    """The accounts `viewer` may pick in the audit history's user filter: all for those who read the whole
    history, else those of the units within the viewer's scope."""
    users = User.objects.order_by("username")
    if reads_all_history(viewer):
        return users
    paths = scope_paths(viewer, "view") or []
    within = Q(pk__in=[])
    for path in paths:
        within |= Q(unit__path__startswith=path)
    return users.filter(within)

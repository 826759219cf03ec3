"""Reads shared by every app: the audit history."""

from __future__ import annotations

import datetime

import pghistory.models
from django.apps import apps
from django.db.models import Model, QuerySet


def tracked_models() -> dict[str, type[Model]]:
    """The business models whose changes the audit history records, by label, with their event model."""
    found: dict[str, type[Model]] = {}
    for model in apps.get_models():
        if issubclass(model, pghistory.models.Event) and not model._meta.abstract:
            found[model.pgh_tracked_model._meta.label] = model  # type: ignore[attr-defined]
    return dict(sorted(found.items()))


def audit_events(
    *,
    model: str | None = None,
    object_id: str | None = None,
    user: Model | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[pghistory.models.MiddlewareEvents]:
    """Newest first. Naming a model reads only that model's event table."""
    events = pghistory.models.MiddlewareEvents.objects.all()
    event_models = tracked_models()
    if model and model in event_models:
        events = events.across(event_models[model])
    else:
        events = events.across(*event_models.values())
    if object_id:
        events = events.filter(pgh_obj_id=object_id)
    if user is not None:
        events = events.filter(user=user)
    if date_from:
        events = events.filter(pgh_created_at__date__gte=date_from)
    if date_to:
        events = events.filter(pgh_created_at__date__lte=date_to)
    return events.select_related("user").order_by("-pgh_created_at", "-pgh_id")

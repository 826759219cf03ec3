"""The audit history: one decorator that every business model uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pghistory
from django.db.models import Model

M = TypeVar("M", bound=type[Model])


def track(*, exclude: list[str] | None = None) -> Callable[[M], M]:
    """Record inserts, updates and deletes of a model in its event table, by database trigger.

    Triggers catch bulk and raw SQL changes too; the acting user and request come
    from pghistory's context (its middleware for pages, our token authentication for the API).
    """
    trackers = (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
    # The event's own time says when; a touched `updated_at` alone is not a change worth a row.
    decorator: Callable[[M], M] = pghistory.track(*trackers, exclude=["updated_at", *(exclude or [])])
    return decorator

"""The audit history: one decorator that every business model uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pghistory
import pgtrigger
from django.db.models import Model

M = TypeVar("M", bound=type[Model])

# Set (transaction-locally) by a statement that writes its insert events itself, set-based.
SET_BASED_AUDIT = "portal.audit_set_based"


def track(*, exclude: list[str] | None = None, set_based_inserts: bool = False) -> Callable[[M], M]:
    """Record inserts, updates and deletes of a model in its event table, by database trigger.

    Triggers catch bulk and raw SQL changes too; the acting user and request come
    from pghistory's context (its middleware for pages, our token authentication for the API).

    `set_based_inserts`: the insert trigger carries a WHEN clause so that a bulk statement which writes the
    same event rows itself (see `set_based_audit`) does not call it at all. pgtrigger's `ignore` would still
    call the trigger function once per row only for it to return: 0.35 s for 100,000 rows.
    """
    insert = pghistory.InsertEvent()
    if set_based_inserts:
        insert = pghistory.InsertEvent(
            condition=pgtrigger.Condition(f"current_setting('{SET_BASED_AUDIT}', true) IS DISTINCT FROM 'on'")
        )
    trackers = (insert, pghistory.UpdateEvent(), pghistory.DeleteEvent())
    # The event's own time says when; a touched `updated_at` alone is not a change worth a row.
    decorator: Callable[[M], M] = pghistory.track(*trackers, exclude=["updated_at", *(exclude or [])])
    return decorator


def set_based_audit(cursor: Any, on: bool) -> None:
    """Turn the insert triggers of `set_based_inserts` models off or back on, for this transaction only."""
    cursor.execute("SELECT set_config(%s, %s, true)", [SET_BASED_AUDIT, "on" if on else "off"])

"""The moves an ingestion job may make: from -> to, and who makes them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import JobStatus as S

# (from, to) -> who: "worker" (the Celery task), "user" (someone who may change the job), "sweep" (beat)
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.QUEUED, S.RUNNING): frozenset({"worker"}),
    (S.RUNNING, S.RUNNING): frozenset({"worker"}),  # a retry after the worker died
    (S.RUNNING, S.SUCCEEDED): frozenset({"worker"}),
    (S.RUNNING, S.FAILED): frozenset({"worker", "sweep"}),
    (S.QUEUED, S.FAILED): frozenset({"worker", "sweep"}),
    (S.QUEUED, S.CANCELLED): frozenset({"user"}),
    (S.RUNNING, S.CANCELLED): frozenset({"user"}),
    (S.FAILED, S.QUEUED): frozenset({"user"}),  # Retry
    (S.CANCELLED, S.QUEUED): frozenset({"user"}),  # Retry
}


def allowed(current: str, target: str, who: str) -> bool:
    return who in TRANSITIONS.get((current, target), frozenset())


def check(current: str, target: str, who: str) -> None:
    if not allowed(current, target, who):
        raise ValidationError(
            _("A job that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )

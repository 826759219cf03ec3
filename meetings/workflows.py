"""The joint meeting's state machines: from -> to -> the parts that may take the step.

Parts are defined in meetings.permissions.Part: the system (scheduled jobs), an
administrator, the convening division, the recording division, a member unit, the
owner division of an action item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .choices import ActionStatus, MeetingStatus, MinutesStatus
from .permissions import Part

A, C, R, OWN, S = Part.ADMIN, Part.CONVENOR, Part.RECORDER, Part.OWNER, Part.SYSTEM
Table = dict[str, dict[str, frozenset[str]]]
# The status codes of the three machines do not overlap, so one label map serves them all.
LABELS: dict[str, Any] = {
    value: label for enum in (MeetingStatus, MinutesStatus, ActionStatus) for value, label in enum.choices
}

MEETING: Table = {
    MeetingStatus.SCHEDULED: {
        MeetingStatus.AGENDA_OPEN: frozenset({C, A}),
        MeetingStatus.CANCELLED: frozenset({C, A}),
    },
    MeetingStatus.AGENDA_OPEN: {
        MeetingStatus.INVITED: frozenset({C, A}),
        MeetingStatus.CANCELLED: frozenset({C, A}),
    },
    MeetingStatus.INVITED: {
        MeetingStatus.HELD: frozenset({C, R, A}),
        MeetingStatus.CANCELLED: frozenset({C, A}),
    },
    MeetingStatus.HELD: {},
    MeetingStatus.CANCELLED: {},
}

MINUTES: Table = {
    MinutesStatus.DRAFT: {MinutesStatus.CIRCULATED: frozenset({R})},
    # back to the recording division to take in the comments, or on to the convenor
    MinutesStatus.CIRCULATED: {MinutesStatus.DRAFT: frozenset({R}), MinutesStatus.APPROVED: frozenset({C})},
    MinutesStatus.APPROVED: {MinutesStatus.PUBLISHED: frozenset({C})},
    # a published version is superseded only by publishing its correction
    MinutesStatus.PUBLISHED: {MinutesStatus.SUPERSEDED: frozenset({S})},
    MinutesStatus.SUPERSEDED: {},
}
# Who may start a correction of published minutes (a new draft version with its reason).
MINUTES_CORRECTION = frozenset({R, C})
# Who may write the draft, and who may comment on circulated minutes.
MINUTES_EDIT = frozenset({R})
MINUTES_COMMENT = frozenset({Part.MEMBER, C, R})

ACTION: Table = {
    ActionStatus.OPEN: {
        ActionStatus.IN_PROGRESS: frozenset({OWN}),
        ActionStatus.DONE: frozenset({OWN}),
        ActionStatus.OVERDUE: frozenset({S}),
    },
    ActionStatus.IN_PROGRESS: {
        ActionStatus.IN_PROGRESS: frozenset({OWN}),
        ActionStatus.DONE: frozenset({OWN}),
        ActionStatus.OVERDUE: frozenset({S}),
    },
    # an overdue item stays overdue until the owner reports it done
    ActionStatus.OVERDUE: {ActionStatus.OVERDUE: frozenset({OWN}), ActionStatus.DONE: frozenset({OWN})},
    # the convenor confirms the closure, or sends it back
    ActionStatus.DONE: {ActionStatus.CLOSED: frozenset({C}), ActionStatus.IN_PROGRESS: frozenset({C})},
    ActionStatus.CLOSED: {},
}


def check_move(table: Table, current: str, target: str, actor_parts: set[str]) -> None:
    """Raise ValidationError for a move the table lacks, PermissionDenied when none of the actor's parts may."""
    allowed = table.get(current, {}).get(target)
    if allowed is None:
        raise ValidationError(
            _("Cannot go from “%(current)s” to “%(target)s”."), code="invalid_transition",
            params={"current": LABELS.get(current, current), "target": LABELS.get(target, target)},
        )  # fmt: skip
    if not (allowed & actor_parts):
        raise PermissionDenied(_("You may not take this step."))


def check_part(allowed: frozenset[str], actor_parts: set[str]) -> None:
    if not (allowed & actor_parts):
        raise PermissionDenied(_("You may not take this step."))


def targets(table: Table, current: str, actor_parts: set[str]) -> list[str]:
    """The statuses the actor may move to from `current`, for buttons."""
    return [t for t, who in table.get(current, {}).items() if who & actor_parts]

"""The policy lifecycle: which moves exist and who may make them.

draft -> under review -> published -> amended | repealed | expired; under review can go back to draft.
`None` in a set of roles means the system itself (a scheduled job, an import) may make the move.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from bureau.models import User
from bureau.permissions import has_role
from bureau.roles import Role

from .choices import PolicyStatus as S

STAFF: frozenset[str | None] = frozenset({Role.BUREAU_STAFF, Role.ADMIN})
STAFF_OR_SYSTEM: frozenset[str | None] = STAFF | {None}

# (from, to) -> who may
TRANSITIONS: dict[tuple[str, str], frozenset[str | None]] = {
    (S.DRAFT, S.UNDER_REVIEW): STAFF_OR_SYSTEM,  # submit
    (S.UNDER_REVIEW, S.DRAFT): STAFF_OR_SYSTEM,  # send back for changes
    (S.UNDER_REVIEW, S.PUBLISHED): STAFF_OR_SYSTEM,  # publish
    (S.PUBLISHED, S.AMENDED): STAFF_OR_SYSTEM,  # a later version was published
    (S.PUBLISHED, S.REPEALED): STAFF_OR_SYSTEM,  # repeal
    (S.PUBLISHED, S.EXPIRED): STAFF_OR_SYSTEM,  # the expiry date passed
}


def allowed(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in TRANSITIONS


def may(user: User | None, from_status: str, to_status: str) -> bool:
    """Does the table let `user` (None: the system) make this move? Unit scope is checked by the service."""
    who = TRANSITIONS.get((from_status, to_status))
    if who is None:
        return False
    if user is None:
        return None in who
    return user.is_superuser or has_role(user, *(role for role in who if role is not None))


def check_move(user: User | None, from_status: str, to_status: str) -> None:
    """Raise ValidationError for a move the lifecycle lacks, PermissionDenied for one the user may not make."""
    if not allowed(from_status, to_status):
        raise ValidationError(
            _("A policy cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to_status).label},
            code="invalid_transition",
        )
    if not may(user, from_status, to_status):
        raise PermissionDenied


def next_statuses(user: User | None, status: str) -> list[str]:
    """The moves from `status` that `user` may make, in table order (for the page's buttons)."""
    return [to for (frm, to) in TRANSITIONS if frm == status and may(user, frm, to)]

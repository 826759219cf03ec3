"""The transfer workflow: from -> to -> who may. Services consult this table and nothing else."""

from __future__ import annotations

from .choices import TransferStatus as S
from .roles import Role

STAFF = frozenset({Role.BUREAU_STAFF, Role.ADMIN})

TRANSFER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.PLANNED, S.VIRTUAL): STAFF,
    (S.VIRTUAL, S.PHYSICAL): STAFF,
    (S.PHYSICAL, S.COMPLETED): STAFF,
    (S.PLANNED, S.CANCELLED): STAFF,
    (S.VIRTUAL, S.CANCELLED): STAFF,
    (S.PHYSICAL, S.CANCELLED): STAFF,
}

# The next phase of an open transfer, for the "advance" action.
NEXT_PHASE = {S.PLANNED: S.VIRTUAL, S.VIRTUAL: S.PHYSICAL, S.PHYSICAL: S.COMPLETED}

# Which date field a move into each status sets.
DATE_FIELD = {
    S.VIRTUAL: "virtual_on",
    S.PHYSICAL: "physical_on",
    S.COMPLETED: "completed_on",
    S.CANCELLED: "cancelled_on",
}

# Year one is virtual: by default the physical phase starts a year after the virtual one.
VIRTUAL_PHASE_MONTHS = 12


def allowed_roles(from_status: str, to_status: str) -> frozenset[str] | None:
    """Roles that may make this move, or None when the move does not exist."""
    return TRANSFER_TRANSITIONS.get((from_status, to_status))

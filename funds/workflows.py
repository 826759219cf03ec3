"""The application workflow: from -> to -> who may. Services consult this table and nothing else."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bureau.roles import Role

from .choices import ApplicationStatus as S

APPLICANTS = frozenset({Role.BUREAU_STAFF, Role.DIVISION_STAFF, Role.API_CLIENT, Role.ADMIN})
REVIEWERS = frozenset({Role.DIVISION_STAFF, Role.BUREAU_STAFF, Role.ADMIN})
DECIDERS = frozenset({Role.LEADER, Role.BUREAU_STAFF, Role.ADMIN})
PAYERS = frozenset({Role.BUREAU_STAFF, Role.ADMIN})
EXPERTS = frozenset({Role.EXPERT})

# (action, from) -> (to, roles). An action may lead to different states (review: pass, return, reject).
TRANSITIONS: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    ("submit", S.DRAFT): {S.SUBMITTED: APPLICANTS},
    ("submit", S.RETURNED): {S.SUBMITTED: APPLICANTS},
    ("review", S.SUBMITTED): {S.EXPERT_REVIEW: REVIEWERS, S.RETURNED: REVIEWERS, S.REJECTED: REVIEWERS},
    ("assign", S.EXPERT_REVIEW): {S.EXPERT_REVIEW: REVIEWERS},
    ("score", S.EXPERT_REVIEW): {S.EXPERT_REVIEW: EXPERTS, S.AWAITING_DECISION: EXPERTS},
    ("decide", S.AWAITING_DECISION): {S.PUBLIC_NOTICE: DECIDERS, S.REJECTED: DECIDERS},
    ("object", S.PUBLIC_NOTICE): {S.SUSPENDED: PAYERS},
    ("resolve", S.SUSPENDED): {S.PUBLIC_NOTICE: DECIDERS},
    ("close_notice", S.PUBLIC_NOTICE): {S.APPROVED: PAYERS},
    ("disburse", S.APPROVED): {S.APPROVED: PAYERS, S.AWAITING_ACCEPTANCE: PAYERS},
    ("accept", S.AWAITING_ACCEPTANCE): {S.CLOSED: REVIEWERS},
    **{("withdraw", s): {S.WITHDRAWN: APPLICANTS}
       for s in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.EXPERT_REVIEW, S.AWAITING_DECISION)},
    **{("cancel", s): {S.CANCELLED: DECIDERS} for s in (S.PUBLIC_NOTICE, S.SUSPENDED, S.APPROVED)},
}  # fmt: skip

# Whose side takes an action, and so whose unit the actor must act for (bureau.permissions.acts_for_unit):
# the applicant's (the unit that entered the application) or the programme owner's; an expert scores only
# what was assigned to them. A department's staff may enter and withdraw their own application, never
# review, decide or close it.
APPLICANT_SIDE = frozenset({"submit", "withdraw"})
EXPERT_SIDE = frozenset({"score"})
OWNER_SIDE = frozenset(action for action, _from in TRANSITIONS) - APPLICANT_SIDE - EXPERT_SIDE

# Days of public notice (公示), counted in working days of China's statutory calendar.
PUBLIC_NOTICE_WORKDAYS = 5
# Experts who must score an application before it can be decided.
MIN_EXPERTS = 2
# A reason is required for these moves.
NEEDS_REASON = frozenset({S.RETURNED, S.REJECTED, S.WITHDRAWN, S.CANCELLED})


def roles_for(action: str, from_status: str, to_status: str) -> frozenset[str] | None:
    return TRANSITIONS.get((action, from_status), {}).get(to_status)


def roles_of(action: str) -> frozenset[str]:
    """Every role that may take `action` from some state."""
    return frozenset(
        role for (a, _from), to in TRANSITIONS.items() if a == action for roles in to.values() for role in roles
    )


def actions_from(status: str) -> list[str]:
    return [action for action, source in TRANSITIONS if source == status]


# What a step was, for the application's timeline, by (from, to); None stands for any status before. A step
# that stays in its status (experts assigned, a tranche paid) says so instead of repeating the status.
STEP_LABELS: dict[tuple[str | None, str], Promise] = {
    ("", S.DRAFT): _("Entered as a draft"),
    (None, S.SUBMITTED): _("Application submitted"),
    (S.SUBMITTED, S.EXPERT_REVIEW): _("First review passed: to the experts"),
    (S.SUBMITTED, S.RETURNED): _("Returned for revision"),
    (S.SUBMITTED, S.REJECTED): _("Rejected in the first review"),
    (S.EXPERT_REVIEW, S.EXPERT_REVIEW): _("Experts assigned"),
    (S.EXPERT_REVIEW, S.AWAITING_DECISION): _("Scored by every expert"),
    (S.AWAITING_DECISION, S.PUBLIC_NOTICE): _("Approved by the bureau: public notice"),
    (S.AWAITING_DECISION, S.REJECTED): _("Rejected by the bureau"),
    (S.PUBLIC_NOTICE, S.SUSPENDED): _("Objection recorded"),
    (S.SUSPENDED, S.PUBLIC_NOTICE): _("Objection resolved: public notice again"),
    (S.PUBLIC_NOTICE, S.APPROVED): _("Public notice ended"),
    (S.APPROVED, S.APPROVED): _("Tranche paid"),
    (S.APPROVED, S.AWAITING_ACCEPTANCE): _("Last tranche paid"),
    (S.AWAITING_ACCEPTANCE, S.CLOSED): _("Acceptance check passed"),
    (None, S.WITHDRAWN): _("Application withdrawn"),
    (None, S.CANCELLED): _("Approval cancelled"),
}  # fmt: skip


def step_label(from_status: str, to_status: str) -> str:
    """The timeline's name for a move: what happened, falling back on the status reached."""
    label = STEP_LABELS.get((from_status, to_status)) or STEP_LABELS.get((None, to_status))
    return str(label if label is not None else S(to_status).label)

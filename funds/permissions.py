"""Who may take a step of an application: a role the workflow table allows, acting for the side that takes it.

One rule for the services (which refuse) and the application page (which offers only the steps a user may take).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from bureau.models import User
from bureau.permissions import acts_for_unit, can, has_role

from . import workflows
from .models import Application


def may_take(
    user: User | AnonymousUser, action: str, application: Application, roles: frozenset[str] | None = None
) -> bool:
    """May `user` take `action` on `application`: one of `roles` (by default every role the action allows from
    some state) and on its side: the applicant's unit, the programme owner's, or, for an expert, an
    application assigned to them."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not has_role(user, *(roles if roles is not None else workflows.roles_of(action))):
        return False
    if action in workflows.EXPERT_SIDE:
        return can(user, "view", application)
    owner = application.programme.owner_unit
    unit = (application.submitted_by_unit or owner) if action in workflows.APPLICANT_SIDE else owner
    return acts_for_unit(user, unit)

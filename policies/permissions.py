"""Who reads which policies: published text is public to every signed-in user with the view permission;
drafts and policies under review only to those who keep the catalogue (bureau staff, admins) and auditors."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from bureau.models import User
from bureau.permissions import has_role, restrict
from bureau.roles import Role

from .choices import PUBLIC_STATUSES
from .models import Policy

DRAFT_READERS = (Role.BUREAU_STAFF, Role.ADMIN, Role.AUDITOR)


def visible_policies(queryset: QuerySet[Policy], user: User | AnonymousUser) -> QuerySet[Policy]:
    if not user.is_authenticated or not user.has_perm("policies.view_policy"):
        return queryset.none()
    public = queryset.filter(status__in=PUBLIC_STATUSES)
    if user.is_superuser or has_role(user, *DRAFT_READERS):
        return public | restrict(queryset, user, "view")
    return public

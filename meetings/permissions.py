"""The joint meeting's rules on top of bureau.permissions.

`restrict()` scopes rows by the unit that owns them. The joint meeting adds one rule it
cannot express: the participants of a meeting (its member units on the meeting's date,
the convening and the recording division) see that meeting's records, and unpublished
minutes are seen only by them (and by leaders, auditors and administrators).

Who may take a workflow step is a *part* the user plays for a record, decided by the
user's own unit (a unit acts for the units below it, as in bureau.permissions):
convenor, recorder, member, owner; `None` as the actor is the system.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from bureau.models import Unit, User
from bureau.permissions import has_role, perm_name, restrict
from bureau.roles import Role

from .choices import PUBLIC_MINUTES

M = TypeVar("M", bound=Model)

# Roles that read the joint meeting's records whatever their unit, unpublished minutes included.
READ_ALL = (Role.LEADER, Role.AUDITOR, Role.ADMIN)


class Part:
    SYSTEM = "system"
    ADMIN = "admin"
    CONVENOR = "convenor"
    RECORDER = "recorder"
    MEMBER = "member"
    OWNER = "owner"


def reads_all(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or has_role(user, *READ_ALL)))


def acts_for(user: User | AnonymousUser | None, unit: Unit | None) -> bool:
    """Whether the user's own unit is `unit` or above it."""
    own: Unit | None = getattr(user, "unit", None)
    return bool(unit is not None and own is not None and unit.path.startswith(own.path))


def member_q(user: User | AnonymousUser, meeting_path: str = "") -> Q:
    """Rows of meetings the user's unit took part in: member on the date, convenor or recorder."""
    from .models import Membership

    own: Unit | None = getattr(user, "unit", None)
    if own is None or not user.is_authenticated:
        return Q(pk__in=[])
    date_ref = OuterRef(f"{meeting_path}date")
    seat = Membership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gte=date_ref), unit__path__startswith=own.path, joined_on__lte=date_ref
    )
    return (
        Q(**{f"{meeting_path}convening_unit__path__startswith": own.path})
        | Q(**{f"{meeting_path}recording_unit__path__startswith": own.path})
        | Q(Exists(seat))
    )


def readable(queryset: QuerySet[M], user: User | AnonymousUser, *, meeting_path: str | None = None) -> QuerySet[M]:
    """What the user may view: `restrict()`'s rows, plus the records of meetings the user's unit took part in."""
    rows = restrict(queryset, user, "view")
    if meeting_path is None or reads_all(user) or not user.has_perm(perm_name(queryset.model, "view")):
        return rows
    return queryset.filter(Q(pk__in=rows.values("pk")) | member_q(user, meeting_path))


def readable_minutes(queryset: QuerySet[M], user: User | AnonymousUser, *, path: str = "") -> QuerySet[M]:
    """Minutes (or their parts) the user may read: published ones for all, the rest for the meeting's participants."""
    rows = restrict(queryset, user, "view")
    if reads_all(user) or not user.has_perm(perm_name(queryset.model, "view")):
        return rows
    return queryset.filter(Q(**{f"{path}status__in": PUBLIC_MINUTES}) | member_q(user, f"{path}meeting__"))


def is_member_on(unit: Unit, date: object) -> bool:
    """Whether `unit` held a seat on the joint meeting on `date`."""
    from .models import Membership

    return (
        Membership.objects.filter(unit=unit, joined_on__lte=date)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=date))
        .exists()
    )


def parts(user: User | None, *, meeting: Model | None = None, owner_unit: Unit | None = None) -> set[str]:
    """The parts `user` plays for a meeting (and an action item's owner unit); the system when `user` is None."""
    if user is None:
        return {Part.SYSTEM}
    found: set[str] = set()
    if not user.is_authenticated or not user.is_active:
        return found
    if user.is_superuser or has_role(user, Role.ADMIN):
        found.add(Part.ADMIN)
    if meeting is not None:
        if acts_for(user, meeting.convening_unit) and user.has_perm("meetings.change_meeting"):  # type: ignore[attr-defined]
            found.add(Part.CONVENOR)
        if acts_for(user, meeting.recording_unit) and user.has_perm("meetings.change_minutes"):  # type: ignore[attr-defined]
            found.add(Part.RECORDER)
        own: Unit | None = getattr(user, "unit", None)
        # A member division's working staff; leaders and auditors of a member unit read, they do not comment.
        if own is not None and user.has_perm("meetings.add_minutescomment"):
            from .models import Membership

            seat = Membership.objects.filter(unit__path__startswith=own.path, joined_on__lte=meeting.date)  # type: ignore[attr-defined]
            if seat.filter(Q(left_on__isnull=True) | Q(left_on__gte=meeting.date)).exists():  # type: ignore[attr-defined]
                found.add(Part.MEMBER)
    if owner_unit is not None and acts_for(user, owner_unit) and user.has_perm("meetings.change_actionitem"):
        found.add(Part.OWNER)
    return found

"""Reads of the joint meeting. Every selector takes `user=` and goes through bureau.permissions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from bureau.models import Unit, User
from bureau.permissions import restrict
from core.search import search

from .choices import ActionStatus, AttendanceStatus, MeetingStatus, MinutesStatus
from .models import (
    ActionItem,
    AgendaAttachment,
    AgendaItem,
    Attendance,
    Brief,
    ItemSummary,
    Meeting,
    Membership,
    Minutes,
    MinutesComment,
    ProgressPost,
)
from .permissions import readable, readable_minutes

AnyUser = User | AnonymousUser


def membership_list(*, user: AnyUser, on: datetime.date | None = None) -> QuerySet[Membership]:
    """Who sits on the joint meeting is no secret to anyone who may view it; `restrict()` decides for the rest."""
    rows = Membership.objects.select_related("unit", "representative", "deputy")
    if not user.has_perm("meetings.view_membership"):
        rows = restrict(rows, user)
    if on is not None:
        rows = rows.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gte=on))
    return rows.order_by("unit__sort_order", "unit__code", "joined_on")


def meeting_list(*, user: AnyUser) -> QuerySet[Meeting]:
    rows = Meeting.objects.select_related("convening_unit", "recording_unit")
    return readable(rows, user, meeting_path="").order_by("-number")


def meeting_detail(*, user: AnyUser, pk: int) -> Meeting:
    """The meeting with its agenda (and attachments) and attendance; Meeting.DoesNotExist when not visible."""
    agenda = AgendaItem.objects.select_related("unit", "carried_action").prefetch_related("attachments")
    return (
        meeting_list(user=user)
        .prefetch_related(
            Prefetch("agenda", queryset=agenda.order_by("position", "pk")),
            Prefetch("attendance", queryset=Attendance.objects.select_related("unit").order_by("unit__sort_order")),
        )
        .get(pk=pk)
    )


def agenda_item_list(*, user: AnyUser) -> QuerySet[AgendaItem]:
    rows = AgendaItem.objects.select_related("meeting", "unit")
    return readable(rows, user, meeting_path="meeting__").order_by("-meeting__number", "position", "pk")


def attachment_for_download(*, user: AnyUser, pk: int) -> AgendaAttachment:
    items = agenda_item_list(user=user)
    return AgendaAttachment.objects.select_related("agenda_item").get(pk=pk, agenda_item__in=items)


def attendance_list(*, user: AnyUser) -> QuerySet[Attendance]:
    rows = Attendance.objects.select_related("meeting", "unit")
    return readable(rows, user, meeting_path="meeting__").order_by("-meeting__number", "unit__sort_order")


def minutes_list(*, user: AnyUser) -> QuerySet[Minutes]:
    rows = Minutes.objects.select_related("meeting", "previous")
    return readable_minutes(rows, user).order_by("-meeting__number", "-version")


def minutes_detail(*, user: AnyUser, pk: int) -> Minutes:
    items = ItemSummary.objects.select_related("agenda_item", "owner_unit").order_by("agenda_item__position", "pk")
    comments = MinutesComment.objects.select_related("unit", "author", "item").order_by("pk")
    return (
        minutes_list(user=user)
        .select_related("meeting__convening_unit", "meeting__recording_unit", "approved_by", "published_by")
        .prefetch_related(Prefetch("items", queryset=items), Prefetch("comments", queryset=comments))
        .get(pk=pk)
    )


def current_minutes(*, user: AnyUser, meeting: Meeting) -> list[Minutes]:
    """Every version of a meeting's minutes the user may read, newest first."""
    return list(minutes_list(user=user).filter(meeting=meeting))


def item_summary_list(*, user: AnyUser) -> QuerySet[ItemSummary]:
    rows = ItemSummary.objects.select_related("minutes__meeting", "agenda_item", "owner_unit")
    return readable_minutes(rows, user, path="minutes__")


def action_item_list(
    *,
    user: AnyUser,
    status: str | None = None,
    owner_unit: Unit | None = None,
    meeting: Meeting | None = None,
    due_before: datetime.date | None = None,
) -> QuerySet[ActionItem]:
    """The action-item board: everything needed per row in one query (no per-row queries)."""
    rows = ActionItem.objects.select_related("meeting", "owner_unit")
    rows = readable(rows, user, meeting_path="meeting__")
    if status:
        rows = rows.filter(status=status)
    if owner_unit is not None:
        rows = rows.filter(owner_unit__path__startswith=owner_unit.path)
    if meeting is not None:
        rows = rows.filter(meeting=meeting)
    if due_before is not None:
        rows = rows.filter(due_on__lte=due_before)
    return rows.order_by("due_on", "pk")


def action_item_detail(*, user: AnyUser, pk: int) -> ActionItem:
    posts = ProgressPost.objects.select_related("author").order_by("pk")
    return (
        action_item_list(user=user)
        .select_related("meeting__convening_unit", "agenda_item", "closed_by")
        .prefetch_related(Prefetch("progress", queryset=posts))
        .get(pk=pk)
    )


def progress_list(*, user: AnyUser) -> QuerySet[ProgressPost]:
    rows = ProgressPost.objects.select_related("action_item", "author")
    return readable(rows, user, meeting_path="action_item__meeting__").order_by("pk")


def brief_list(*, user: AnyUser) -> QuerySet[Brief]:
    """Briefs are posted to the members: a member unit reads all; others what restrict() gives them."""
    rows = Brief.objects.select_related("unit", "posted_by")
    visible = restrict(rows, user, "view")
    own: Unit | None = getattr(user, "unit", None)
    today = timezone.localdate()
    if own is not None and user.has_perm("meetings.view_brief"):
        member = (
            Membership.objects.filter(unit__path__startswith=own.path, joined_on__lte=today)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
            .exists()
        )
        if member:
            return rows.order_by("-created_at", "-pk")
    return visible.order_by("-created_at", "-pk")


def search_minutes(*, user: AnyUser, q: str) -> tuple[list[Minutes], list[ItemSummary]]:
    """Published minutes and their decisions and action items matching the query, best first."""
    minutes = search(minutes_list(user=user).filter(status=MinutesStatus.PUBLISHED), q)[:20]
    items = search(item_summary_list(user=user).filter(minutes__status=MinutesStatus.PUBLISHED), q)[:50]
    return list(minutes), list(items)


@dataclass
class UnitRecord:
    unit: Unit
    meetings: int
    attended: int
    on_time: int
    late: int

    @property
    def attendance_rate(self) -> float:
        return round(100 * self.attended / self.meetings, 1) if self.meetings else 0.0


def member_statistics(*, user: AnyUser) -> list[UnitRecord]:
    """Per member unit: meetings held while a member, attended (present or delegate), action items on time vs late.

    Everyone with the view permission sees these figures for every member unit (the issue's "everyone can
    see"): they are counts, not the records, which stay behind `readable()`.
    """
    if not user.has_perm("meetings.view_meeting"):
        return []
    memberships = list(
        Membership.objects.select_related("unit").order_by("unit__sort_order", "unit__code", "joined_on")
    )
    held = list(Meeting.objects.filter(status=MeetingStatus.HELD).values_list("pk", "date"))
    attended = set(Attendance.objects.exclude(status=AttendanceStatus.ABSENT).values_list("unit_id", "meeting_id"))
    actions = (
        ActionItem.objects.values("owner_unit_id")
        .annotate(
            n_on_time=Count("pk", filter=Q(done_on__isnull=False, done_on__lte=F("due_on"))),
            n_late=Count("pk", filter=Q(done_on__gt=F("due_on")) | Q(status=ActionStatus.OVERDUE)),
        )
        .order_by()
    )
    by_unit_actions = {row["owner_unit_id"]: row for row in actions}
    records: dict[int, UnitRecord] = {}
    for m in memberships:
        rec = records.setdefault(m.unit_id, UnitRecord(m.unit, 0, 0, 0, 0))
        for pk, date in held:
            if m.joined_on <= date and (m.left_on is None or m.left_on >= date):
                rec.meetings += 1
                rec.attended += (m.unit_id, pk) in attended
    for unit_id, rec in records.items():
        row = by_unit_actions.get(unit_id)
        if row:
            rec.on_time, rec.late = row["n_on_time"], row["n_late"]
    return list(records.values())

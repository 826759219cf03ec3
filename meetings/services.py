"""Writes of the joint meeting. Every function is atomic, takes the acting user and checks the step.

`actor=None` means the system itself (seed data, the daily job). A workflow step locks
its row, checks the move against `workflows.py` and the actor's part in it, saves, and
fires notifications and email once the transaction has committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau.models import Notification, Unit, User
from bureau.notifications import Notice, deliver, notify
from bureau.permissions import may_act_in_unit
from core import workdays
from core.search import document_vector

from . import workflows
from .choices import (
    PENDING_ACTIONS,
    UNCLOSED_ACTIONS,
    ActionStatus,
    AgendaItemKind,
    AgendaItemStatus,
    AttendanceStatus,
    MeetingStatus,
    MinutesStatus,
    NotificationKind,
    Outcome,
)
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
from .permissions import Part, acts_for, is_member_on, parts

# Largest agenda attachment accepted, in bytes.
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Reminders: this many calendar days before the due date, and on it.
REMIND_DAYS_BEFORE = 3
# The recording division files the minutes within this many working days of the meeting.
MINUTES_WORKING_DAYS = 5


def _today() -> datetime.date:
    return timezone.localdate()


def _lock(model: type[Any], pk: int) -> Any:
    return model.objects.select_for_update().get(pk=pk)


def _meeting_url(meeting: Meeting) -> str:
    return f"/meetings/{meeting.pk}/"


# --- membership ---


def _check_admin(actor: User | None, unit: Unit) -> None:
    if actor is not None and not may_act_in_unit(actor, "add", Membership, unit):
        raise PermissionDenied


MEMBERSHIP_FIELDS = {"representative", "representative_name", "deputy", "deputy_name", "left_on"}


def membership_check_seat(
    *, unit: Unit, joined_on: datetime.date, left_on: datetime.date | None, exclude_pk: int | None = None
) -> None:
    """A unit holds at most one seat at a time: refuse a period that overlaps another of its seats."""
    others = Membership.objects.filter(unit=unit)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    overlapping = others.filter(Q(left_on__isnull=True) | Q(left_on__gte=joined_on))
    if left_on is not None:
        overlapping = overlapping.filter(joined_on__lte=left_on)
    if overlapping.exists():
        raise ValidationError({"unit": _("This unit already holds a seat in that period.")})


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    unit: Unit,
    joined_on: datetime.date,
    representative: User | None = None,
    representative_name: str = "",
    deputy: User | None = None,
    deputy_name: str = "",
    left_on: datetime.date | None = None,
) -> Membership:
    """Give `unit` a seat from `joined_on`; a unit holds at most one seat at a time."""
    _check_admin(actor, unit)
    Unit.objects.select_for_update().get(pk=unit.pk)  # serialise seats of one unit
    membership = Membership(
        unit=unit, joined_on=joined_on, left_on=left_on, representative=representative,
        representative_name=representative_name, deputy=deputy, deputy_name=deputy_name,
    )  # fmt: skip
    membership.full_clean()
    membership_check_seat(unit=unit, joined_on=joined_on, left_on=left_on)
    membership.save()
    return membership


@transaction.atomic
def membership_update(*, actor: User | None, membership: Membership, **changes: Any) -> Membership:
    """Change the representative, the deputy or the date a unit leaves; the seat's unit and start stay."""
    unknown = set(changes) - MEMBERSHIP_FIELDS
    if unknown:
        raise TypeError(f"unknown membership fields: {sorted(unknown)}")
    membership = _lock(Membership, membership.pk)
    if actor is not None and not may_act_in_unit(actor, "change", Membership, membership.unit):
        raise PermissionDenied
    for field, value in changes.items():
        setattr(membership, field, value)
    membership.full_clean()
    membership_check_seat(
        unit=membership.unit, joined_on=membership.joined_on, left_on=membership.left_on, exclude_pk=membership.pk
    )
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, actor: User | None, membership: Membership, left_on: datetime.date) -> Membership:
    if membership.left_on is not None:
        raise ValidationError({"left_on": _("This unit has already left.")})
    return membership_update(actor=actor, membership=membership, left_on=left_on)


def members_on(date: datetime.date) -> list[Membership]:
    return list(
        Membership.objects.filter(joined_on__lte=date)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=date))
        .select_related("unit", "representative", "deputy")
        .order_by("unit__sort_order", "unit__code")
    )


# --- meetings ---


def _meeting_start(meeting: Meeting) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(meeting.date, meeting.start_time))


@transaction.atomic
def meeting_schedule(
    *,
    actor: User | None,
    date: datetime.date,
    start_time: datetime.time,
    convening_unit: Unit,
    recording_unit: Unit,
    agenda_deadline: datetime.datetime,
    number: int | None = None,
    title: str = "",
    place: str = "",
    online_url: str = "",
    end_time: datetime.time | None = None,
) -> Meeting:
    """Schedule the next meeting (第N次); the number defaults to one after the last."""
    if actor is not None and not (
        Part.ADMIN in parts(actor) or (acts_for(actor, convening_unit) and actor.has_perm("meetings.add_meeting"))
    ):
        raise PermissionDenied
    # One scheduler at a time, so two meetings never take the same number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('meetings.meeting_number'))")
    if number is None:
        number = (Meeting.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = Meeting(
        number=number, title=title, date=date, start_time=start_time, end_time=end_time, place=place,
        online_url=online_url, convening_unit=convening_unit, recording_unit=recording_unit,
        agenda_deadline=agenda_deadline, created_by=actor,
    )  # fmt: skip
    meeting.full_clean()
    if agenda_deadline > _meeting_start(meeting):
        raise ValidationError({"agenda_deadline": _("The agenda deadline must be before the meeting starts.")})
    meeting.save()
    return meeting


def _move_meeting(actor: User | None, meeting: Meeting, target: str) -> Meeting:
    meeting = _lock(Meeting, meeting.pk)
    workflows.check_move(workflows.MEETING, meeting.status, target, parts(actor, meeting=meeting))
    meeting.status = target
    return meeting


def _lock_carry_over() -> None:
    """Serialise the two writers of carried-over agenda items until the transaction ends.

    Publishing minutes creates action items and carries them onto the later meetings already open;
    opening a meeting carries the action items already committed. Run at the same time, neither
    sees the other's uncommitted rows and the new action items reach no agenda. Both take this lock
    first, before any row lock (so the two never wait on each other's rows while holding it); the
    second then reads what the first committed.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('meetings.carry_over'))")


def _carry_over(meeting: Meeting) -> int:
    """Put every unclosed action item of earlier meetings on this meeting's agenda, once each.

    The caller holds `_lock_carry_over()`.
    """
    pending = (
        ActionItem.objects.filter(status__in=UNCLOSED_ACTIONS, meeting__number__lt=meeting.number)
        .exclude(carried_onto__meeting=meeting)
        .order_by("meeting__number", "pk")
    )
    start = (meeting.agenda.aggregate(p=Max("position"))["p"] or 0) + 1
    items = [
        AgendaItem(
            meeting=meeting,
            kind=AgendaItemKind.CARRIED_OVER,
            unit_id=action.owner_unit_id,
            title=action.title,
            request=action.expected_result,
            status=AgendaItemStatus.ACCEPTED,
            position=start + i,
            carried_action=action,
        )
        for i, action in enumerate(pending)
    ]
    AgendaItem.objects.bulk_create(items)
    return len(items)


@transaction.atomic
def meeting_open_agenda(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Open the meeting for agenda items; unclosed action items of earlier meetings are carried onto it."""
    _lock_carry_over()
    meeting = _move_meeting(actor, meeting, MeetingStatus.AGENDA_OPEN)
    meeting.save(update_fields=["status", "updated_at"])
    _carry_over(meeting)
    return meeting


@transaction.atomic
def meeting_send_invitation(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Close the agenda and invite the member units (in the portal, and by email where configured)."""
    meeting = _move_meeting(actor, meeting, MeetingStatus.INVITED)
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["status", "invited_at", "updated_at"])
    title = _("Invitation: %(meeting)s on %(date)s") % {"meeting": meeting, "date": meeting.date.isoformat()}
    body = _("Place: %(place)s. The invitation (.ics) can be downloaded from the meeting page.") % {
        "place": meeting.place or meeting.online_url
    }
    notify(
        units=_invitees(meeting), kind=NotificationKind.INVITATION, title=title, body=body,
        url=_meeting_url(meeting), key=f"invitation:{meeting.pk}",
    )  # fmt: skip
    return meeting


def _invitees(meeting: Meeting) -> list[Unit]:
    """The units a meeting concerns: its member units on the day and the recording division, by key."""
    units = {m.unit for m in members_on(meeting.date)} | {meeting.recording_unit}
    return sorted(units, key=lambda u: u.pk)


@transaction.atomic
def meeting_mark_held(*, actor: User | None, meeting: Meeting, today: datetime.date | None = None) -> Meeting:
    """Record that the meeting took place; the minutes are due within five working days."""
    today = today or _today()
    meeting = _move_meeting(actor, meeting, MeetingStatus.HELD)
    if meeting.date > today:
        raise ValidationError(_("A meeting cannot be marked held before its date."), code="not_yet_held")
    meeting.held_at = timezone.now()
    meeting.minutes_due_on = workdays.add_workdays(meeting.date, MINUTES_WORKING_DAYS)
    meeting.save(update_fields=["status", "held_at", "minutes_due_on", "updated_at"])
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Call the meeting off for good (no step leads out of it); the member units and the recording division are told."""
    meeting = _move_meeting(actor, meeting, MeetingStatus.CANCELLED)
    meeting.save(update_fields=["status", "updated_at"])
    notify(
        units=_invitees(meeting), kind=NotificationKind.CANCELLATION,
        title=_("Cancelled: %(meeting)s on %(date)s") % {"meeting": meeting, "date": meeting.date.isoformat()},
        url=_meeting_url(meeting), key=f"cancellation:{meeting.pk}",
    )  # fmt: skip
    return meeting


MEETING_STEPS = {
    MeetingStatus.AGENDA_OPEN: meeting_open_agenda,
    MeetingStatus.INVITED: meeting_send_invitation,
    MeetingStatus.HELD: meeting_mark_held,
    MeetingStatus.CANCELLED: meeting_cancel,
}


def meeting_transition(*, actor: User | None, meeting: Meeting, to: str) -> Meeting:
    """One entry for pages and the API: the step to status `to`."""
    step = MEETING_STEPS.get(to)  # type: ignore[call-overload]
    if step is None:
        raise ValidationError({"to": _("Unknown status.")})
    result: Meeting = step(actor=actor, meeting=meeting)
    return result


# --- agenda ---


def _check_attachment(upload: UploadedFile) -> None:
    if upload.size is None or upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"attachments": _("“%(name)s” is larger than %(limit)s MB.") % {
                "name": upload.name, "limit": ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )  # fmt: skip
    if upload.size == 0:
        raise ValidationError({"attachments": _("“%(name)s” is empty.") % {"name": upload.name}})


@transaction.atomic
def agenda_item_submit(
    *,
    actor: User,
    meeting: Meeting,
    unit: Unit,
    title: str,
    background: str = "",
    request: str = "",
    attachments: Sequence[UploadedFile] = (),
    now: datetime.datetime | None = None,
) -> AgendaItem:
    """A member unit submits an item for the agenda, before the deadline, with its attachments."""
    now = now or timezone.now()
    meeting = _lock(Meeting, meeting.pk)
    if not (acts_for(actor, unit) and actor.has_perm("meetings.add_agendaitem")):
        raise PermissionDenied
    if meeting.status != MeetingStatus.AGENDA_OPEN:
        raise ValidationError(_("This meeting is not open for agenda items."), code="agenda_closed")
    if now > meeting.agenda_deadline:
        raise ValidationError(_("The deadline for agenda items has passed."), code="after_deadline")
    if unit.pk != meeting.convening_unit_id and not is_member_on(unit, meeting.date):
        raise ValidationError({"unit": _("Only member units submit agenda items.")})
    for upload in attachments:
        _check_attachment(upload)
    position = (meeting.agenda.aggregate(p=Max("position"))["p"] or 0) + 1
    item = AgendaItem(
        meeting=meeting, unit=unit, title=title, background=background, request=request, position=position,
        submitted_by=actor,
    )  # fmt: skip
    item.full_clean()
    item.save()
    for upload in attachments:
        _save_attachment(actor, item, upload)
    return item


def _save_attachment(actor: User, item: AgendaItem, upload: UploadedFile) -> AgendaAttachment:
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:200]
    attachment = AgendaAttachment(agenda_item=item, name=name, size=upload.size or 0, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def agenda_item_decide(*, actor: User | None, item: AgendaItem, status: str) -> AgendaItem:
    """The convenor accepts or defers a submitted item."""
    item = _lock(AgendaItem, item.pk)
    meeting = item.meeting
    workflows.check_part(frozenset({Part.CONVENOR, Part.ADMIN, Part.SYSTEM}), parts(actor, meeting=meeting))
    if status not in (AgendaItemStatus.ACCEPTED, AgendaItemStatus.DEFERRED):
        raise ValidationError({"status": _("Accept or defer the item.")})
    if meeting.status not in (MeetingStatus.AGENDA_OPEN, MeetingStatus.INVITED):
        raise ValidationError(_("The agenda of this meeting can no longer change."), code="agenda_fixed")
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def agenda_reorder(*, actor: User | None, meeting: Meeting, order: Sequence[int]) -> None:
    """The convenor orders the agenda: `order` lists the agenda items' ids, first to last."""
    meeting = _lock(Meeting, meeting.pk)
    workflows.check_part(frozenset({Part.CONVENOR, Part.ADMIN, Part.SYSTEM}), parts(actor, meeting=meeting))
    if meeting.status not in (MeetingStatus.AGENDA_OPEN, MeetingStatus.INVITED):
        raise ValidationError(_("The agenda of this meeting can no longer change."), code="agenda_fixed")
    items = {i.pk: i for i in AgendaItem.objects.select_for_update().filter(meeting=meeting).order_by("pk")}
    if sorted(order) != sorted(items):
        raise ValidationError({"order": _("List every agenda item of this meeting exactly once.")})
    for position, pk in enumerate(order, start=1):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])


# --- attendance ---


@transaction.atomic
def attendance_record(
    *,
    actor: User | None,
    meeting: Meeting,
    unit: Unit,
    status: str,
    attendee_name: str = "",
    absence_reason: str = "",
    today: datetime.date | None = None,
) -> Attendance:
    """The convening or recording division records one member unit's attendance."""
    today = today or _today()
    meeting = _lock(Meeting, meeting.pk)
    workflows.check_part(
        frozenset({Part.CONVENOR, Part.RECORDER, Part.ADMIN, Part.SYSTEM}), parts(actor, meeting=meeting)
    )
    if meeting.status == MeetingStatus.CANCELLED or meeting.date > today:
        raise ValidationError(_("Attendance is recorded once the meeting takes place."), code="not_yet_held")
    if not is_member_on(unit, meeting.date):
        raise ValidationError({"unit": _("%(unit)s was not a member unit on the meeting's date.") % {"unit": unit}})
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Unknown attendance status.")})
    row = Attendance.objects.filter(meeting=meeting, unit=unit).select_for_update().first() or Attendance(
        meeting=meeting, unit=unit
    )
    row.status = status
    row.attendee_name = attendee_name if status != AttendanceStatus.ABSENT else ""
    row.absence_reason = absence_reason if status == AttendanceStatus.ABSENT else ""
    row.recorded_by = actor
    row.full_clean()
    row.save()
    return row


# --- minutes ---


def _lock_minutes(minutes: Minutes) -> Minutes:
    locked: Minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes.pk)
    return locked


def _check_draft(minutes: Minutes) -> None:
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError(
            _("These minutes are %(status)s and can no longer be edited.") % {"status": minutes.get_status_display()},
            code="locked",
        )


@transaction.atomic
def minutes_file(*, actor: User | None, meeting: Meeting, preamble: str = "") -> Minutes:
    """The recording division starts the minutes of a held meeting (version 1, a draft)."""
    meeting = _lock(Meeting, meeting.pk)
    workflows.check_part(workflows.MINUTES_EDIT | {Part.SYSTEM}, parts(actor, meeting=meeting))
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError(_("Minutes are filed only for a meeting that has been held."), code="not_held")
    if meeting.minutes.exists():
        raise ValidationError(_("This meeting already has minutes."), code="exists")
    minutes = Minutes(meeting=meeting, preamble=preamble, filed_by=actor)
    minutes.save()
    return minutes


@transaction.atomic
def minutes_update(*, actor: User | None, minutes: Minutes, preamble: str) -> Minutes:
    minutes = _lock_minutes(minutes)
    workflows.check_part(workflows.MINUTES_EDIT | {Part.SYSTEM}, parts(actor, meeting=minutes.meeting))
    _check_draft(minutes)
    minutes.preamble = preamble
    minutes.save(update_fields=["preamble", "updated_at"])
    return minutes


@transaction.atomic
def minutes_save_item(
    *,
    actor: User | None,
    minutes: Minutes,
    agenda_item: AgendaItem,
    summary: str,
    outcome: str = Outcome.INFORMATION,
    owner_unit: Unit | None = None,
    due_on: datetime.date | None = None,
    expected_result: str = "",
) -> ItemSummary:
    """Write (or rewrite) the draft's summary of one agenda item with its outcome."""
    minutes = _lock_minutes(minutes)
    workflows.check_part(workflows.MINUTES_EDIT | {Part.SYSTEM}, parts(actor, meeting=minutes.meeting))
    _check_draft(minutes)
    errors: dict[str, str] = {}
    if agenda_item.meeting_id != minutes.meeting_id:
        errors["agenda_item"] = _("This agenda item belongs to another meeting.")
    elif agenda_item.status != AgendaItemStatus.ACCEPTED:
        errors["agenda_item"] = _("Only accepted agenda items are summarised.")
    if not summary.strip():
        errors["summary"] = _("Write the summary.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Unknown outcome.")
    if outcome == Outcome.ACTION and agenda_item.kind == AgendaItemKind.CARRIED_OVER:
        errors["outcome"] = _("This item follows up an existing action item; report on it instead.")
    elif outcome == Outcome.ACTION:
        if owner_unit is None:
            errors["owner_unit"] = _("An action item needs an owner division.")
        if due_on is None:
            errors["due_on"] = _("An action item needs a due date.")
        elif due_on < minutes.meeting.date:
            errors["due_on"] = _("The due date cannot be before the meeting.")
    elif (
        outcome in Outcome.values
        and minutes.previous_id is not None
        and ActionItem.objects.filter(agenda_item=agenda_item).exists()
    ):
        # Publishing a correction updates the action items of the published version but never withdraws one:
        # an item no longer an action would stay open for good (carried over, marked overdue, reminded).
        errors["outcome"] = _(
            "This item is an action item of the published minutes and is being followed up; "
            "a correction cannot change its outcome."
        )
    if errors:
        raise ValidationError(errors)
    if outcome != Outcome.ACTION:
        owner_unit, due_on, expected_result = None, None, ""
    row = ItemSummary.objects.filter(minutes=minutes, agenda_item=agenda_item).first() or ItemSummary(
        minutes=minutes, agenda_item=agenda_item
    )
    row.summary, row.outcome, row.owner_unit, row.due_on = summary, outcome, owner_unit, due_on
    row.expected_result = expected_result
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def minutes_circulate(
    *, actor: User | None, minutes: Minutes, comment_deadline: datetime.datetime, now: datetime.datetime | None = None
) -> Minutes:
    """Send the draft to the attendees for amendment until `comment_deadline`."""
    now = now or timezone.now()
    minutes = _lock_minutes(minutes)
    workflows.check_move(
        workflows.MINUTES, minutes.status, MinutesStatus.CIRCULATED, parts(actor, meeting=minutes.meeting)
    )
    if comment_deadline <= now:
        raise ValidationError({"comment_deadline": _("The comment deadline must be in the future.")})
    if not minutes.items.exists():
        raise ValidationError(_("Summarise at least one agenda item before circulating."), code="empty")
    minutes.status = MinutesStatus.CIRCULATED
    minutes.comment_deadline = comment_deadline
    minutes.circulated_at = now
    minutes.save(update_fields=["status", "comment_deadline", "circulated_at", "updated_at"])
    attended = Attendance.objects.filter(meeting=minutes.meeting).exclude(status=AttendanceStatus.ABSENT)
    notify(
        units=[a.unit for a in attended.select_related("unit").order_by("unit_id")],
        kind=NotificationKind.CIRCULATION,
        title=_("Minutes circulated for comments: %(meeting)s") % {"meeting": minutes.meeting},
        body=_("Comments until %(deadline)s.")
        % {"deadline": timezone.localtime(comment_deadline).strftime("%Y-%m-%d %H:%M")},
        url=_meeting_url(minutes.meeting),
        key=f"circulation:{minutes.pk}:{now.isoformat()}",
    )
    return minutes


@transaction.atomic
def minutes_comment(
    *,
    actor: User,
    minutes: Minutes,
    body: str,
    item: ItemSummary | None = None,
    now: datetime.datetime | None = None,
) -> MinutesComment:
    """An attendee asks for an amendment of circulated minutes, before the comment deadline."""
    now = now or timezone.now()
    minutes = _lock_minutes(minutes)
    workflows.check_part(workflows.MINUTES_COMMENT, parts(actor, meeting=minutes.meeting))
    if minutes.status != MinutesStatus.CIRCULATED:
        raise ValidationError(_("Comments are taken only while the minutes are circulated."), code="not_circulated")
    if minutes.comment_deadline and now > minutes.comment_deadline:
        raise ValidationError(_("The deadline for comments has passed."), code="after_deadline")
    if item is not None and item.minutes_id != minutes.pk:
        raise ValidationError({"item": _("This item belongs to other minutes.")})
    if not body.strip():
        raise ValidationError({"body": _("Write the comment.")})
    if actor.unit is None:
        raise PermissionDenied
    comment = MinutesComment(minutes=minutes, item=item, unit=actor.unit, author=actor, body=body)
    comment.save()
    return comment


@transaction.atomic
def minutes_return_to_draft(*, actor: User | None, minutes: Minutes) -> Minutes:
    minutes = _lock_minutes(minutes)
    workflows.check_move(workflows.MINUTES, minutes.status, MinutesStatus.DRAFT, parts(actor, meeting=minutes.meeting))
    minutes.status = MinutesStatus.DRAFT
    minutes.save(update_fields=["status", "updated_at"])
    return minutes


@transaction.atomic
def minutes_approve(*, actor: User | None, minutes: Minutes) -> Minutes:
    minutes = _lock_minutes(minutes)
    workflows.check_move(
        workflows.MINUTES, minutes.status, MinutesStatus.APPROVED, parts(actor, meeting=minutes.meeting)
    )
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_by = actor
    minutes.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    return minutes


def _summary_text(minutes: Minutes, items: Iterable[ItemSummary]) -> str:
    return "\n".join([minutes.preamble, *(f"{i.agenda_item.title}\n{i.summary}\n{i.expected_result}" for i in items)])


@transaction.atomic
def minutes_publish(*, actor: User | None, minutes: Minutes) -> Minutes:
    """Publish approved minutes and lock them; their action items start, a corrected version is superseded."""
    _lock_carry_over()
    minutes = _lock_minutes(minutes)
    meeting = minutes.meeting
    workflows.check_move(workflows.MINUTES, minutes.status, MinutesStatus.PUBLISHED, parts(actor, meeting=meeting))
    if minutes.previous_id is not None:
        previous = _lock(Minutes, minutes.previous_id)
        workflows.check_move(workflows.MINUTES, previous.status, MinutesStatus.SUPERSEDED, {Part.SYSTEM})
        previous.status = MinutesStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = timezone.now()
    minutes.published_by = actor
    minutes.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    items = list(minutes.items.select_related("agenda_item", "owner_unit").order_by("pk"))
    Minutes.objects.filter(pk=minutes.pk).update(
        search_vector=document_vector((str(meeting), "A"), (_summary_text(minutes, items), "B"))
    )
    for item in items:
        ItemSummary.objects.filter(pk=item.pk).update(
            search_vector=document_vector(
                (item.agenda_item.title, "A"), (f"{item.summary}\n{item.expected_result}", "B")
            )
        )
    _start_action_items(meeting, items)
    notify(
        units=[m.unit for m in members_on(meeting.date)],
        kind=NotificationKind.PUBLICATION,
        title=_("Minutes published: %(meeting)s") % {"meeting": meeting},
        url=_meeting_url(meeting),
        key=f"publication:{minutes.pk}",
    )
    return minutes


def _start_action_items(meeting: Meeting, items: list[ItemSummary]) -> None:
    """Create the action items of published minutes; a correction updates those not yet done."""
    existing = {
        a.agenda_item_id: a for a in ActionItem.objects.select_for_update().filter(meeting=meeting).order_by("pk")
    }
    new_owners: list[ActionItem] = []
    for item in items:
        if item.outcome != Outcome.ACTION:
            continue
        assert item.owner_unit is not None
        assert item.due_on is not None
        action = existing.get(item.agenda_item_id)
        if action is None:
            action = ActionItem.objects.create(
                meeting=meeting, agenda_item=item.agenda_item, title=item.agenda_item.title,
                owner_unit=item.owner_unit, due_on=item.due_on, expected_result=item.expected_result,
            )  # fmt: skip
            new_owners.append(action)
        elif action.status in PENDING_ACTIONS or action.status == ActionStatus.OVERDUE:
            action.owner_unit, action.due_on, action.expected_result = (
                item.owner_unit,
                item.due_on,
                item.expected_result,
            )
            action.save(update_fields=["owner_unit", "due_on", "expected_result", "updated_at"])
    for action in new_owners:
        notify(
            units=[action.owner_unit], kind=NotificationKind.ASSIGNED,
            title=_("New action item: %(title)s") % {"title": action.title},
            body=_("Due on %(date)s.") % {"date": action.due_on.isoformat()},
            url=f"/meetings/actions/{action.pk}/", key=f"assigned:{action.pk}",
        )  # fmt: skip
    # Meetings already open for agenda items take the new items too.
    for later in Meeting.objects.filter(
        number__gt=meeting.number, status__in=[MeetingStatus.AGENDA_OPEN, MeetingStatus.INVITED]
    ).order_by("pk"):
        _carry_over(later)


@transaction.atomic
def minutes_correct(*, actor: User | None, minutes: Minutes, reason: str) -> Minutes:
    """Start a corrected version of published minutes; the published one stays readable until it is replaced."""
    minutes = _lock_minutes(minutes)
    workflows.check_part(workflows.MINUTES_CORRECTION | {Part.SYSTEM}, parts(actor, meeting=minutes.meeting))
    if minutes.status != MinutesStatus.PUBLISHED:
        raise ValidationError(_("Only published minutes are corrected."), code="not_published")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if Minutes.objects.filter(previous=minutes).exists():
        raise ValidationError(_("A correction of these minutes is already under way."), code="exists")
    draft = Minutes.objects.create(
        meeting=minutes.meeting, version=minutes.version + 1, preamble=minutes.preamble, reason=reason,
        previous=minutes, filed_by=actor,
    )  # fmt: skip
    ItemSummary.objects.bulk_create(
        ItemSummary(
            minutes=draft,
            agenda_item_id=i.agenda_item_id,
            summary=i.summary,
            outcome=i.outcome,
            owner_unit_id=i.owner_unit_id,
            due_on=i.due_on,
            expected_result=i.expected_result,
        )
        for i in minutes.items.order_by("pk")
    )
    return draft


def minutes_transition(
    *, actor: User | None, minutes: Minutes, to: str, comment_deadline: datetime.datetime | None = None
) -> Minutes:
    """One entry for pages and the API: the step of the minutes to status `to`."""
    if to == MinutesStatus.CIRCULATED:
        if comment_deadline is None:
            raise ValidationError({"comment_deadline": _("Give the deadline for comments.")})
        return minutes_circulate(actor=actor, minutes=minutes, comment_deadline=comment_deadline)
    steps = {
        MinutesStatus.DRAFT: minutes_return_to_draft,
        MinutesStatus.APPROVED: minutes_approve,
        MinutesStatus.PUBLISHED: minutes_publish,
    }
    step = steps.get(to)  # type: ignore[call-overload]
    if step is None:
        raise ValidationError({"to": _("Unknown status.")})
    result: Minutes = step(actor=actor, minutes=minutes)
    return result


# --- action items ---


@transaction.atomic
def action_progress(
    *,
    actor: User,
    item: ActionItem,
    body: str,
    done: bool = False,
    evidence: str = "",
    today: datetime.date | None = None,
) -> ProgressPost:
    """The owner division reports progress; `done=True` with evidence reports it done."""
    today = today or _today()
    item = _lock(ActionItem, item.pk)
    owner_parts = parts(actor, owner_unit=item.owner_unit)
    if Part.OWNER not in owner_parts:
        raise PermissionDenied(_("Only the owner division posts progress on this action item."))
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = _("Describe the progress.")
    if done and not evidence.strip():
        errors["evidence"] = _("Give the evidence that the action item is done.")
    if errors:
        raise ValidationError(errors)
    if done:
        target = ActionStatus.DONE
    elif item.status == ActionStatus.OPEN:
        target = ActionStatus.IN_PROGRESS
    else:
        target = ActionStatus(item.status)
    workflows.check_move(workflows.ACTION, item.status, target, owner_parts)
    item.status = target
    update = ["status", "updated_at"]
    if done:
        item.evidence, item.done_on = evidence, today
        update += ["evidence", "done_on"]
    item.save(update_fields=update)
    return ProgressPost.objects.create(action_item=item, author=actor, body=body, status_after=target)


def _convenor_step(actor: User | None, item: ActionItem, target: str) -> ActionItem:
    item = _lock(ActionItem, item.pk)
    workflows.check_move(workflows.ACTION, item.status, target, parts(actor, meeting=item.meeting))
    item.status = target
    return item


@transaction.atomic
def action_confirm_closure(*, actor: User | None, item: ActionItem) -> ActionItem:
    """The convenor confirms that a done action item is closed."""
    item = _convenor_step(actor, item, ActionStatus.CLOSED)
    item.closed_at, item.closed_by = timezone.now(), actor
    item.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    return item


@transaction.atomic
def action_reopen(*, actor: User | None, item: ActionItem, reason: str) -> ActionItem:
    """The convenor sends a done action item back to its owner."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the action item is sent back.")})
    item = _convenor_step(actor, item, ActionStatus.IN_PROGRESS)
    item.done_on = None
    item.save(update_fields=["status", "done_on", "updated_at"])
    if actor is not None:
        ProgressPost.objects.create(action_item=item, author=actor, body=reason, status_after=item.status)
    return item


# --- information briefs ---


@transaction.atomic
def brief_post(*, actor: User, unit: Unit, title: str, body: str, today: datetime.date | None = None) -> Brief:
    """A member unit posts an information brief (信息通报) to the members."""
    today = today or _today()
    if not (acts_for(actor, unit) and actor.has_perm("meetings.add_brief")):
        raise PermissionDenied
    if not is_member_on(unit, today):
        raise ValidationError({"unit": _("Only member units post information briefs.")})
    brief = Brief(unit=unit, title=title, body=body, posted_by=actor)
    brief.full_clean()
    brief.save()
    notify(
        units=[m.unit for m in members_on(today) if m.unit_id != unit.pk], kind=NotificationKind.BRIEF,
        title=_("Information brief from %(unit)s: %(title)s") % {"unit": unit, "title": title},
        url="/meetings/briefs/", key=f"brief:{brief.pk}",
    )  # fmt: skip
    return brief


# --- notifications and the daily job ---


@dataclass
class DailyReport:
    marked_overdue: int = 0
    due_soon: int = 0
    due_today: int = 0
    minutes_late: int = 0


@transaction.atomic
def run_daily_follow_up(*, today: datetime.date | None = None) -> DailyReport:
    """The daily job: mark overdue action items, remind owners and recording divisions, each exactly once."""
    today = today or _today()
    # Two runs at once (a retried task, a second beat) wait for each other instead of reminding twice.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('meetings.daily_follow_up'))")
    report = DailyReport()
    late = ActionItem.objects.filter(status__in=PENDING_ACTIONS, due_on__lt=today)
    overdue_rows = list(late.select_for_update().order_by("pk").values("pk", "owner_unit_id", "title", "due_on"))
    for status in PENDING_ACTIONS:
        workflows.check_move(workflows.ACTION, status, ActionStatus.OVERDUE, {Part.SYSTEM})
    report.marked_overdue = ActionItem.objects.filter(pk__in=[r["pk"] for r in overdue_rows]).update(
        status=ActionStatus.OVERDUE, overdue_since=today, updated_at=timezone.now()
    )
    notices = [
        Notice(
            r["owner_unit_id"],
            NotificationKind.OVERDUE,
            _("Action item overdue: %(title)s") % {"title": r["title"]},
            _("It was due on %(date)s.") % {"date": r["due_on"].isoformat()},
            f"/meetings/actions/{r['pk']}/",
            f"overdue:{r['pk']}:{r['due_on'].isoformat()}",
        )
        for r in overdue_rows
    ]
    # "Due soon" from three days before (a day the job missed is caught up the next day), "due today" on the day;
    # each once per item and due date.
    soon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    pending = ActionItem.objects.filter(status__in=PENDING_ACTIONS, due_on__range=(today, soon)).order_by("pk")
    for pk, unit_id, title, due_on in pending.values_list("pk", "owner_unit_id", "title", "due_on"):
        kind = NotificationKind.DUE_TODAY if due_on == today else NotificationKind.DUE_SOON
        if due_on == today:
            text = _("Action item due today: %(title)s") % {"title": title}
        else:
            text = _("Action item due in %(days)s days: %(title)s") % {"days": (due_on - today).days, "title": title}
        notices.append(
            Notice(unit_id, kind, text, _("Due on %(date)s.") % {"date": due_on.isoformat()},
                   f"/meetings/actions/{pk}/", f"{kind}:{pk}:{due_on.isoformat()}")
        )  # fmt: skip
    unfiled = (
        Meeting.objects.filter(status=MeetingStatus.HELD, minutes_due_on__lt=today)
        .exclude(minutes__status__in=[MinutesStatus.CIRCULATED, MinutesStatus.APPROVED, MinutesStatus.PUBLISHED,
                                      MinutesStatus.SUPERSEDED])
        .order_by("pk")
    )  # fmt: skip
    for meeting in unfiled:
        notices.append(
            Notice(
                meeting.recording_unit_id,
                NotificationKind.MINUTES_LATE,
                _("Minutes not filed: %(meeting)s") % {"meeting": meeting},
                _("The minutes were due within %(days)s working days, by %(date)s.")
                % {
                    "days": MINUTES_WORKING_DAYS,
                    "date": meeting.minutes_due_on.isoformat() if meeting.minutes_due_on else "",
                },
                _meeting_url(meeting),
                f"minutes_late:{meeting.pk}",
            )
        )
    return _count(report, deliver(notices))


def _count(report: DailyReport, created: list[Notification]) -> DailyReport:
    """Report the reminders actually sent this run (a second run the same day sends none)."""
    kinds = [n.kind for n in created]
    report.due_soon = kinds.count(NotificationKind.DUE_SOON)
    report.due_today = kinds.count(NotificationKind.DUE_TODAY)
    report.minutes_late = kinds.count(NotificationKind.MINUTES_LATE)
    return report

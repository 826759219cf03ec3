"""The director-level joint meeting (处长联席会议): members, meetings, agendas, minutes, action items."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history import track
from core.models import TimeStampedModel

from .choices import (
    OPEN_MINUTES,
    ActionStatus,
    AgendaItemKind,
    AgendaItemStatus,
    AttendanceStatus,
    MeetingStatus,
    MinutesStatus,
    Outcome,
)

USER = settings.AUTH_USER_MODEL


@track()
class Membership(TimeStampedModel):
    """A unit's seat on the joint meeting for a period, with its representative and deputy."""

    scope_unit_field = "unit"

    unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="meeting_memberships"
    )
    representative = models.ForeignKey(
        USER, verbose_name=_("representative (account)"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    representative_name = models.CharField(_("representative"), max_length=64, blank=True)
    deputy = models.ForeignKey(
        USER, verbose_name=_("deputy (account)"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deputy_name = models.CharField(_("deputy"), max_length=64, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__sort_order", "joined_on"]
        constraints = [
            models.CheckConstraint(
                name="membership_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                violation_error_message=_("A unit cannot leave before it joins."),
            ),
            models.CheckConstraint(
                name="membership_has_representative",
                condition=Q(representative__isnull=False) | ~Q(representative_name=""),
                violation_error_message=_("A member unit needs a representative."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def representative_label(self) -> str:
        return self.representative_name or (str(self.representative) if self.representative else "")

    @property
    def deputy_label(self) -> str:
        return self.deputy_name or (str(self.deputy) if self.deputy else "")


@track()
class Meeting(TimeStampedModel):
    """One session of the joint meeting (第N次), convened by one division and recorded by another."""

    scope_unit_field = "convening_unit"

    number = models.PositiveIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    convening_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("convening division"), on_delete=models.PROTECT, related_name="convened_meetings"
    )
    recording_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("recording division"), on_delete=models.PROTECT, related_name="recorded_meetings"
    )
    agenda_deadline = models.DateTimeField(_("agenda deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    minutes_due_on = models.DateField(_("minutes due on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                name="meeting_number_positive",
                condition=Q(number__gte=1),
                violation_error_message=_("The meeting number starts at 1."),
            ),
            models.CheckConstraint(
                name="meeting_place_or_online",
                condition=~Q(place="") | ~Q(online_url=""),
                violation_error_message=_("Give a place or an online meeting link."),
            ),
            models.CheckConstraint(
                name="meeting_ends_after_start",
                condition=Q(end_time__isnull=True) | Q(end_time__gt=F("start_time")),
                violation_error_message=_("The meeting must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Joint meeting no. %(number)s") % {"number": self.number})

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.place


@track()
class AgendaItem(TimeStampedModel):
    """An item on a meeting's agenda: submitted by a member unit, or an open action item carried over."""

    scope_unit_field = "unit"

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(_("kind"), max_length=16, choices=AgendaItemKind.choices, default=AgendaItemKind.SUBMITTED)
    unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("submitting unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    request = models.TextField(_("what is asked of the meeting"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AgendaItemStatus.choices, default=AgendaItemStatus.SUBMITTED
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    carried_action = models.ForeignKey(
        "meetings.ActionItem", verbose_name=_("carried-over action item"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="carried_onto",
    )  # fmt: skip
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("submitted by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "carried_action"],
                name="agenda_carry_over_once",
                condition=Q(carried_action__isnull=False),
                violation_error_message=_("This action item is already on the agenda."),
            ),
            models.CheckConstraint(
                name="agenda_carried_has_action",
                condition=Q(kind=AgendaItemKind.SUBMITTED) | Q(carried_action__isnull=False),
                violation_error_message=_("A carried-over item names its action item."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: AgendaAttachment, filename: str) -> str:
    return f"meetings/agenda/{instance.agenda_item.meeting_id}/{filename}"


@track()
class AgendaAttachment(TimeStampedModel):
    """A file attached to an agenda item; always downloaded as an attachment, never shown inline."""

    scope_unit_field = "agenda_item__unit"

    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agenda attachment")
        verbose_name_plural = _("agenda attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


@track()
class Attendance(TimeStampedModel):
    """Whether a member unit attended a meeting: present, through a delegate, or absent with a reason."""

    scope_unit_field = "unit"

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance")
    unit = models.ForeignKey("bureau.Unit", verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("attendance"), max_length=16, choices=AttendanceStatus.choices)
    attendee_name = models.CharField(_("attended by"), max_length=64, blank=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                name="attendance_once_per_unit",
                violation_error_message=_("This unit's attendance is already recorded."),
            ),
            models.CheckConstraint(
                name="attendance_delegate_named",
                condition=~Q(status=AttendanceStatus.DELEGATE) | ~Q(attendee_name=""),
                violation_error_message=_("Name the delegate."),
            ),
            models.CheckConstraint(
                name="attendance_absence_reason",
                condition=~Q(status=AttendanceStatus.ABSENT) | ~Q(absence_reason=""),
                violation_error_message=_("Give the reason for the absence."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"


@track()
class Minutes(TimeStampedModel):
    """One version of a meeting's minutes (纪要); a correction after publication is a new version."""

    scope_unit_field = "meeting__recording_unit"

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="minutes")
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    preamble = models.TextField(_("general summary"), blank=True)
    reason = models.TextField(_("reason for the correction"), blank=True)
    previous = models.OneToOneField(
        "self", verbose_name=_("previous version"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="correction",
    )  # fmt: skip
    comment_deadline = models.DateTimeField(_("comments until"), null=True, blank=True)
    filed_by = models.ForeignKey(
        USER, verbose_name=_("filed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    circulated_at = models.DateTimeField(_("circulated at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        USER, verbose_name=_("published by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting", "-version"]
        indexes = [GinIndex(fields=["search_vector"], name="minutes_search")]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "version"],
                name="minutes_version_unique",
                violation_error_message=_("This version of the minutes exists already."),
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                name="minutes_one_open_version",
                condition=Q(status__in=OPEN_MINUTES),
                violation_error_message=_("This meeting already has minutes being worked on."),
            ),
            models.CheckConstraint(
                name="minutes_correction_has_reason",
                condition=Q(previous__isnull=True) | ~Q(reason=""),
                violation_error_message=_("A correction needs its reason."),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Minutes of %(meeting)s, version %(version)s") % {"meeting": self.meeting, "version": self.version}
        )

    @property
    def is_locked(self) -> bool:
        return self.status not in (MinutesStatus.DRAFT,)


@track()
class ItemSummary(TimeStampedModel):
    """The minutes' summary of one agenda item, with its outcome: information, decision or action item."""

    scope_unit_field = "minutes__meeting__recording_unit"

    minutes = models.ForeignKey(Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="items")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="summaries"
    )
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.INFORMATION)
    owner_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("owner division"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    due_on = models.DateField(_("due date"), null=True, blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("item summary")
        verbose_name_plural = _("item summaries")
        ordering = ["minutes", "agenda_item__position", "agenda_item_id"]
        indexes = [GinIndex(fields=["search_vector"], name="itemsummary_search")]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "agenda_item"],
                name="summary_once_per_item",
                violation_error_message=_("This agenda item is already summarised in these minutes."),
            ),
            models.CheckConstraint(
                name="summary_action_has_owner_and_due",
                condition=~Q(outcome=Outcome.ACTION) | Q(owner_unit__isnull=False, due_on__isnull=False),
                violation_error_message=_("An action item needs an owner division and a due date."),
            ),
        ]

    def __str__(self) -> str:
        return self.summary[:40]


@track()
class MinutesComment(TimeStampedModel):
    """An attendee's amendment request on circulated minutes, on one item or the whole."""

    scope_unit_field = "unit"

    minutes = models.ForeignKey(Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(
        ItemSummary, verbose_name=_("item"), on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    unit = models.ForeignKey("bureau.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("minutes comment")
        verbose_name_plural = _("minutes comments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.body[:40]


@track()
class ActionItem(TimeStampedModel):
    """An action item (督办事项) from published minutes, followed up by its owner division until closed."""

    scope_unit_field = "owner_unit"

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="action_items"
    )
    agenda_item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="action_item"
    )
    title = models.CharField(_("title"), max_length=200)
    owner_unit = models.ForeignKey(
        "bureau.Unit", verbose_name=_("owner division"), on_delete=models.PROTECT, related_name="meeting_actions"
    )
    due_on = models.DateField(_("due date"))
    expected_result = models.TextField(_("expected result"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    evidence = models.TextField(_("evidence of completion"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closure confirmed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="actionitem_status_due")]
        constraints = [
            models.CheckConstraint(
                name="action_done_has_evidence",
                condition=~Q(status__in=[ActionStatus.DONE, ActionStatus.CLOSED]) | ~Q(evidence=""),
                violation_error_message=_("A done action item needs its evidence."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def on_time(self) -> bool | None:
        """Done by the due date (True), late (False), or not done yet (None)."""
        if self.done_on is None:
            return False if self.status == ActionStatus.OVERDUE else None
        return self.done_on <= self.due_on


def evidence_path(instance: ProgressPost, filename: str) -> str:
    return f"meetings/evidence/{instance.action_item_id}/{filename}"


@track()
class ProgressPost(TimeStampedModel):
    """A progress report by the owner division on its action item."""

    scope_unit_field = "action_item__owner_unit"

    action_item = models.ForeignKey(
        ActionItem, verbose_name=_("action item"), on_delete=models.CASCADE, related_name="progress"
    )
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("progress"))
    status_after = models.CharField(_("status after"), max_length=16, choices=ActionStatus.choices)

    class Meta:
        verbose_name = _("progress post")
        verbose_name_plural = _("progress posts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.body[:40]


@track()
class Brief(TimeStampedModel):
    """An information brief (信息通报) a member unit posts to the members between meetings."""

    scope_unit_field = "unit"

    unit = models.ForeignKey("bureau.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    posted_by = models.ForeignKey(USER, verbose_name=_("posted by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("information brief")
        verbose_name_plural = _("information briefs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

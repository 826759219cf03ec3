"""Statuses and kinds of the joint meeting's records."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    # scheduled by the convening division; members cannot submit agenda items yet
    SCHEDULED = "scheduled", _("Scheduled")
    # open for agenda items until the agenda deadline; open action items are carried over
    AGENDA_OPEN = "agenda_open", _("Open for agenda items")
    # the invitation has gone out to the member units
    INVITED = "invited", _("Invitation sent")
    # the meeting has taken place; attendance and minutes follow
    HELD = "held", _("Held")
    # called off before it took place
    CANCELLED = "cancelled", _("Cancelled")


class AgendaItemKind(models.TextChoices):
    # submitted by a member unit
    SUBMITTED = "submitted", _("Submitted by a member")
    # an open action item of an earlier meeting, carried over automatically
    CARRIED_OVER = "carried_over", _("Carried over")


class AgendaItemStatus(models.TextChoices):
    # waiting for the convenor's decision
    SUBMITTED = "submitted", _("Submitted")
    # on the agenda
    ACCEPTED = "accepted", _("Accepted")
    # put off to a later meeting
    DEFERRED = "deferred", _("Deferred")


class AttendanceStatus(models.TextChoices):
    # the representative or the deputy attended
    PRESENT = "present", _("Present")
    # the unit sent a delegate (named)
    DELEGATE = "delegate", _("Sent a delegate")
    # nobody attended (with the reason)
    ABSENT = "absent", _("Absent")


class MinutesStatus(models.TextChoices):
    # being written by the recording division
    DRAFT = "draft", _("Draft")
    # sent to the attendees for amendment until the comment deadline
    CIRCULATED = "circulated", _("Circulated")
    # approved by the convenor, not yet published
    APPROVED = "approved", _("Approved")
    # published to the members and locked
    PUBLISHED = "published", pgettext_lazy("minutes", "Published")
    # a published version replaced by a later correction; still readable
    SUPERSEDED = "superseded", _("Superseded")


# Minutes that anyone with the view permission may read; the rest only the members.
PUBLIC_MINUTES = (MinutesStatus.PUBLISHED, MinutesStatus.SUPERSEDED)
# Minutes still being worked on: at most one such version per meeting.
OPEN_MINUTES = (MinutesStatus.DRAFT, MinutesStatus.CIRCULATED, MinutesStatus.APPROVED)


class Outcome(models.TextChoices):
    # noted for information
    INFORMATION = "information", _("Information")
    # a decision of the meeting (议定事项)
    DECISION = "decision", _("Decision")
    # an action item followed up until closed (督办事项)
    ACTION = "action", _("Action item")


class ActionStatus(models.TextChoices):
    # assigned by published minutes, no progress yet
    OPEN = "open", _("Open")
    # the owner division has reported progress
    IN_PROGRESS = "in_progress", _("In progress")
    # the owner reports it done, with evidence; waiting for the convenor
    DONE = "done", _("Done")
    # the due date passed before it was done
    OVERDUE = "overdue", _("Overdue")
    # the convenor confirmed the closure
    CLOSED = "closed", _("Closed")


# Action items still followed up: carried onto the next agenda, reminded, marked overdue.
UNCLOSED_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.OVERDUE)
# Action items whose due date still matters (not yet reported done).
PENDING_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class NotificationKind(models.TextChoices):
    # an invitation to a meeting
    INVITATION = "invitation", _("Invitation")
    # a meeting called off
    CANCELLATION = "cancellation", _("Meeting cancelled")
    # minutes circulated for comments
    CIRCULATION = "circulation", _("Minutes circulated")
    # minutes published
    PUBLICATION = "publication", _("Minutes published")
    # an action item assigned to the unit
    ASSIGNED = "assigned", _("Action item assigned")
    # an action item is due in a few days
    DUE_SOON = "due_soon", _("Action item due soon")
    # an action item is due today
    DUE_TODAY = "due_today", _("Action item due today")
    # an action item became overdue
    OVERDUE = "overdue", _("Action item overdue")
    # the minutes of a held meeting are late
    MINUTES_LATE = "minutes_late", _("Minutes not filed")
    # an information brief from a member unit
    BRIEF = "brief", _("Information brief")

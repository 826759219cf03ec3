"""The organisation: units in one tree, and the portal's user accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history import track
from core.models import TimeStampedModel

from .choices import OPEN_TRANSFER_STATUSES, DivisionType, TransferStatus, UnitKind, UnitLevel


# When a user last opened their notices is a read receipt, like the last sign-in: no change worth a history row.
@track(exclude=["password", "last_login", "notifications_seen_at"])
class User(AbstractUser):
    """An account that signs in to the portal or calls its API, belonging to one unit."""

    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    unit = models.ForeignKey(
        "bureau.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Set when an administrator removes the user's two-factor devices: the reset is in the audit history.
    two_factor_reset_at = models.DateTimeField(_("two-factor reset at"), null=True, blank=True, editable=False)
    # When the user last opened their notices (bureau.services.notifications_mark_seen); the navbar counts
    # their unit's notices created since. Never: every notice is new.
    notifications_seen_at = models.DateTimeField(_("notifications seen at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


@track()
class Unit(TimeStampedModel):
    """An organisation unit: the leading group, a bureau, a division, a department, a county bureau..."""

    scope_public_read = True

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    level = models.CharField(_("level"), max_length=32, choices=UnitLevel.choices, default=UnitLevel.NONE)
    division_type = models.CharField(_("division type"), max_length=16, choices=DivisionType.choices, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of primary keys, "/1/5/12/": a subtree is one indexed prefix match.
    # Maintained by bureau.services only.
    path = models.CharField(_("tree path"), max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    headcount_min = models.PositiveIntegerField(_("headcount quota (minimum)"), null=True, blank=True)
    headcount_max = models.PositiveIntegerField(_("headcount quota (maximum)"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "code"]
        indexes = [models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"])]
        constraints = [
            models.CheckConstraint(
                name="unit_dissolved_after_established",
                condition=Q(established_on__isnull=True)
                | Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=F("established_on")),
                violation_error_message=_("A unit cannot be dissolved before it is established."),
            ),
            models.CheckConstraint(
                name="unit_headcount_range",
                condition=Q(headcount_min__isnull=True)
                | Q(headcount_max__isnull=True)
                | Q(headcount_min__lte=F("headcount_max")),
                violation_error_message=_("The minimum headcount must not exceed the maximum."),
            ),
            models.CheckConstraint(
                name="unit_not_own_parent",
                condition=~Q(parent=F("pk")),
                violation_error_message=_("A unit cannot be its own parent."),
            ),
            models.CheckConstraint(
                name="unit_division_type_only_for_divisions",
                condition=Q(division_type="") | Q(kind=UnitKind.DIVISION),
                violation_error_message=_("Only a bureau division is direct or shared."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """A division is named with its parent ("市商务局 电子商务处"): many units share a division's name."""
        if self.kind in (UnitKind.DIVISION, UnitKind.DEPARTMENT_DIVISION) and self.parent is not None:
            return f"{self.parent.short_name or self.parent.name} {self.name}"
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to this unit, read from the path without a query."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


@track()
class Person(TimeStampedModel):
    """Someone who holds or may hold posts: an official, a division's staff member, a transferee."""

    scope_unit_field = "home_unit"

    name = models.CharField(_("name"), max_length=64)
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("home unit"),
        help_text=_("The unit that holds the person's personnel relation before any transfer."),
        on_delete=models.PROTECT,
        related_name="home_people",
    )
    title = models.CharField(_("job title"), max_length=128, blank=True, help_text=_("e.g. 市委副秘书长"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        User, verbose_name=_("account"), on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


@track()
class Post(TimeStampedModel):
    """A position in a unit (局长, 副局长, 处长, 组员...), held by people through appointments."""

    scope_unit_field = "unit"
    scope_public_read = True

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("title"), max_length=64)
    is_leadership = models.BooleanField(_("leadership post"), default=False)
    max_holders = models.PositiveSmallIntegerField(
        _("maximum holders"), null=True, blank=True, help_text=_("Empty means any number of holders.")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["unit", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="post_max_holders_positive",
                condition=Q(max_holders__isnull=True) | Q(max_holders__gte=1),
                violation_error_message=_("A post has room for at least one holder."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.short_name or self.unit.name} {self.title}"


@track()
class Appointment(TimeStampedModel):
    """A person holding a post from a date to a date, full-time or concurrently, perhaps on behalf of a unit.

    Follows Popolo's Membership: person, organisation (the post's unit), post, dates, on_behalf_of.
    Ending an appointment sets its end date; the row stays, so history is never erased.
    """

    scope_unit_field = "post__unit"
    scope_public_read = True

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="appointments")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="appointments")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_concurrent = models.BooleanField(_("concurrent (兼任)"), default=False)
    on_behalf_of = models.ForeignKey(
        Unit,
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments_on_behalf",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="appointment_end_after_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["post", "start_date"], name="appointment_post_start")]

    def __str__(self) -> str:
        return f"{self.person} · {self.post}"


@track()
class Transfer(TimeStampedModel):
    """A staff transfer (划转) of one person from a home unit into the bureau, in two phases.

    Year one is virtual (the person works in the bureau; personnel, pay and assessment stay
    with the home unit); year two is physical (all of it moves). Each phase starts on its
    effective date; the dates below are the single source for "where on date D" questions.
    """

    # Both sides see it: the bureau unit receiving and the home unit giving.
    scope_unit_field = ("to_unit", "from_unit")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_unit = models.ForeignKey(Unit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.PLANNED
    )
    batch = models.UUIDField(
        _("batch"), null=True, blank=True, help_text=_("Transfers planned together for a division.")
    )
    planned_on = models.DateField(_("planned on"))
    virtual_on = models.DateField(_("virtual phase from"), null=True, blank=True)
    physical_on = models.DateField(_("physical phase from"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    quota_override_reason = models.TextField(_("headcount override reason"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("staff transfer")
        verbose_name_plural = _("staff transfers")
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_TRANSFER_STATUSES),
                name="transfer_one_open_per_person",
                violation_error_message=_("This person is already in a transfer that is not finished."),
            ),
            models.CheckConstraint(
                name="transfer_not_to_home_unit",
                condition=~Q(from_unit=F("to_unit")),
                violation_error_message=_("A transfer must go to another unit."),
            ),
            models.CheckConstraint(
                name="transfer_phases_in_order",
                condition=(Q(virtual_on__isnull=True) | Q(virtual_on__gte=F("planned_on")))
                & (Q(physical_on__isnull=True) | Q(virtual_on__isnull=False, physical_on__gte=F("virtual_on")))
                & (Q(completed_on__isnull=True) | Q(physical_on__isnull=False, completed_on__gte=F("physical_on"))),
                violation_error_message=_("The phases of a transfer must follow each other in order."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_unit} → {self.to_unit}"


class TransferStep(models.Model):
    """One move of a transfer through its workflow: from, to, effective date, who and when.

    Append-only; the transfer's own history (pghistory) records the same change at row level.
    """

    transfer = models.ForeignKey(Transfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(_("from status"), max_length=16, choices=TransferStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, choices=TransferStatus.choices)
    effective_date = models.DateField(_("effective date"))
    actor = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("transfer step")
        verbose_name_plural = _("transfer steps")
        ordering = ["transfer", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.from_status or '-'} → {self.to_status} ({self.effective_date})"


class Notification(TimeStampedModel):
    """An in-portal notice to a unit (and by e-mail to its people); `key` makes a notice go out exactly once.

    Every app notifies through `bureau.notifications.notify`; `kind` is the sending app's own word
    for it (e.g. "reminder", "application").
    """

    scope_unit_field = "unit"

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(_("key"), max_length=100, null=True, blank=True, unique=True)
    emailed_to = models.PositiveIntegerField(_("emailed to (addresses)"), default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "-created_at"], name="notification_unit_recent")]

    def __str__(self) -> str:
        return self.title


# Neither the hash of the secret nor each use goes into the audit history.
@track(exclude=["last_used_at", "key_hash"])
class ApiToken(models.Model):
    """A department system's key to the API: belongs to an API-client account, expires, can be revoked.

    Only a SHA-256 hash of the secret is stored; the secret is shown once, when it is issued.
    """

    scope_unit_field = "user__unit"

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, to recognise a token in lists and logs.
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    expires_on = models.DateField(_("expires on"))
    # Issued by /api/v1/auth/token/ to the account itself: each account keeps only its newest few of these.
    via_sign_in = models.BooleanField(_("issued at sign-in"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("revoked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A rotated token names the token that replaced it.
    replaced_by = models.OneToOneField(
        "self", verbose_name=_("replaced by"), on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="api_token_replaced_only_when_revoked",
                condition=Q(replaced_by__isnull=True) | Q(revoked_at__isnull=False),
                violation_error_message=_("Only a revoked token can have a replacement."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

"""The organisation: units in one tree, and the portal's user accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.history import track
from core.models import TimeStampedModel

from .choices import DivisionType, UnitKind, UnitLevel


@track(exclude=["password", "last_login"])
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


@track()
class Unit(TimeStampedModel):
    """An organisation unit: the leading group, a bureau, a division, a department, a county bureau..."""

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

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to this unit, read from the path without a query."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

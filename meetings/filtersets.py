from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.fields import UnitFilter, readable_choices
from bureau.models import Unit

from . import selectors
from .choices import ActionStatus, MeetingStatus, MinutesStatus
from .models import ActionItem, AgendaItem, Meeting, Minutes

readable_meetings = readable_choices(selectors.meeting_list)


def meetings_with_readable_minutes(request: HttpRequest | None) -> QuerySet[Meeting]:
    """The meetings a minutes filter offers: those readable, and those whose minutes are (published ones)."""
    if request is None:
        return Meeting.objects.none()
    user = request.user
    minutes = selectors.minutes_list(user=user).order_by().values("meeting_id")
    readable = selectors.meeting_list(user=user).order_by().values("pk")
    return Meeting.objects.filter(Q(pk__in=readable) | Q(pk__in=minutes)).order_by("-number")


MeetingChoices = Callable[[HttpRequest | None], QuerySet[Meeting]]


def meeting_filter(queryset: MeetingChoices = readable_meetings) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(label=_("Meeting"), queryset=queryset)


class MeetingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MeetingStatus.choices)

    class Meta:
        model = Meeting
        fields = ["status"]


class AgendaItemFilterSet(django_filters.FilterSet):
    meeting = meeting_filter()

    class Meta:
        model = AgendaItem
        fields = ["meeting", "status", "kind"]


class MinutesFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MinutesStatus.choices)
    meeting = meeting_filter(meetings_with_readable_minutes)

    class Meta:
        model = Minutes
        fields = ["status", "meeting"]


class ActionItemFilterSet(django_filters.FilterSet):
    """Shared by the action-item board and `/api/v1/action-items/`."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActionStatus.choices)
    owner_unit = UnitFilter(
        label=_("Owner division"), queryset=Unit.objects.filter(meeting_memberships__isnull=False).distinct(),
        method="in_subtree",
    )  # fmt: skip
    meeting = meeting_filter()
    due_before = django_filters.DateFilter(label=_("Due by"), field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = ["status", "owner_unit", "meeting", "due_before"]

    def in_subtree(self, queryset: QuerySet[ActionItem], name: str, value: Unit) -> QuerySet[ActionItem]:
        return queryset.filter(owner_unit__path__startswith=value.path)

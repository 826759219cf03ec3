import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.models import Unit

from .choices import ActionStatus, MeetingStatus, MinutesStatus
from .models import ActionItem, Meeting, Minutes


class MeetingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MeetingStatus.choices)

    class Meta:
        model = Meeting
        fields = ["status"]


class MinutesFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MinutesStatus.choices)

    class Meta:
        model = Minutes
        fields = ["status", "meeting"]


class ActionItemFilterSet(django_filters.FilterSet):
    """Shared by the action-item board and `/api/v1/action-items/`."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ActionStatus.choices)
    owner_unit = django_filters.ModelChoiceFilter(
        label=_("Owner division"), queryset=Unit.objects.filter(meeting_memberships__isnull=False).distinct(),
        method="in_subtree",
    )  # fmt: skip
    meeting = django_filters.ModelChoiceFilter(label=_("Meeting"), queryset=Meeting.objects.order_by("-number"))
    due_before = django_filters.DateFilter(label=_("Due by"), field_name="due_on", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = ["status", "owner_unit", "meeting", "due_before"]

    def in_subtree(self, queryset, name, value):
        return queryset.filter(owner_unit__path__startswith=value.path)

"""Filters shared by the organisation's pages and its API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput

from . import selectors
from .choices import TransferStatus, UnitKind
from .fields import PersonFilter, UnitFilter, readable_choices
from .models import Appointment, Notification, Person, Transfer, Unit
from .notifications import kind_labels

readable_people = readable_choices(selectors.person_list)


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    parent = UnitFilter(label=_("Parent unit"), queryset=Unit.objects.all())
    within = UnitFilter(label=_("Within"), queryset=Unit.objects.all(), method="filter_within")
    as_of = django_filters.DateFilter(label=_("As of"), method="filter_as_of", widget=DateInput)

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent", "within", "is_active", "as_of"]

    def search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__icontains=value))

    def filter_within(self, queryset: QuerySet[Unit], name: str, value: Unit) -> QuerySet[Unit]:
        return queryset.filter(path__startswith=value.path)

    def filter_as_of(self, queryset: QuerySet[Unit], name: str, value: datetime.date) -> QuerySet[Unit]:
        return queryset.filter(selectors.units_on(value))


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = UnitFilter(label=_("Holds a post in"), queryset=Unit.objects.all(), method="filter_unit")
    home_unit = UnitFilter(label=_("Home unit"), queryset=Unit.objects.all())
    as_of = django_filters.DateFilter(label=_("As of"), method="filter_noop", widget=DateInput)

    class Meta:
        model = Person
        fields = ["q", "unit", "home_unit", "as_of"]

    def search(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value))

    def filter_unit(self, queryset: QuerySet[Person], name: str, value: Unit) -> QuerySet[Person]:
        """People holding a post in the unit (or below it), on `as_of` when given, else ever."""
        held = Appointment.objects.filter(post__unit__path__startswith=value.path)
        as_of = self.form.cleaned_data.get("as_of")
        if as_of:
            held = held.filter(selectors.appointments_on(as_of))
        return queryset.filter(pk__in=held.values("person"))

    def filter_noop(self, queryset: QuerySet[Person], name: str, value: datetime.date) -> QuerySet[Person]:
        return queryset  # read by filter_unit


class AppointmentFilterSet(django_filters.FilterSet):
    person = PersonFilter(label=_("Person"), queryset=readable_people)
    unit = UnitFilter(label=_("Unit"), queryset=Unit.objects.all(), method="filter_unit")
    is_concurrent = django_filters.BooleanFilter(label=_("Concurrent"))
    as_of = django_filters.DateFilter(label=_("Held on"), method="filter_as_of", widget=DateInput)

    class Meta:
        model = Appointment
        fields = ["person", "post", "unit", "is_concurrent", "as_of"]

    def filter_unit(self, queryset: QuerySet[Appointment], name: str, value: Unit) -> QuerySet[Appointment]:
        return queryset.filter(post__unit__path__startswith=value.path)

    def filter_as_of(self, queryset: QuerySet[Appointment], name: str, value: datetime.date) -> QuerySet[Appointment]:
        return queryset.filter(selectors.appointments_on(value))


def notification_kinds() -> list[tuple[str, str]]:
    return list(kind_labels().items())


class NotificationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=notification_kinds)

    class Meta:
        model = Notification
        fields = ["kind"]


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TransferStatus.choices)
    unit = UnitFilter(label=_("Unit"), queryset=Unit.objects.all(), method="filter_unit")
    person = PersonFilter(label=_("Person"), queryset=readable_people)
    batch = django_filters.UUIDFilter(label=_("Batch"))
    as_of = django_filters.DateFilter(label=_("In force on"), method="filter_as_of", widget=DateInput)

    class Meta:
        model = Transfer
        fields = ["q", "status", "unit", "person", "batch", "as_of"]

    def search(self, queryset: QuerySet[Transfer], name: str, value: str) -> QuerySet[Transfer]:
        return queryset.filter(person__name__icontains=value)

    def filter_unit(self, queryset: QuerySet[Transfer], name: str, value: Unit) -> QuerySet[Transfer]:
        return queryset.filter(Q(to_unit__path__startswith=value.path) | Q(from_unit__path__startswith=value.path))

    def filter_as_of(self, queryset: QuerySet[Transfer], name: str, value: datetime.date) -> QuerySet[Transfer]:
        """Transfers whose virtual phase had begun on that date and that were not finished or undone by then."""
        return queryset.filter(virtual_on__lte=value).filter(
            (Q(completed_on__isnull=True) | Q(completed_on__gt=value))
            & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=value))
        )

"""Filters of the catalogue, shared by the list page and `/api/v1/policies/`."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bureau.fields import UnitFilter
from bureau.models import Unit
from core.forms import DateInput

from .choices import ChainSegment, LegacyDisposition, PolicyStatus, PolicyTier
from .models import LegacyPolicy, Policy, PolicyField
from .selectors import in_force, policy_search


class YearFilter(django_filters.NumberFilter):
    """A whole year in range: the database's year lookup fails on 0, 10000 or 2024.5."""

    field_class = forms.IntegerField


class PolicyFilterSet(django_filters.FilterSet):
    """`q` searches the Chinese full text, ranked (title hits first); the rest narrow the list."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    issuing_authority = UnitFilter(
        label=_("Issuing authority"),
        queryset=Unit.objects.filter(policies__isnull=False).distinct().order_by("path"),
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PolicyStatus.choices, empty_label=_("All"))
    segment = django_filters.ChoiceFilter(
        label=_("Chain segment"), choices=ChainSegment.choices, method="filter_segment", empty_label=_("All")
    )
    field = django_filters.ModelChoiceFilter(
        label=_("Field"),
        queryset=PolicyField.objects.filter(is_active=True).order_by("sort_order", "code"),
        to_field_name="code",
        method="filter_field",
        empty_label=_("All"),
    )
    year = YearFilter(
        label=_("Year published"), field_name="published_on", lookup_expr="year", min_value=1949, max_value=2100
    )
    tier = django_filters.ChoiceFilter(label=_("Place in 1+X"), choices=PolicyTier.choices, empty_label=_("All"))
    # The coverage map's cells link here: the policies in force on the map's date.
    in_force_on = django_filters.DateFilter(
        label=pgettext_lazy("policies", "In force on"), method="filter_in_force", widget=DateInput
    )

    class Meta:
        model = Policy
        fields = ["q", "issuing_authority", "status", "segment", "field", "year", "tier", "in_force_on"]

    def filter_q(self, queryset: QuerySet[Policy], name: str, value: str) -> QuerySet[Policy]:
        return policy_search(queryset, value) if value.strip() else queryset

    def filter_segment(self, queryset: QuerySet[Policy], name: str, value: str) -> QuerySet[Policy]:
        return queryset.filter(segments__contains=[value])

    def filter_field(self, queryset: QuerySet[Policy], name: str, value: Any) -> QuerySet[Policy]:
        return queryset.filter(fields=value)

    def filter_in_force(self, queryset: QuerySet[Policy], name: str, value: datetime.date) -> QuerySet[Policy]:
        return in_force(queryset, value)


class LegacyPolicyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or number"), method="filter_q")
    disposition = django_filters.ChoiceFilter(
        label=_("Disposition"), choices=LegacyDisposition.choices, empty_label=_("All")
    )
    issuing_authority = UnitFilter(
        label=_("Issuing authority"),
        queryset=Unit.objects.filter(legacy_policies__isnull=False).distinct().order_by("path"),
        empty_label=_("All"),
    )

    class Meta:
        model = LegacyPolicy
        fields = ["q", "disposition", "issuing_authority"]

    def filter_q(self, queryset: QuerySet[LegacyPolicy], name: str, value: str) -> QuerySet[LegacyPolicy]:
        return queryset.filter(title__icontains=value) | queryset.filter(document_number__icontains=value)

"""Filters shared by the fund's pages and API."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bureau.fields import readable_choices

from .choices import AccountKind, ApplicationStatus, TransferKind
from .models import Account, Application, LedgerTransfer
from .selectors import account_list, programme_list


class AccountFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AccountKind.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Account
        fields = ["kind", "owner_unit", "q"]

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class LedgerTransferFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TransferKind.choices)
    account = django_filters.ModelChoiceFilter(
        label=_("Account"), queryset=readable_choices(account_list), method="filter_account"
    )
    reference = django_filters.CharFilter(label=_("Reference"))
    posted_after = django_filters.DateFilter(
        label=_("Posted on or after"), field_name="created_at__date", lookup_expr="gte"
    )
    posted_before = django_filters.DateFilter(
        label=_("Posted on or before"), field_name="created_at__date", lookup_expr="lte"
    )

    class Meta:
        model = LedgerTransfer
        fields = ["kind", "account", "reference", "posted_after", "posted_before"]

    def filter_account(self, queryset: QuerySet[LedgerTransfer], name: str, value: Account) -> QuerySet[LedgerTransfer]:
        return queryset.filter(Q(from_account=value) | Q(to_account=value))


class ApplicationFilterSet(django_filters.FilterSet):
    """Applications by programme (专项), fiscal year, status, enterprise, or a search of title and enterprise."""

    programme = django_filters.ModelChoiceFilter(label=_("Programme"), queryset=readable_choices(programme_list))
    fiscal_year = django_filters.NumberFilter(label=_("Fiscal year"), field_name="programme__fiscal_year")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices)
    # A credit code typed, not chosen: a list of choices would spell out the whole enterprise master.
    enterprise = django_filters.CharFilter(label=_("Credit code"), field_name="enterprise__credit_code")
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Application
        fields = ["programme", "fiscal_year", "status", "enterprise", "q"]

    def search(self, queryset: QuerySet[Application], name: str, value: str) -> QuerySet[Application]:
        value = value.strip()
        return queryset.filter(
            Q(title__icontains=value) | Q(enterprise__name__icontains=value) | Q(enterprise__credit_code=value.upper())
        )

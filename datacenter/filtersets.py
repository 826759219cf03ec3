import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bureau.fields import UnitFilter
from bureau.models import Unit

from . import selectors
from .models import DataSet, Enterprise, IngestionJob


class DataSetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="")
    owner_unit = UnitFilter(
        label=_("Owner department"), queryset=Unit.objects.filter(data_sets__isnull=False).distinct()
    )

    class Meta:
        model = DataSet
        fields = ["owner_unit", "sensitivity", "frequency"]


def readable_datasets(request: HttpRequest | None) -> QuerySet[DataSet]:
    """The data sets a job filter offers: those the caller sees (a sensitive one's name is not for everyone)."""
    return selectors.dataset_list(user=request.user) if request is not None else DataSet.objects.none()


class IngestionJobFilterSet(django_filters.FilterSet):
    dataset = django_filters.ModelChoiceFilter(label=_("Data set"), queryset=readable_datasets)

    class Meta:
        model = IngestionJob
        fields = ["dataset", "status"]


class EnterpriseFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Enterprise
        fields = ["county", "industry", "size_class", "chain_segment"]

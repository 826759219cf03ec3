import django_filters
from django.utils.translation import gettext_lazy as _

from bureau.fields import UnitFilter, readable_choices
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


class IngestionJobFilterSet(django_filters.FilterSet):
    dataset = django_filters.ModelChoiceFilter(label=_("Data set"), queryset=readable_choices(selectors.dataset_list))

    class Meta:
        model = IngestionJob
        fields = ["dataset", "status"]


class EnterpriseFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Enterprise
        fields = ["county", "industry", "size_class", "chain_segment"]

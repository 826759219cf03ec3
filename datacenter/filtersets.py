import django_filters

from .models import DataSet, Enterprise, IngestionJob


class DataSetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="")

    class Meta:
        model = DataSet
        fields = ["owner_unit", "sensitivity", "frequency"]


class IngestionJobFilterSet(django_filters.FilterSet):
    class Meta:
        model = IngestionJob
        fields = ["dataset", "status"]


class EnterpriseFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Enterprise
        fields = ["county", "industry", "size_class", "chain_segment"]

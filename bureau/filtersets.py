import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import UnitKind
from .models import Unit


class UnitFilterSet(django_filters.FilterSet):
    """Shared by the unit pages and `/api/v1/units/`."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    parent = django_filters.ModelChoiceFilter(label=_("Parent unit"), queryset=Unit.objects.all())

    class Meta:
        model = Unit
        fields = ["q", "kind", "parent", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__icontains=value)

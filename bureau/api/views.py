from ..filtersets import UnitFilterSet
from ..models import Unit
from .serializers import UnitSerializer
from .viewsets import ScopedReadOnlyViewSet


class UnitViewSet(ScopedReadOnlyViewSet[Unit]):
    """The organisation's units."""

    queryset = Unit.objects.select_related("parent").order_by("path")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    ordering_fields = ["sort_order", "code", "name"]

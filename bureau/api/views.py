from rest_framework import viewsets

from core.api.permissions import ObjectPermissions

from .. import selectors
from ..filtersets import UnitFilterSet
from ..models import Unit
from .serializers import UnitSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet[Unit]):
    """The organisation's units."""

    queryset = selectors.unit_list()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    permission_classes = [ObjectPermissions]
    ordering_fields = ["sort_order", "code", "name"]

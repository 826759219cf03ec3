"""The ledger through the API: read-only; money moves only through the fund's workflow services."""

from __future__ import annotations

from bureau.api.viewsets import ScopedReadOnlyViewSet

from ..filtersets import AccountFilterSet, LedgerTransferFilterSet
from ..models import Account, LedgerTransfer
from .serializers import AccountSerializer, LedgerTransferSerializer


class AccountViewSet(ScopedReadOnlyViewSet[Account]):
    """Ledger accounts with their balances (yuan, two decimal places)."""

    queryset = Account.objects.order_by("code")
    serializer_class = AccountSerializer
    filterset_class = AccountFilterSet


class LedgerTransferViewSet(ScopedReadOnlyViewSet[LedgerTransfer]):
    """Posted ledger transfers, newest first. They are never changed; a correction is a new transfer."""

    queryset = LedgerTransfer.objects.select_related("actor").order_by("-created_at", "-pk")
    serializer_class = LedgerTransferSerializer
    filterset_class = LedgerTransferFilterSet

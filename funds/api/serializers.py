from __future__ import annotations

from rest_framework import serializers

from core.api.fields import YuanField

from ..models import Account, LedgerTransfer


class AccountSerializer(serializers.ModelSerializer[Account]):
    balance = YuanField(source="balance_fen", read_only=True)
    total_in = YuanField(source="credits_fen", read_only=True)
    total_out = YuanField(source="debits_fen", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "code", "name", "kind", "owner_unit", "allow_negative", "balance", "total_in", "total_out"]


class LedgerTransferSerializer(serializers.ModelSerializer[LedgerTransfer]):
    amount = YuanField(source="amount_fen", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = LedgerTransfer
        fields = [
            "id", "from_account", "to_account", "amount", "kind", "reference", "memo", "actor", "idempotency_key",
            "created_at",
        ]  # fmt: skip

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from bureau.models import User
from core.api.fields import YuanField

from ..models import Account, Application, ApplicationStep, FundSource, LedgerTransfer, Programme


class AccountSerializer(serializers.ModelSerializer[Account]):
    balance = YuanField(source="balance_fen", read_only=True)
    total_in = YuanField(source="credits_fen", read_only=True)
    total_out = YuanField(source="debits_fen", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "code", "name", "kind", "owner_unit", "allow_negative", "balance", "total_in", "total_out"]


class LedgerTransferSerializer(serializers.ModelSerializer[LedgerTransfer]):
    amount = YuanField(source="amount_fen", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = LedgerTransfer
        fields = [
            "id", "from_account", "to_account", "amount", "kind", "reference", "memo", "actor", "idempotency_key",
            "created_at",
        ]  # fmt: skip


class FundSourceSerializer(serializers.ModelSerializer[FundSource]):
    pledged = YuanField(source="pledged_fen", positive=True)
    paid_in = YuanField(source="account.debits_fen", read_only=True)

    class Meta:
        model = FundSource
        fields = ["id", "department", "fiscal_year", "name", "pledged", "paid_in", "account"]
        read_only_fields = ["account"]


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    budget_available = YuanField(source="budget_account.balance_fen", read_only=True)
    committed = YuanField(source="commitments_account.balance_fen", read_only=True)
    max_grant = YuanField(source="max_grant_fen", required=False, allow_null=True)

    class Meta:
        model = Programme
        fields = [
            "id", "code", "name", "fiscal_year", "policy", "owner_unit", "status", "opens_on", "closes_on",
            "segments", "fields", "max_grant", "bonus_small_micro", "bonus_middle", "rubric",
            "budget_available", "committed",
        ]  # fmt: skip


class ApplicationStepSerializer(serializers.ModelSerializer[ApplicationStep]):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ApplicationStep
        fields = ["from_status", "to_status", "actor", "reason", "at"]


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    """An application; on create, the enterprise is named by its credit code (created on first use)."""

    credit_code = serializers.CharField(write_only=True, max_length=32)
    enterprise_name = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    requested = YuanField(source="requested_fen", positive=True)
    approved = YuanField(source="approved_fen", read_only=True, allow_null=True)
    disbursed = YuanField(source="disbursed_fen", read_only=True)
    steps = ApplicationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id", "programme", "enterprise", "credit_code", "enterprise_name", "title", "description", "requested",
            "approved", "disbursed", "status", "score", "submitted_on", "notice_ends_on", "submitted_by_unit", "steps",
        ]  # fmt: skip
        read_only_fields = ["enterprise", "status", "score", "submitted_on", "notice_ends_on", "submitted_by_unit"]

    def to_representation(self, instance: Application) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["approved"] = None if instance.approved_fen is None else data["approved"]
        return data


class ApplicationReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationSubmitSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ApplicationReviewSerializer(ApplicationReasonSerializer):
    outcome = serializers.ChoiceField(choices=["pass", "return", "reject"])


class ApplicationAssignSerializer(serializers.Serializer[Any]):
    experts = serializers.PrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True))


class ApplicationScoreSerializer(serializers.Serializer[Any]):
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationDecideSerializer(ApplicationReasonSerializer):
    approve = serializers.BooleanField()
    amount = YuanField(positive=True, required=False, allow_null=True, default=None)


class ApplicationObjectSerializer(serializers.Serializer[Any]):
    raised_by = serializers.CharField(max_length=200)
    content = serializers.CharField()


class ApplicationDisburseSerializer(serializers.Serializer[Any]):
    amount = YuanField(positive=True)
    tranche_key = serializers.CharField(
        max_length=64, help_text="A key of your own for this tranche; repeats pay once."
    )

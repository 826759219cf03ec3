from rest_framework import serializers

from ..models import Unit


class UnitSerializer(serializers.ModelSerializer[Unit]):
    class Meta:
        model = Unit
        fields = [
            "id", "code", "name", "short_name", "kind", "level", "division_type", "parent",
            "headcount_min", "headcount_max", "sort_order", "is_active",
        ]  # fmt: skip

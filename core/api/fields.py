from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import MoneyError, fen_to_yuan, yuan_to_fen


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1234.50"})
class YuanField(serializers.Field):
    """Money in the API: yuan as a decimal string with two places; fen (int) inside the portal."""

    default_error_messages = {
        "invalid": _('Give an amount in yuan with at most two decimal places, e.g. "1234.50".'),
        "not_positive": _("The amount must be more than zero."),
    }

    def __init__(self, *, positive: bool = False, **kwargs: Any) -> None:
        self.positive = positive
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return fen_to_yuan(int(value))

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        try:
            fen = yuan_to_fen(data)
        except MoneyError:
            self.fail("invalid")
        if self.positive and fen <= 0:
            self.fail("not_positive")
        return fen

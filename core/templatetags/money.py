from __future__ import annotations

from django import template

from core.money import format_wan, format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Fen shown as 元 with thousands separators."""
    return "—" if fen is None else format_yuan(int(fen))


@register.filter
def wan(fen: int | None) -> str:
    """Fen shown as 万元."""
    return "—" if fen is None else format_wan(int(fen))

"""Money is an integer number of fen (分).

The API speaks yuan as decimal strings ("1234.50"); pages show 元 and 万元.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN_PER_YUAN = 100
FEN_PER_WAN = 100 * 10_000


class MoneyError(ValueError):
    """Not an amount of money in yuan with at most two decimal places."""


def yuan_to_fen(value: str | Decimal | int) -> int:
    """Parse yuan ("1234.5", "1,234.50", Decimal) into fen; refuses fractions of a fen and non-numbers."""
    text = str(value).strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not an amount: {value!r}")
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"fractions of a fen are not money: {value!r}")
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """Fen as a yuan decimal string with two places: 123450 -> "1234.50"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """For pages: 123450 -> "1,234.50"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{cents:02d}"


def format_wan(fen: int, places: int = 2) -> str:
    """For pages, in 万元: 1234500000 -> "1,234.50"."""
    value = Decimal(fen) / FEN_PER_WAN
    return f"{value:,.{places}f}"

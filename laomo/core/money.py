"""Money helpers of every module: exact sums to the fen on SQLite and PostgreSQL, parsing and display.

SQLite keeps a DECIMAL column with NUMERIC affinity (a float for 0.10); summing floats may drift, so sums
are taken over whole fen: ROUND(amount * 100) cast to an integer is exact for every 2-place amount, and the
integer sum is exact on both databases.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, F, Q, Sum
from django.db.models.functions import Cast, Coalesce, Round

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


def fen_sum(field: str = "amount", *, filter: Q | None = None):  # noqa: A002  (mirrors Django's aggregate API)
    """An aggregate giving the exact sum of a money field in fen (an int, 0 when there are no rows)."""
    return Coalesce(Sum(Cast(Round(F(field) * 100), BigIntegerField()), filter=filter), 0)


def yuan(fen: int | None) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(CENT)


def money_str(value) -> str:
    """'1234.50' — how the API and the summary report carry money."""
    return f"{Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def money_display(value) -> str:
    """'1,234.50' for pages."""
    return f"{Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def parse_money(value, *, field: str = "amount", label: str = "金额", allow_none: bool = False) -> Decimal | None:
    """A non-negative amount with at most 2 decimal places, or a ValidationError keyed by `field`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}格式不正确,请填写数字(元)。"})
    if not amount.is_finite():
        raise ValidationError({field: f"{label}格式不正确,请填写数字(元)。"})
    if amount < 0:
        raise ValidationError({field: f"{label}不能为负数。"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"{label}最多保留两位小数(精确到分)。"})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: f"{label}过大。"})
    return amount.quantize(CENT)

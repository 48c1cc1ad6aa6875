"""Money is stored in minor units (paise); the API speaks decimal numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_minor(amount: Decimal | float | int) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int | None) -> float:
    return round((minor or 0) / 100, 2)

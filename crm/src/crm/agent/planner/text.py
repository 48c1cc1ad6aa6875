"""Numbers and durations in normalised text (see `normalise` for how a goal gets there)."""

from __future__ import annotations

import re

from crm.agent.planner.normalise import NUM, UNIT, normalise

__all__ = ["NUM", "UNIT", "normalise", "parse_number", "to_days", "unit_days"]

UNIT_DAYS: dict[str, int] = {
    "day": 1,
    "week": 7,
    "wk": 7,
    "fortnight": 14,
    "month": 30,
    "mo": 30,
    "mth": 30,
    "quarter": 90,
    "qtr": 90,
    "year": 365,
    "yr": 365,
}
"""A month is 30 days, a quarter 90 and a year 365."""


def unit_days(unit: str) -> int:
    stem = unit.lower().rstrip("s") if unit.lower() not in ("mos",) else "mo"
    return UNIT_DAYS.get(stem, UNIT_DAYS.get(stem.rstrip("s"), 1))


def to_days(number: str | None, unit: str) -> int:
    """A whole number of days: `to_days("2", "months") == 60`; a missing number means one unit."""
    amount = float(number) if number else 1.0
    return round(amount * unit_days(unit))


def parse_number(text: str) -> float | None:
    """ "5k" → 5000, "2 lakh" → 200000, "₹1,500" → 1500, "two" → 2, "twenty five" → 25."""
    normal = normalise(text)
    match = re.search(NUM, normal)
    return float(match.group()) if match else None

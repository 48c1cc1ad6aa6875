"""Spreadsheet-safe CSV cells: a value that a spreadsheet would run as a formula is quoted."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return text  # numbers (even negative ones) are data, not formulas
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text

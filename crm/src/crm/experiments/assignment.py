"""Stable random assignment of a campaign's customers to the holdout, the arms and the test share.

Every draw is a function of (campaign id, customer id, purpose) alone, so the same customer always
lands in the same group of a campaign, whatever order customers are read in, and a launch can
assign its whole audience inside one INSERT … SELECT. The same arithmetic exists twice: in Python
(`draw`) and as a SQL expression (`draw_expression`) that SQLite and Postgres evaluate alike —
64-bit integer multiplication, modulo, shifts, AND and OR only (XOR is written `(a | b) - (a & b)`,
since SQLite has no XOR operator), every intermediate below 2**62 so nothing overflows on either
backend. Tests check that the two agree on both backends and that the split is uniform.

The mix is multiplication modulo the Mersenne prime 2**31 - 1 (a bijection) alternated with
xor-shifts, so consecutive customer ids (sign-up order) do not land in a visible pattern.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Final

from sqlalchemy import BigInteger, ColumnElement, Integer, literal

MODULUS: Final = (1 << 31) - 1
"""Draws are integers in [0, MODULUS)."""

BASIS_POINTS: Final = 10_000
"""Shares (holdout, test) are compared in hundredths of a percent."""

_CUSTOMER_MULTIPLIER: Final = 1_597_334_677
_CAMPAIGN_MULTIPLIER: Final = 1_103_515_245
_PURPOSE_MULTIPLIER: Final = 747_796_405
_MIX_1: Final = 2_027_477_731
_MIX_2: Final = 1_350_941_681
_SHIFTS: Final = (16, 13, 16)


class Purpose(IntEnum):
    """Independent draws per customer: being in the holdout does not inform the arm."""

    HOLDOUT = 0
    ARM = 1
    TEST_SHARE = 2


def _campaign_term(campaign_id: int, purpose: Purpose) -> int:
    return ((campaign_id % MODULUS) * _CAMPAIGN_MULTIPLIER + int(purpose) * _PURPOSE_MULTIPLIER) % MODULUS


def _xorshift(x: int, shift: int) -> int:
    return x ^ (x >> shift)


def draw(campaign_id: int, customer_id: int, purpose: Purpose) -> int:
    """The customer's draw in [0, MODULUS) for this campaign and purpose."""
    x = ((customer_id % MODULUS) * _CUSTOMER_MULTIPLIER + _campaign_term(campaign_id, purpose)) % MODULUS
    x = _xorshift(x, _SHIFTS[0])
    x = (x * _MIX_1) % MODULUS
    x = _xorshift(x, _SHIFTS[1])
    x = (x * _MIX_2) % MODULUS
    return _xorshift(x, _SHIFTS[2]) % MODULUS


def _big(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger)


def _sql_xorshift(x: Any, shift: int) -> Any:
    # Postgres shifts a bigint by an integer (there is no bigint >> bigint).
    shifted = x.op(">>")(literal(shift, Integer))
    return x.op("|")(shifted) - x.op("&")(shifted)


def draw_expression(campaign_id: int, customer_id: Any, purpose: Purpose) -> ColumnElement[int]:
    """`draw` as SQL over a customer id column (the campaign and purpose are constants)."""
    x: Any = (
        (customer_id % _big(MODULUS)) * _big(_CUSTOMER_MULTIPLIER) + _big(_campaign_term(campaign_id, purpose))
    ) % _big(MODULUS)
    x = _sql_xorshift(x, _SHIFTS[0])
    x = (x * _big(_MIX_1)) % _big(MODULUS)
    x = _sql_xorshift(x, _SHIFTS[1])
    x = (x * _big(_MIX_2)) % _big(MODULUS)
    result: ColumnElement[int] = _sql_xorshift(x, _SHIFTS[2]) % _big(MODULUS)
    return result


def basis_points(percent: float) -> int:
    """A share in percent as a whole number of basis points (20 -> 2000)."""
    return round(percent * 100)


def in_holdout(campaign_id: int, customer_id: int, holdout_percent: float) -> bool:
    return draw(campaign_id, customer_id, Purpose.HOLDOUT) % BASIS_POINTS < basis_points(holdout_percent)


def arm_of(campaign_id: int, customer_id: int, arms: int) -> int:
    """The 0-based arm among `arms` equally likely ones."""
    return draw(campaign_id, customer_id, Purpose.ARM) % arms


def in_test_share(campaign_id: int, customer_id: int, test_percent: float) -> bool:
    return draw(campaign_id, customer_id, Purpose.TEST_SHARE) % BASIS_POINTS < basis_points(test_percent)


def holdout_condition(campaign_id: int, customer_id: Any, holdout_percent: float) -> ColumnElement[bool]:
    """SQL: the customer is in the campaign's holdout (`in_holdout`)."""
    bucket = draw_expression(campaign_id, customer_id, Purpose.HOLDOUT) % _big(BASIS_POINTS)
    return bucket < _big(basis_points(holdout_percent))


def arm_expression(campaign_id: int, customer_id: Any, arms: int) -> ColumnElement[int]:
    """SQL: the customer's 0-based arm (`arm_of`)."""
    return draw_expression(campaign_id, customer_id, Purpose.ARM) % _big(arms)


def in_test_share_condition(campaign_id: int, customer_id: Any, test_percent: float) -> ColumnElement[bool]:
    """SQL: the customer is in the winner mode's test share (`in_test_share`)."""
    bucket = draw_expression(campaign_id, customer_id, Purpose.TEST_SHARE) % _big(BASIS_POINTS)
    return bucket < _big(basis_points(test_percent))

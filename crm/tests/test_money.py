"""Minor units: the fast path for two-place Decimals must agree with the general rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from crm.money import to_minor


def reference(amount: Decimal | float | int) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(
    st.decimals(min_value=Decimal(-(10**12)), max_value=Decimal(10**12), allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)
    | st.integers(-(10**12), 10**12)
)
def test_to_minor_equals_the_general_rounding(amount: Decimal | float | int) -> None:
    assert to_minor(amount) == reference(amount)


def test_to_minor_rounds_half_up_beyond_two_places() -> None:
    assert [to_minor(Decimal(v)) for v in ("1.23", "1.235", "-0.005", "1E+2", "499")] == [123, 124, -1, 10000, 49900]

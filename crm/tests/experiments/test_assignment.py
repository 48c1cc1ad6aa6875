"""Arm assignment is stable, uniform, independent per purpose, and the same in Python and in SQL
on both backends (a launch assigns in SQL; tests and the storefront reason in Python)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from sqlalchemy import BigInteger, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.experiments.assignment import (
    MODULUS,
    Purpose,
    arm_expression,
    arm_of,
    draw,
    draw_expression,
    holdout_condition,
    in_holdout,
    in_test_share,
    in_test_share_condition,
)

CAMPAIGNS = (1, 42, 987_654_321_012)


def spread_ids(n: int) -> list[int]:
    """Small sequential ids and ids beyond 2**31, as a long-lived install would have."""
    return [*range(1, n + 1), *(i * 1_000_003 + 4_294_967_311 for i in range(n))]


async def test_sql_draws_equal_the_python_draws_on_this_backend(session: AsyncSession) -> None:
    ids = select(literal(1, BigInteger).label("n")).cte("ids", recursive=True)
    ids = ids.union_all(select(ids.c.n + 1).where(ids.c.n < 1500))
    customer = (ids.c.n * literal(1_000_003, BigInteger) + literal(4_294_967_311, BigInteger)).label("customer")
    for campaign in CAMPAIGNS:
        for source in (ids.c.n, customer):
            columns = [draw_expression(campaign, source, purpose) for purpose in Purpose]
            rows = (await session.execute(select(source, *columns))).all()
            assert len(rows) == 1500
            for customer_id, *draws in rows:
                assert draws == [draw(campaign, int(customer_id), purpose) for purpose in Purpose]


async def test_sql_groups_equal_the_python_groups(session: AsyncSession) -> None:
    ids = select(literal(1, BigInteger).label("n")).cte("ids", recursive=True)
    ids = ids.union_all(select(ids.c.n + 1).where(ids.c.n < 2000))
    rows = (
        await session.execute(
            select(
                ids.c.n,
                holdout_condition(7, ids.c.n, 20),
                arm_expression(7, ids.c.n, 3),
                in_test_share_condition(7, ids.c.n, 25),
            )
        )
    ).all()
    for customer_id, held_out, arm, tested in rows:
        assert bool(held_out) == in_holdout(7, customer_id, 20)
        assert arm == arm_of(7, customer_id, 3)
        assert bool(tested) == in_test_share(7, customer_id, 25)
    assert 300 < sum(bool(r[1]) for r in rows) < 500  # ~20 % of 2,000


@given(st.integers(min_value=1, max_value=2**62), st.integers(min_value=1, max_value=2**62))
def test_a_draw_is_in_range_and_stable(campaign: int, customer: int) -> None:
    for purpose in Purpose:
        value = draw(campaign, customer, purpose)
        assert 0 <= value < MODULUS
        assert value == draw(campaign, customer, purpose)


def test_sequential_customers_split_uniformly_over_arms() -> None:
    for campaign in CAMPAIGNS:
        for arms in (2, 3, 5):
            counts = Counter(arm_of(campaign, customer, arms) for customer in spread_ids(15_000))
            assert stats.chisquare([counts[a] for a in range(arms)]).pvalue > 0.001


def test_holdout_share_matches_the_setting() -> None:
    customers = spread_ids(20_000)
    held = sum(in_holdout(42, c, 20) for c in customers)
    assert stats.binomtest(held, len(customers), 0.20).pvalue > 0.001
    assert not any(in_holdout(42, c, 0) for c in customers)


def test_holdout_arm_and_test_share_are_independent() -> None:
    table = [[0, 0], [0, 0]]
    tested = [[0, 0], [0, 0]]
    for customer in spread_ids(20_000):
        held = int(in_holdout(3, customer, 30))
        table[held][arm_of(3, customer, 2)] += 1
        tested[held][int(in_test_share(3, customer, 50))] += 1
    assert stats.chi2_contingency(table).pvalue > 0.001
    assert stats.chi2_contingency(tested).pvalue > 0.001


def test_two_campaigns_split_the_same_customers_independently() -> None:
    customers = spread_ids(10_000)
    table = [[0, 0], [0, 0]]
    for customer in customers:
        table[arm_of(100, customer, 2)][arm_of(101, customer, 2)] += 1
    assert stats.chi2_contingency(table).pvalue > 0.001

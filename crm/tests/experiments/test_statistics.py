"""The experiment statistics: published reference values, the winner rule, and calibration on
campaigns simulated by the storefront's own outcome model (the process that `make up` runs)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from crm.experiments.assignment import in_holdout
from crm.experiments.statistics import (
    ArmOutcome,
    GroupOutcome,
    conversion_difference_interval,
    decide_winner,
    holdout_lift,
)
from crm.experiments.storefront_model import StorefrontModel

CAMPAIGNS = 200
CUSTOMERS = 4000
HOLDOUT_PERCENT = 20
WINDOW_DAYS = 5
ORGANIC_RATE = 0.01  # orders per customer per day: ~4.9 % of customers order within 5 days anyway


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, example (a): 56/70 vs 48/80,
    # method 10 (hybrid score, no continuity correction): 0.0524 to 0.3339.
    low, high = conversion_difference_interval(GroupOutcome(70, 56), GroupOutcome(80, 48)) or (0, 0)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


def test_interval_with_no_conversions_is_finite_and_contains_zero() -> None:
    interval = conversion_difference_interval(GroupOutcome(50, 0), GroupOutcome(10, 0))
    assert interval is not None
    assert interval[0] < 0 < interval[1]
    assert conversion_difference_interval(GroupOutcome(50, 3), GroupOutcome(0, 0)) is None


def test_lift_reports_differences_and_incremental_totals() -> None:
    treated = GroupOutcome(1000, 100, [500.0] * 100)
    control = GroupOutcome(250, 10, [500.0] * 10)
    lift = holdout_lift(treated, control)
    assert lift.conversion_rate == pytest.approx(0.10 - 0.04)
    assert lift.incremental_conversions == pytest.approx(60)
    assert lift.revenue_per_customer == pytest.approx(50 - 20)
    assert lift.incremental_revenue == pytest.approx(30_000)
    assert lift.conversion_ci95 is not None and lift.conversion_ci95[0] > 0
    assert lift.revenue_ci95 is not None and lift.revenue_ci95[0] < 30 < lift.revenue_ci95[1]
    assert "Newcombe" in lift.conversion_method and "Welch" in lift.revenue_method


def test_no_revenue_anywhere_has_no_revenue_interval() -> None:
    assert holdout_lift(GroupOutcome(100, 0), GroupOutcome(20, 0)).revenue_ci95 is None


def test_winner_is_the_clearly_better_arm_and_the_decision_replays() -> None:
    arms = [ArmOutcome("A", 2000, clicked=100, converted=10), ArmOutcome("B", 2000, clicked=160, converted=11)]
    decision = decide_winner(arms, "click_rate", seed=5)
    assert decision.winner == 1 and decision.confident
    assert decision.probabilities[1] > 0.99
    assert decide_winner(arms, "click_rate", seed=5) == decision
    assert "B wins on click_rate" in decision.summary(arms)


def test_equal_arms_are_a_coin_flip_and_not_confident() -> None:
    arms = [ArmOutcome(name, 1000, clicked=50, converted=5) for name in "ABC"]
    decision = decide_winner(arms, "conversion_rate", seed=1)
    assert not decision.confident
    assert all(0.25 < p < 0.42 for p in decision.probabilities)


def test_revenue_winner_uses_revenue_per_recipient() -> None:
    arms = [
        ArmOutcome("A", 500, clicked=0, converted=20, revenues=[400.0] * 20),
        ArmOutcome("B", 500, clicked=0, converted=20, revenues=[2500.0] * 20),
    ]
    decision = decide_winner(arms, "revenue_per_recipient", seed=2)
    assert decision.winner == 1
    assert decision.values == [pytest.approx(16.0), pytest.approx(100.0)]


def simulate_campaign(campaign_id: int, uplift: float) -> tuple[GroupOutcome, GroupOutcome]:
    """One campaign as the storefront plays it: every customer orders organically over the
    window; each messaged (non-holdout) customer's delivered message may bring an extra order."""
    model = StorefrontModel(seed=campaign_id, organic_rate=ORGANIC_RATE, uplift=uplift, response_days=3.0)
    customers = np.arange(1, CUSTOMERS + 1)
    keys = model.keys(f"c-{c}" for c in customers)
    revenue = np.zeros(CUSTOMERS)
    for day in range(WINDOW_DAYS):
        orders = model.organic_orders(keys, 20_000 + day)
        np.add.at(revenue, orders.customer, orders.amount)
    held = np.array([in_holdout(campaign_id, int(c), HOLDOUT_PERCENT) for c in customers])
    messaged = np.flatnonzero(~held)
    responses = model.responses(model.keys(f"{campaign_id}-{c}" for c in customers[messaged]))
    assert (responses.delay_days <= WINDOW_DAYS).all()  # every response lands inside the window
    np.add.at(revenue, messaged[responses.message], responses.amount)

    def group(mask: np.ndarray) -> GroupOutcome:
        spent = revenue[mask]
        bought = spent[spent > 0]
        return GroupOutcome(int(mask.sum()), int(bought.size), bought.tolist())

    return group(~held), group(held)


def binomial_tolerance(rate: float) -> tuple[int, int]:
    """The central 99.8 % range of how many of CAMPAIGNS intervals should do something at `rate`."""
    return int(stats.binom.ppf(0.001, CAMPAIGNS, rate)), int(stats.binom.ppf(0.999, CAMPAIGNS, rate))


def test_with_no_uplift_about_5_percent_of_intervals_exclude_zero() -> None:
    """Observed (seeds 1..200): conversion 8/200 = 4 %, revenue 12/200 = 6 %; tolerance 2..21 of
    200 (1 %..10.5 %), the central 99.8 % of Binomial(200, 0.05)."""
    conversion_misses = revenue_misses = 0
    for campaign_id in range(1, CAMPAIGNS + 1):
        lift = holdout_lift(*simulate_campaign(campaign_id, uplift=0.0))
        assert lift.conversion_ci95 is not None and lift.revenue_ci95 is not None
        conversion_misses += not lift.conversion_ci95[0] <= 0 <= lift.conversion_ci95[1]
        revenue_misses += not lift.revenue_ci95[0] <= 0 <= lift.revenue_ci95[1]
    low, high = binomial_tolerance(0.05)
    print(f"uplift 0: intervals excluding 0 — conversion {conversion_misses}/200, revenue {revenue_misses}/200")
    assert low <= conversion_misses <= high
    assert low <= revenue_misses <= high


def test_with_a_known_uplift_the_intervals_cover_it_at_95_percent() -> None:
    """True effects: conversion uplift × (1 − P(organic order in the window)); revenue uplift × the
    mean order value (organic revenue is the same in both groups). Observed coverage (seeds
    1..200): conversion 192/200 = 96 %, revenue 190/200 = 95 %; tolerance 179..198 of 200, the
    central 99.8 % of Binomial(200, 0.95). 199/200 conversion intervals exclude 0 (the power here)."""
    uplift = 0.05
    model = StorefrontModel(seed=0, organic_rate=ORGANIC_RATE, uplift=1.0)
    mean_value = float(model.responses(model.keys(str(i) for i in range(400_000))).amount.mean())
    true_conversion = uplift * float(stats.poisson.pmf(0, ORGANIC_RATE * WINDOW_DAYS))
    true_revenue = uplift * mean_value
    conversion_covered = revenue_covered = conversion_detected = 0
    for campaign_id in range(1, CAMPAIGNS + 1):
        lift = holdout_lift(*simulate_campaign(campaign_id, uplift=uplift))
        assert lift.conversion_ci95 is not None and lift.revenue_ci95 is not None
        conversion_covered += lift.conversion_ci95[0] <= true_conversion <= lift.conversion_ci95[1]
        revenue_covered += lift.revenue_ci95[0] <= true_revenue <= lift.revenue_ci95[1]
        conversion_detected += lift.conversion_ci95[0] > 0
    low, high = binomial_tolerance(0.95)
    print(
        f"uplift {uplift}: coverage conversion {conversion_covered}/200, revenue {revenue_covered}/200, "
        f"conversion lift detected {conversion_detected}/200"
    )
    assert low <= conversion_covered <= high
    assert low <= revenue_covered <= high
    assert conversion_detected >= 190

"""The numbers an experiment reports: holdout lift with 95% intervals, and the winner rule.

Distributions come from SciPy; nothing here hand-writes one.

- Conversion lift (messaged − holdout share of customers who ordered): Newcombe's hybrid score
  interval for a difference of two independent proportions (Newcombe 1998, method 10), built
  from each group's Wilson score interval (`scipy.stats.binomtest(...).proportion_ci("wilson")`).
  Unlike the Wald interval it stays sensible with few or no conversions.
- Revenue lift (difference in mean revenue per customer, zeros included): Welch's unequal-variance
  t interval (`scipy.stats.ttest_ind(equal_var=False).confidence_interval`).
- Winner: Bayesian probability of being best. Rates (click, conversion) get a Beta(1, 1) prior
  and a Beta posterior per arm; revenue per recipient a normal approximation to each arm's mean.
  Posterior draws are seeded, so a decision replays identically.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

CONFIDENCE: Final = 0.95
CONVERSION_METHOD: Final = "Newcombe hybrid score interval (from Wilson intervals) for the difference in conversion"
REVENUE_METHOD: Final = "Welch's t interval for the difference in mean revenue per customer"
WINNER_RULE: Final = "Bayesian probability of being best"
POSTERIOR_DRAWS: Final = 20_000
CONFIDENT_PROBABILITY: Final = 0.95

WinnerMetric = Literal["click_rate", "conversion_rate", "revenue_per_recipient"]


@dataclass(frozen=True)
class GroupOutcome:
    """One group's customers and what they bought within the window.

    `revenues` holds the revenue of each customer who bought (one entry per such customer);
    the other customers count as zero."""

    customers: int
    converted: int
    revenues: Sequence[float] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not 0 <= self.converted <= self.customers or len(self.revenues) > self.customers:
            raise ValueError("a group cannot have more buyers than customers")

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.customers if self.customers else 0.0

    @property
    def revenue(self) -> float:
        return float(sum(self.revenues))

    @property
    def revenue_per_customer(self) -> float:
        return self.revenue / self.customers if self.customers else 0.0

    def revenue_array(self) -> NDArray[np.float64]:
        values = np.zeros(self.customers, dtype=np.float64)
        values[: len(self.revenues)] = np.asarray(self.revenues, dtype=np.float64)
        return values


@dataclass(frozen=True)
class Lift:
    """Messaged minus holdout; an interval is None while it cannot be computed (an empty group,
    or no variation at all in revenue)."""

    conversion_rate: float
    conversion_ci95: tuple[float, float] | None
    revenue_per_customer: float
    revenue_ci95: tuple[float, float] | None
    incremental_conversions: float
    incremental_revenue: float
    conversion_method: str = CONVERSION_METHOD
    revenue_method: str = REVENUE_METHOD


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    ci = stats.binomtest(successes, trials).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def conversion_difference_interval(treated: GroupOutcome, control: GroupOutcome) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval for treated rate − control rate."""
    if not treated.customers or not control.customers:
        return None
    p1, p0 = treated.conversion_rate, control.conversion_rate
    l1, u1 = wilson_interval(treated.converted, treated.customers)
    l0, u0 = wilson_interval(control.converted, control.customers)
    difference = p1 - p0
    return (
        difference - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
        difference + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2),
    )


def revenue_difference_interval(treated: GroupOutcome, control: GroupOutcome) -> tuple[float, float] | None:
    """Welch's t interval for treated mean revenue per customer − control's."""
    if treated.customers < 2 or control.customers < 2:
        return None
    a, b = treated.revenue_array(), control.revenue_array()
    if not a.any() and not b.any():
        return None
    result = stats.ttest_ind(a, b, equal_var=False)
    ci = result.confidence_interval(confidence_level=CONFIDENCE)
    low, high = float(ci.low), float(ci.high)
    if math.isnan(low) or math.isnan(high):
        return None
    return low, high


def holdout_lift(treated: GroupOutcome, control: GroupOutcome) -> Lift:
    conversion = treated.conversion_rate - control.conversion_rate
    revenue = treated.revenue_per_customer - control.revenue_per_customer
    return Lift(
        conversion_rate=conversion,
        conversion_ci95=conversion_difference_interval(treated, control),
        revenue_per_customer=revenue,
        revenue_ci95=revenue_difference_interval(treated, control),
        incremental_conversions=conversion * treated.customers,
        incremental_revenue=revenue * treated.customers,
    )


@dataclass(frozen=True)
class ArmOutcome:
    """One variant's recipients and results, for the winner rule."""

    name: str
    recipients: int
    clicked: int
    converted: int
    revenues: Sequence[float] = field(default_factory=tuple)
    """Per-recipient revenue of the recipients who bought (the rest count as zero)."""

    def value(self, metric: WinnerMetric) -> float:
        if not self.recipients:
            return 0.0
        if metric == "click_rate":
            return self.clicked / self.recipients
        if metric == "conversion_rate":
            return self.converted / self.recipients
        return float(sum(self.revenues)) / self.recipients


@dataclass(frozen=True)
class WinnerDecision:
    winner: int
    metric: WinnerMetric
    probabilities: list[float]
    values: list[float]
    confident: bool
    rule: str = WINNER_RULE
    threshold: float = CONFIDENT_PROBABILITY
    draws: int = POSTERIOR_DRAWS

    def summary(self, arms: Sequence[ArmOutcome]) -> str:
        name = arms[self.winner].name
        probability = self.probabilities[self.winner]
        qualifier = "" if self.confident else f" (below the {self.threshold:.0%} bar: the best guess so far)"
        return f"variant {name} wins on {self.metric} with P(best) = {probability:.1%}{qualifier}"


def _posterior_draws(arm: ArmOutcome, metric: WinnerMetric, rng: np.random.Generator) -> NDArray[np.float64]:
    if metric in ("click_rate", "conversion_rate"):
        successes = arm.clicked if metric == "click_rate" else arm.converted
        successes = min(successes, arm.recipients)
        draws = stats.beta.rvs(1 + successes, 1 + arm.recipients - successes, size=POSTERIOR_DRAWS, random_state=rng)
        return np.asarray(draws, dtype=np.float64)
    values = np.zeros(max(arm.recipients, 1), dtype=np.float64)
    values[: len(arm.revenues)] = np.asarray(arm.revenues, dtype=np.float64)
    mean = float(values.mean())
    spread = float(values.std(ddof=1)) if values.size > 1 else 0.0
    scale = spread / math.sqrt(values.size) if spread > 0 else 1e-9
    return np.asarray(stats.norm.rvs(loc=mean, scale=scale, size=POSTERIOR_DRAWS, random_state=rng), dtype=np.float64)


def decide_winner(arms: Sequence[ArmOutcome], metric: WinnerMetric, seed: int) -> WinnerDecision:
    """The arm most likely to be best on `metric`; ties go to the earlier arm."""
    if len(arms) < 2:
        raise ValueError("a winner needs at least two arms")
    rng = np.random.default_rng(seed)
    samples = np.vstack([_posterior_draws(arm, metric, rng) for arm in arms])
    best = samples.argmax(axis=0)
    probabilities = [float(np.mean(best == index)) for index in range(len(arms))]
    winner = int(np.argmax(probabilities))
    return WinnerDecision(
        winner=winner,
        metric=metric,
        probabilities=probabilities,
        values=[arm.value(metric) for arm in arms],
        confident=probabilities[winner] >= CONFIDENT_PROBABILITY,
    )

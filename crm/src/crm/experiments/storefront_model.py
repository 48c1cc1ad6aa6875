"""The storefront's outcome model: who orders, when and for how much. Pure and deterministic.

Every draw is a function of (seed, customer or message key, day, slot) — a counter-based
splitmix64, vectorised with NumPy — so an order does not depend on which other customers exist,
on the order they are processed in, or on when the simulator runs. With the same seed the same
customer places the same organic orders on the same simulated day, and the same delivered message
brings (or does not bring) the same extra order.

- Organic orders: every customer, messaged or not, places Poisson(`organic_rate`) orders per
  simulated day (each uniform draw becomes a count through SciPy's Poisson CDF).
- Response orders: each delivered message brings its customer one extra order with probability
  `uplift`, a log-uniform 1 % .. 100 % of `response_days` after delivery. With `uplift` 0 messages
  cause nothing, and a holdout shows no lift.
- Order values: log-uniform over `value_range`, rounded down to a price point ending in 9.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

U64 = NDArray[np.uint64]
F64 = NDArray[np.float64]

_GOLDEN: Final = 0x9E3779B97F4A7C15
_MASK64: Final = (1 << 64) - 1
_MIX_A: Final = np.uint64(0xBF58476D1CE4E5B9)
_MIX_B: Final = np.uint64(0x94D049BB133111EB)
MAX_ORGANIC_PER_DAY: Final = 5
"""A customer's organic orders in one simulated day are capped here (a draw beyond is clipped)."""

_SLOT_COUNT: Final = 0
_SLOT_RESPONDS: Final = 1
_SLOT_DELAY: Final = 2
_SLOT_RESPONSE_VALUE: Final = 3
_SLOT_TIME: Final = 10
_SLOT_VALUE: Final = 20


def _splitmix(z: U64) -> U64:
    z = z ^ (z >> np.uint64(30))
    z = z * _MIX_A
    z = z ^ (z >> np.uint64(27))
    z = z * _MIX_B
    return z ^ (z >> np.uint64(31))


def _derive(keys: U64, counter: int) -> U64:
    """A new key per (key, counter): days and slots each get independent streams."""
    return _splitmix(keys + np.uint64(((counter + 1) * _GOLDEN) & _MASK64))


def uniform(keys: U64, slot: int) -> F64:
    """Uniform floats in [0, 1), one per key, determined by (key, slot)."""
    bits = _derive(keys, slot) >> np.uint64(11)
    return bits.astype(np.float64) * (1.0 / (1 << 53))


def _log_uniform(low: float, high: float, u: F64) -> F64:
    return np.asarray(low * (high / low) ** u, dtype=np.float64)


@dataclass(frozen=True)
class Orders:
    """Orders of one batch: which customer (index into the keys given), when, how much."""

    customer: NDArray[np.int64]
    number: NDArray[np.int64]
    """The order's number among that customer's orders of the day (part of its external id)."""
    day_fraction: F64
    amount: F64


@dataclass(frozen=True)
class Responses:
    """Extra orders caused by messages: for each message that responds, its delay and value."""

    message: NDArray[np.int64]
    delay_days: F64
    amount: F64


class StorefrontModel:
    def __init__(
        self,
        seed: int,
        organic_rate: float,
        uplift: float,
        response_days: float = 3.0,
        value_range: tuple[float, float] = (299.0, 3999.0),
    ) -> None:
        if organic_rate < 0 or not 0 <= uplift <= 1 or response_days <= 0:
            raise ValueError("rates must be non-negative, uplift a probability, response_days positive")
        self.seed = seed
        self.organic_rate = organic_rate
        self.uplift = uplift
        self.response_days = response_days
        self.value_range = value_range
        self._seed_key = str(seed).encode()

    def keys(self, names: Iterable[str]) -> U64:
        """64-bit keys for customers (by external id) or messages (by communication id)."""
        return np.fromiter(
            (
                int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8, key=self._seed_key).digest(), "big")
                for name in names
            ),
            dtype=np.uint64,
        )

    def _amounts(self, keys: U64, slot: int) -> F64:
        low, high = self.value_range
        raw = _log_uniform(low, high, uniform(keys, slot))
        return np.asarray(np.clip(np.floor(raw / 10) * 10 + 9, low, high), dtype=np.float64)

    def organic_orders(self, customer_keys: U64, day: int) -> Orders:
        """Every customer's organic orders on simulated day `day` (days since the epoch)."""
        day_keys = _derive(customer_keys, day)
        # The Poisson quantile of each draw: the first count whose CDF reaches it (capped).
        cdf = stats.poisson.cdf(np.arange(MAX_ORGANIC_PER_DAY), self.organic_rate)
        counts = np.searchsorted(cdf, uniform(day_keys, _SLOT_COUNT), side="left").astype(np.int64)
        customer = np.repeat(np.arange(customer_keys.size, dtype=np.int64), counts)
        number = (np.arange(customer.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)).astype(
            np.int64
        )
        keys = day_keys[customer]
        fractions = np.empty(customer.size, dtype=np.float64)
        amounts = np.empty(customer.size, dtype=np.float64)
        for n in range(MAX_ORGANIC_PER_DAY):
            chosen = number == n
            if chosen.any():
                fractions[chosen] = uniform(keys[chosen], _SLOT_TIME + n)
                amounts[chosen] = self._amounts(keys[chosen], _SLOT_VALUE + n)
        return Orders(customer=customer, number=number, day_fraction=fractions, amount=amounts)

    def responses(self, message_keys: U64) -> Responses:
        """Which delivered messages bring an extra order, how long after delivery, for how much."""
        responds = uniform(message_keys, _SLOT_RESPONDS) < self.uplift
        message = np.flatnonzero(responds).astype(np.int64)
        keys = message_keys[message]
        delay = _log_uniform(self.response_days / 100, self.response_days, uniform(keys, _SLOT_DELAY))
        return Responses(message=message, delay_days=delay, amount=self._amounts(keys, _SLOT_RESPONSE_VALUE))

"""When a failed callback batch is tried again, and when it is given up (pure functions).

Exponential backoff with "equal jitter", capped, for a time window rather than a fixed number of
attempts: the wait before retry n is `min(max_delay, base_delay * 2**(n-1))`, of which the upper
half is random, so receivers coming back after an outage are not hit by every sender at once.
A batch keeps being retried until the next attempt would start after `window` seconds from its
first attempt (and, if `max_attempts` is set, until that many attempts were made); then it goes
to the dead letters. The defaults (0.5 s doubling to a 5-minute cap, for 24 hours) follow the
Standard Webhooks advice to keep retrying for about a day, so a receiver that is down for
minutes or hours loses nothing.

A receiver's `Retry-After` replaces the computed wait (capped by `max_delay`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_delay: float
    """Seconds before the first retry (its upper half is jitter); doubles per retry."""
    max_delay: float
    """Cap of one wait, also of a receiver's Retry-After."""
    window: float
    """Seconds after the first attempt during which a batch is still retried."""
    max_attempts: int | None = None
    """Optional cap on attempts as well (None: as many as fit in the window)."""

    def backoff(self, retry: int, jitter: float) -> float:
        """Wait before retry number `retry` (1 = the second attempt); `jitter` is uniform in [0, 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(retry - 1, 64))
        return ceiling / 2 + ceiling / 2 * jitter

    def next_delay(
        self, attempts: int, elapsed: float, jitter: float, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        `attempts` made so far (≥ 1), `elapsed` seconds since the first one began.
        """
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return None
        delay = min(retry_after, self.max_delay) if retry_after is not None else self.backoff(attempts, jitter)
        if elapsed + delay > self.window:
            return None
        return delay


def planned_delays(policy: RetryPolicy, jitters: Iterable[float], attempt_seconds: float = 0.0) -> Iterator[float]:
    """The waits of a batch that fails every attempt, each attempt taking `attempt_seconds`."""
    elapsed, attempts = attempt_seconds, 1
    for jitter in jitters:
        delay = policy.next_delay(attempts, elapsed, jitter)
        if delay is None:
            return
        yield delay
        elapsed += delay + attempt_seconds
        attempts += 1

"""The callback retry schedule as pure functions: exponential, jittered, capped, for about a day."""

from __future__ import annotations

import itertools
import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from channel_service.callbacks import retry_after_seconds
from channel_service.config import Settings
from channel_service.retry_policy import RetryPolicy, planned_delays

DEFAULT = Settings(_env_file=None).callback_retry_policy()
BEFORE_THE_FIX = RetryPolicy(base_delay=0.5, max_delay=30.0, window=math.inf, max_attempts=8)
"""The schedule the service had: 8 attempts, 30 s cap, which gave up about a minute into an outage."""


def test_waits_double_from_the_base_up_to_the_cap() -> None:
    ceilings = [DEFAULT.backoff(retry, jitter=1.0) for retry in range(1, 14)]
    assert ceilings[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert ceilings[-1] == DEFAULT.max_delay == 300.0
    assert all(later >= earlier for earlier, later in itertools.pairwise(ceilings))
    assert DEFAULT.backoff(10_000, jitter=1.0) == 300.0  # no overflow however long it retries


def test_jitter_is_the_upper_half_of_each_wait() -> None:
    draws = random.Random(7)
    for retry in (1, 4, 12):
        ceiling = DEFAULT.backoff(retry, jitter=1.0)
        waits = [DEFAULT.backoff(retry, draws.random()) for _ in range(500)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert max(waits) - min(waits) > ceiling / 3, "waits are spread, not synchronised"


def test_the_default_schedule_keeps_retrying_for_about_a_day() -> None:
    draws = random.Random(3)
    waits = list(planned_delays(DEFAULT, iter(draws.random, None), attempt_seconds=0.05))
    assert 24 * 3600 - 300 <= sum(waits) <= 24 * 3600
    assert max(waits) <= 300
    assert len(waits) > 250  # a retry at least every five minutes while the receiver is down
    old = list(planned_delays(BEFORE_THE_FIX, iter(draws.random, None)))
    assert len(old) == 7 and sum(old) < 90, "the old schedule gave up within about a minute"


def test_a_five_minute_outage_is_retried_through() -> None:
    """Any attempt falls within one (capped) wait of the receiver coming back."""
    waits = list(planned_delays(DEFAULT, itertools.repeat(1.0)))
    attempt_times = list(itertools.accumulate(waits))
    after_outage = next(t for t in attempt_times if t >= 300)
    assert after_outage - 300 <= DEFAULT.max_delay


def test_retry_after_replaces_the_computed_wait_and_is_capped() -> None:
    assert DEFAULT.next_delay(1, elapsed=0.0, jitter=0.5, retry_after=7.0) == 7.0
    assert DEFAULT.next_delay(1, elapsed=0.0, jitter=0.5, retry_after=0.0) == 0.0
    assert DEFAULT.next_delay(1, elapsed=0.0, jitter=0.5, retry_after=86_400.0) == DEFAULT.max_delay


def test_gives_up_once_the_window_is_spent_or_the_attempts_cap_is_reached() -> None:
    assert DEFAULT.next_delay(40, elapsed=DEFAULT.window - 400, jitter=0.0) == 150.0
    assert DEFAULT.next_delay(40, elapsed=DEFAULT.window - 100, jitter=0.0) is None
    assert DEFAULT.next_delay(40, elapsed=0.0, jitter=0.0, retry_after=DEFAULT.window + 1) == DEFAULT.max_delay
    capped = RetryPolicy(base_delay=1.0, max_delay=10.0, window=math.inf, max_attempts=3)
    assert [capped.next_delay(n, 0.0, 1.0) for n in (1, 2, 3)] == [1.0, 2.0, None]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="callback_retry_max_delay"):
        Settings(_env_file=None, callback_retry_base_delay=10.0, callback_retry_max_delay=1.0)
    with pytest.raises(ValueError, match="callback_retry_window"):
        Settings(_env_file=None, callback_retry_window=0)
    assert Settings(_env_file=None, callback_max_attempts=5).callback_retry_policy().max_attempts == 5


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    def asked(value: str | None) -> float | None:
        headers = {"retry-after": value} if value is not None else {}
        return retry_after_seconds(httpx.Response(429, headers=headers))

    assert asked("3") == 3.0 and asked("1.5") == 1.5 and asked("-4") == 0.0
    assert asked(None) is None and asked("soon") is None
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= (asked(in_a_minute) or 0) <= 60
    assert asked("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0

"""Callback delivery against a misbehaving receiver, over loopback: timeouts, 429 + Retry-After,
the outbound concurrency cap, and an outage longer than the old one-minute retry budget."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

from channel_service.config import Settings


class ScaledClock:
    """Retry waits and their window measured in time that runs `factor` times faster than real."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def now(self) -> float:
        return asyncio.get_running_loop().time() * self.factor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.factor)


def delivered_ids(receiver: Any) -> set[str]:
    return {event["communication_id"] for event in receiver.events}


async def test_callback_timeouts_are_retried(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_timeout=0.2)
    receiver.hang(1.0, times=2)
    ids = [f"slow-{n}" for n in range(40)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert receiver.hang_remaining == 0
    assert stats["retries"] >= 2
    assert stats["dead_letters"] == {"batches": 0, "events": 0}
    assert delivered_ids(receiver) == set(ids)
    assert len(receiver.events) == stats["events_emitted"]


async def test_retry_after_from_the_receiver_is_honoured(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    # computed waits are ~10 ms here; the receiver asks for a full second
    svc = await channel_service(sim_duplicate_rate=0.0, callback_retry_max_delay=5.0, callback_linger_ms=200.0)
    receiver.fail(429, times=1, headers={"Retry-After": "1"})
    await svc.send(receiver.url, ["patience-1"])
    await wait_until(svc.settled)
    first, second = receiver.request_times[:2]
    assert 0.95 <= second - first < 2.0
    assert delivered_ids(receiver) == {"patience-1"}
    assert (await svc.stats())["retries"] == 1


async def test_retry_after_is_capped_by_the_max_delay(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0, callback_retry_max_delay=0.3, callback_linger_ms=200.0)
    receiver.fail(503, times=1, headers={"Retry-After": "3600"})
    await svc.send(receiver.url, ["capped-1"])
    await wait_until(svc.settled, seconds=5)
    first, second = receiver.request_times[:2]
    assert 0.25 <= second - first < 1.0
    assert delivered_ids(receiver) == {"capped-1"}


async def test_the_semaphore_caps_concurrent_callback_requests(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    """Many small batches at once against a slow receiver: they queue for a slot, and the receiver
    never sees more than `callback_concurrency` requests at a time (nor fewer: the cap is used)."""
    svc = await channel_service(sim_duplicate_rate=0.0, callback_concurrency=3, callback_batch_size=5)
    receiver.latency = 0.04
    ids = [f"cap-{n}" for n in range(150)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert len(receiver.batches) > 60, "enough batches to queue up behind the cap"
    assert receiver.max_active == 3
    assert stats["retries"] == 0 and stats["dead_letters"]["events"] == 0
    assert delivered_ids(receiver) == set(ids)


async def test_a_receiver_down_longer_than_a_minute_loses_nothing(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    """With the default schedule (run 200x faster) a three-minute outage ends in delivery, not
    dead letters; the old schedule (8 attempts, 30 s cap) gave up after about a minute."""
    defaults = Settings.model_fields
    svc = await channel_service(
        sim_duplicate_rate=0.0,
        callback_max_attempts=defaults["callback_max_attempts"].default,
        callback_retry_base_delay=defaults["callback_retry_base_delay"].default,
        callback_retry_max_delay=defaults["callback_retry_max_delay"].default,
        callback_retry_window=defaults["callback_retry_window"].default,
    )
    scale, outage = 200.0, 180.0
    svc.service.callbacks.clock = ScaledClock(scale)
    receiver.down_for(outage / scale)
    ids = [f"outage-{n}" for n in range(100)]
    await svc.send(receiver.url, ids)
    await wait_until(svc.settled, seconds=30)
    stats = await svc.stats()
    assert stats["dead_letters"] == {"batches": 0, "events": 0}
    assert delivered_ids(receiver) == set(ids)
    assert len(receiver.events) == stats["events_emitted"]
    tried_for = (receiver.request_times[-1] - receiver.request_times[0]) * scale
    assert tried_for > 150, "retried through the outage, well past the old one-minute budget"
    waits = [later - earlier for earlier, later in pairwise(receiver.request_times)]
    assert max(waits) * scale <= defaults["callback_retry_max_delay"].default + 5

"""The running service under load and at shutdown: intake backpressure while the workers drain,
and a shutdown that reports everything it leaves unfinished."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest


async def test_a_full_queue_answers_429_with_retry_after_while_workers_drain_it(
    channel_service: Any, receiver: Any, wait_until: Any
) -> None:
    """Concurrent batches outrun one worker; refused batches are retried after Retry-After and in
    the end every message is accepted once."""
    svc = await channel_service(intake_queue_size=1000, workers=1, intake_retry_after_seconds=1)
    batches = [[f"burst-{b}-{n}" for n in range(1000)] for b in range(8)]
    refusals: list[str] = []

    async def send_until_accepted(ids: list[str]) -> None:
        while True:
            response = await svc.send(receiver.url, ids)
            if response.status_code != 429:
                assert response.status_code == 202 and response.json()["queued"] == len(ids)
                return
            refusals.append(response.headers["retry-after"])
            assert "queue full" in response.json()["detail"]
            await asyncio.sleep(float(response.headers["retry-after"]))

    await asyncio.gather(*(send_until_accepted(ids) for ids in batches))
    await wait_until(svc.settled)
    stats = await svc.stats()
    assert refusals and set(refusals) == {"1"}
    assert stats["accepted"] == 8000 and stats["duplicate_messages"] == 0
    assert stats["queue_depth"] == 0 and stats["in_flight"] == 0


async def test_shutdown_reports_what_it_leaves_unfinished(
    channel_service: Any, receiver: Any, wait_until: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Lifecycles still playing (two simulated days take ~3 minutes at this scale) and callbacks
    a failing receiver never took are counted in the report and the log, not silently dropped."""
    svc = await channel_service(
        sim_time_scale=1000.0, callback_max_attempts=None, shutdown_flush_timeout=0.2, sim_duplicate_rate=0.0
    )
    receiver.fail(503)
    await svc.send(receiver.url, [f"bye-{n}" for n in range(50)])

    async def some_events_tried() -> bool:
        return receiver.requests > 0

    await wait_until(some_events_tried)
    with caplog.at_level(logging.WARNING, logger="channel_service"):
        report = await svc.service.stop()
    after = svc.service.snapshot()
    assert report.pending
    assert 0 < report.lifecycles_unfinished == after["in_flight"] <= 50
    assert report.callback_events_undelivered == after["events_emitted"] > 0
    assert report.callback_batches_undelivered >= 1
    assert report.queued_messages == 0 and report.dead_letter_batches == 0
    assert receiver.batches == []
    (record,) = [r for r in caplog.records if "channel service stopped" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert f"{report.lifecycles_unfinished} lifecycles not played" in record.getMessage()
    assert f"({report.callback_events_undelivered} events) undelivered" in record.getMessage()


async def test_a_clean_shutdown_reports_nothing_pending(channel_service: Any, receiver: Any, wait_until: Any) -> None:
    svc = await channel_service(sim_duplicate_rate=0.0)
    await svc.send(receiver.url, ["done-1", "done-2"])
    await wait_until(svc.settled)
    report = await svc.service.stop()
    assert not report.pending
    assert (report.lifecycles_unfinished, report.callback_events_undelivered) == (0, 0)

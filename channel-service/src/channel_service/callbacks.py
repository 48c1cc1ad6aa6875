"""Signed, batched, retried delivery of events to each message's callback_url.

- Batching: one `Outbox` per callback_url collects events and sends a batch when it holds
  `batch_size` events or `linger` seconds after its first event, whichever comes first.
- Signing: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The
  webhook-id is fixed per batch (the same on retries and redrives, as the spec asks); the
  timestamp and signature are fresh on every attempt. During a secret rotation the header carries
  one signature per configured secret, so a receiver that knows either one accepts it.
- Concurrency: one semaphore caps in-flight requests (per attempt, not during backoff sleeps).
- Retries (see `retry_policy`: exponential backoff with jitter, capped, for a window of about a
  day by default) on timeouts, connection errors, 408, 429 and 5xx. A `Retry-After` (seconds or
  an HTTP date) replaces the computed delay (capped by the max delay). Any other 4xx is permanent
  (e.g. 401 means the receiver does not share our secret and retrying cannot help): the batch
  goes to the dead letters at once.
- Dead letters: batches whose attempts ran out; `redrive()` queues them again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
from standardwebhooks.webhooks import Webhook

from channel_service.retry_policy import RetryPolicy
from channel_service.stats import ServiceStats

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({408, 429})


class CallbackRejectedError(Exception):
    """The receiver answered with a non-2xx status."""

    def __init__(self, status_code: int, retry_after: float | None) -> None:
        super().__init__(f"callback answered HTTP {status_code}")
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status_code in RETRYABLE_STATUSES or self.status_code >= 500


@dataclass(slots=True)
class CallbackBatch:
    url: str
    events: list[dict[str, Any]]
    webhook_id: str = field(default_factory=lambda: f"msg_{uuid.uuid4().hex}")


@dataclass(slots=True)
class DeadLetter:
    batch: CallbackBatch
    attempts: int
    error: str
    failed_at: str


class RetryClock(Protocol):
    """The time base of retry waits (tests substitute a faster one)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """Real time: the running loop's clock and `asyncio.sleep`."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Outbox:
    """Pending events for one callback_url."""

    __slots__ = ("_dispatcher", "_events", "_timer", "url")

    def __init__(self, url: str, dispatcher: CallbackDispatcher) -> None:
        self.url = url
        self._events: list[dict[str, Any]] = []
        self._dispatcher = dispatcher
        self._timer: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return len(self._events)

    def add(self, event: dict[str, Any]) -> None:
        self._events.append(event)
        if len(self._events) >= self._dispatcher.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._dispatcher.linger, self.flush)

    def flush(self) -> None:
        """Hand the pending events to the sender as one batch."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._events:
            events, self._events = self._events, []
            self._dispatcher.submit(CallbackBatch(self.url, events))


class CallbackDispatcher:
    """Owns the outboxes, the HTTP client, in-flight deliveries and the dead letters."""

    def __init__(
        self,
        *,
        secrets: Sequence[str],
        stats: ServiceStats,
        batch_size: int,
        linger: float,
        concurrency: int,
        timeout: float,
        retry: RetryPolicy,
        clock: RetryClock | None = None,
    ) -> None:
        """`secrets`: the current signing secret first, then older ones still valid during a rotation."""
        self.batch_size = batch_size
        self.linger = linger
        self.clock: RetryClock = clock or LoopClock()
        self._webhooks = [Webhook(secret) for secret in secrets]
        self._stats = stats
        self._concurrency = concurrency
        self._timeout = timeout
        self._retry = retry
        self._semaphore = asyncio.Semaphore(concurrency)
        self._client: httpx.AsyncClient | None = None
        self._outboxes: dict[str, Outbox] = {}
        self._deliveries: set[asyncio.Task[None]] = set()
        self._in_flight_events = 0
        self.dead_letters: list[DeadLetter] = []

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout),
            limits=httpx.Limits(max_connections=self._concurrency, max_keepalive_connections=self._concurrency),
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def outbox_for(self, url: str) -> Outbox:
        outbox = self._outboxes.get(url)
        if outbox is None:
            outbox = self._outboxes[url] = Outbox(url, self)
        return outbox

    @property
    def pending_batches(self) -> int:
        """Batches being delivered or waiting to retry."""
        return len(self._deliveries)

    @property
    def pending_events(self) -> int:
        """Events in batches being delivered plus events still lingering in outboxes."""
        return self._in_flight_events + sum(len(o) for o in self._outboxes.values())

    @property
    def dead_letter_events(self) -> int:
        return sum(len(d.batch.events) for d in self.dead_letters)

    def submit(self, batch: CallbackBatch) -> None:
        """Deliver `batch` in the background (with retries)."""
        self._in_flight_events += len(batch.events)
        task = asyncio.get_running_loop().create_task(self._deliver(batch))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    def flush_all(self) -> None:
        for outbox in self._outboxes.values():
            outbox.flush()

    def redrive(self) -> tuple[int, int]:
        """Queue every dead letter again; returns (batches, events)."""
        letters, self.dead_letters = self.dead_letters, []
        for letter in letters:
            self.submit(letter.batch)
        self._stats.redriven_batches += len(letters)
        return len(letters), sum(len(letter.batch.events) for letter in letters)

    async def drain(self, wait_seconds: float) -> tuple[int, int]:
        """Wait up to `wait_seconds` for deliveries; cancel the rest. Returns what was left."""
        self.flush_all()
        if self._deliveries:
            await asyncio.wait(set(self._deliveries), timeout=wait_seconds)
        left_batches, left_events = len(self._deliveries), self._in_flight_events
        for task in list(self._deliveries):
            task.cancel()
        if self._deliveries:
            await asyncio.wait(set(self._deliveries))
        return left_batches, left_events

    async def _deliver(self, batch: CallbackBatch) -> None:
        body = json.dumps({"events": batch.events}, separators=(",", ":"))
        clock = self.clock
        started = clock.now()
        attempts = 0
        try:
            while True:
                attempts += 1
                if attempts > 1:
                    self._stats.retries += 1
                try:
                    await self._post(batch, body)
                    return
                except (CallbackRejectedError, httpx.HTTPError) as exc:
                    delay = self._retry_delay(exc, attempts, clock.now() - started)
                    if delay is None:
                        self._dead_letter(batch, attempts, exc)
                        return
                await clock.sleep(delay)
        finally:
            self._in_flight_events -= len(batch.events)

    def _retry_delay(self, exc: Exception, attempts: int, elapsed: float) -> float | None:
        """Seconds until the next attempt after `exc`, or None when the batch is given up."""
        if isinstance(exc, CallbackRejectedError):
            if not exc.retryable:
                return None
            return self._retry.next_delay(attempts, elapsed, random.random(), exc.retry_after)
        if isinstance(exc, httpx.TransportError):  # timeouts, refused or dropped connections
            return self._retry.next_delay(attempts, elapsed, random.random())
        return None

    async def _post(self, batch: CallbackBatch, body: str) -> None:
        client = self._client
        if client is None:
            raise httpx.ConnectError("callback client is closed")
        async with self._semaphore:
            now = datetime.now(UTC)
            headers = {
                "content-type": "application/json",
                "webhook-id": batch.webhook_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": " ".join(webhook.sign(batch.webhook_id, now, body) for webhook in self._webhooks),
            }
            started = time.perf_counter()
            response = await client.post(batch.url, content=body, headers=headers)
            elapsed_ms = (time.perf_counter() - started) * 1000
        # 409: the receiver already applied this webhook-id (our earlier attempt landed but its
        # answer was lost), so the batch is delivered, not rejected.
        if not response.is_success and response.status_code != 409:
            raise CallbackRejectedError(response.status_code, retry_after_seconds(response))
        self._stats.record_callback_latency(elapsed_ms)
        self._stats.callbacks_sent += 1
        self._stats.callback_events_sent += len(batch.events)

    def _dead_letter(self, batch: CallbackBatch, attempts: int, exc: Exception) -> None:
        if isinstance(exc, CallbackRejectedError) and not exc.retryable:
            self._stats.permanent_failures += 1
        log.warning(
            "callback batch %s (%d events) to %s dead-lettered after %d attempt(s): %s",
            batch.webhook_id,
            len(batch.events),
            batch.url,
            attempts,
            exc,
        )
        self.dead_letters.append(
            DeadLetter(
                batch=batch,
                attempts=attempts,
                error=str(exc) or type(exc).__name__,
                failed_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Seconds asked for by a `Retry-After` header (delay-seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

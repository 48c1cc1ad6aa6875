"""Signed, batched, retried delivery of events to each message's callback_url.

- Batching: one `Outbox` per callback_url collects events and sends a batch when it holds
  `batch_size` events or `linger` seconds after its first event, whichever comes first.
- Signing: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The
  webhook-id is fixed per batch (the same on retries and redrives, as the spec asks); the
  timestamp and signature are fresh on every attempt.
- Concurrency: one semaphore caps in-flight requests (per attempt, not during backoff sleeps).
- Retries (stamina: exponential backoff with jitter, capped): on timeouts, connection errors,
  408, 429 and 5xx. A `Retry-After` on 429/503 replaces the computed delay (capped by the max
  delay). Any other 4xx is permanent (e.g. 401 means the receiver does not share our secret and
  retrying cannot help): the batch goes to the dead letters at once.
- Dead letters: batches whose attempts ran out; `redrive()` queues them again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import stamina
from standardwebhooks.webhooks import Webhook

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


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    base_delay: float
    max_delay: float


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
        secret: str,
        stats: ServiceStats,
        batch_size: int,
        linger: float,
        concurrency: int,
        timeout: float,
        retry: RetryPolicy,
    ) -> None:
        self.batch_size = batch_size
        self.linger = linger
        self._webhook = Webhook(secret)
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

    def _retry_decision(self, exc: Exception) -> bool | float:
        if isinstance(exc, CallbackRejectedError):
            if not exc.retryable:
                return False
            if exc.retry_after is not None:
                return min(exc.retry_after, self._retry.max_delay)
            return True
        return isinstance(exc, httpx.TransportError)

    async def _deliver(self, batch: CallbackBatch) -> None:
        body = json.dumps({"events": batch.events}, separators=(",", ":"))
        attempts = 0
        try:
            async for attempt in stamina.retry_context(
                on=self._retry_decision,
                attempts=self._retry.max_attempts,
                timeout=None,
                wait_initial=self._retry.base_delay,
                wait_max=self._retry.max_delay,
                wait_jitter=self._retry.base_delay,
            ):
                with attempt:
                    attempts = attempt.num
                    if attempts > 1:
                        self._stats.retries += 1
                    await self._post(batch, body)
        except (CallbackRejectedError, httpx.HTTPError) as exc:
            self._dead_letter(batch, attempts, exc)
        finally:
            self._in_flight_events -= len(batch.events)

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
                "webhook-signature": self._webhook.sign(batch.webhook_id, now, body),
            }
            started = time.perf_counter()
            response = await client.post(batch.url, content=body, headers=headers)
            elapsed_ms = (time.perf_counter() - started) * 1000
        # 409: the receiver already applied this webhook-id (our earlier attempt landed but its
        # answer was lost), so the batch is delivered, not rejected.
        if not response.is_success and response.status_code != 409:
            raise CallbackRejectedError(response.status_code, _retry_after(response))
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


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None

"""Counters shared by the intake, the player and the callback sender."""

from __future__ import annotations

from collections import Counter, deque
from statistics import quantiles

from channel_service.lifecycle import EVENT_TYPES, EventType


class ServiceStats:
    """Plain counters, mutated in place on the event loop (no locking needed)."""

    __slots__ = (
        "_latencies_ms",
        "accepted",
        "callback_events_sent",
        "callbacks_sent",
        "duplicate_messages",
        "duplicates_injected",
        "events_emitted_by_type",
        "permanent_failures",
        "redriven_batches",
        "retries",
    )

    def __init__(self, latency_window: int = 2048) -> None:
        self.accepted = 0
        self.duplicate_messages = 0
        self.events_emitted_by_type: Counter[EventType] = Counter({event_type: 0 for event_type in EVENT_TYPES})
        self.duplicates_injected = 0
        self.callbacks_sent = 0
        self.callback_events_sent = 0
        self.retries = 0
        self.permanent_failures = 0
        self.redriven_batches = 0
        self._latencies_ms: deque[float] = deque(maxlen=latency_window)

    def record_callback_latency(self, milliseconds: float) -> None:
        self._latencies_ms.append(milliseconds)

    def callback_latency_ms(self) -> dict[str, float | int | None]:
        """p50 / p95 over the most recent successful callback requests."""
        samples = list(self._latencies_ms)
        if not samples:
            return {"p50": None, "p95": None, "samples": 0}
        if len(samples) == 1:
            return {"p50": samples[0], "p95": samples[0], "samples": 1}
        cuts = quantiles(samples, n=100, method="inclusive")
        return {"p50": round(cuts[49], 3), "p95": round(cuts[94], 3), "samples": len(samples)}

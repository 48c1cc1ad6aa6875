"""Bounded ground-truth log of the unique events the simulator emitted.

The CRM's end-to-end tests read it to compute the true funnel. Injected duplicates are not
recorded here (they are counted in the stats); each (communication_id, type) appears once.
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any, NamedTuple

from channel_service.lifecycle import EventType
from channel_service.sim_clock import format_occurred_at


class LoggedEvent(NamedTuple):
    seq: int
    communication_id: str
    type: EventType
    occurred_at: float
    detail: float | str | None
    """Conversion value or failure reason."""


def event_payload(
    communication_id: str, event_type: EventType, occurred_at: float, detail: float | str | None
) -> dict[str, Any]:
    """The wire shape of an event, as sent in callbacks and served by /v1/events."""
    event: dict[str, Any] = {
        "event_id": f"{communication_id}:{event_type}",
        "communication_id": communication_id,
        "type": event_type,
        "occurred_at": format_occurred_at(occurred_at),
    }
    if event_type == "converted":
        event["value"] = detail
    elif event_type == "failed":
        event["reason"] = detail
    return event


class GroundTruthLog:
    """The last `capacity` unique events, indexed by communication_id, paginated by seq."""

    __slots__ = ("_by_communication", "_capacity", "_enabled", "_events", "_next_seq")

    def __init__(self, capacity: int, enabled: bool = True) -> None:
        self._capacity = capacity
        self._enabled = enabled
        self._events: deque[LoggedEvent] = deque()
        self._by_communication: dict[str, list[LoggedEvent]] = {}
        self._next_seq = 0

    def __len__(self) -> int:
        return len(self._events)

    @property
    def enabled(self) -> bool:
        return self._enabled

    def record(
        self,
        communication_id: str,
        event_type: EventType,
        occurred_at: float,
        detail: float | str | None,
    ) -> None:
        if not self._enabled:
            return
        if len(self._events) >= self._capacity:
            self._evict_oldest()
        logged = LoggedEvent(self._next_seq, communication_id, event_type, occurred_at, detail)
        self._next_seq += 1
        self._events.append(logged)
        self._by_communication.setdefault(communication_id, []).append(logged)

    def _evict_oldest(self) -> None:
        oldest = self._events.popleft()
        same_message = self._by_communication[oldest.communication_id]
        same_message.pop(0)
        if not same_message:
            del self._by_communication[oldest.communication_id]

    def for_communication(self, communication_id: str) -> list[dict[str, Any]]:
        """Unique events of one message still in the log, in emission order."""
        return [_payload(e) for e in self._by_communication.get(communication_id, ())]

    def page(self, after: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Events with seq > after (oldest first) and the cursor for the next page."""
        if not self._events:
            return [], after
        first_seq = self._events[0].seq
        start = max(0, after + 1 - first_seq)
        chunk = list(islice(self._events, start, start + limit))
        next_after = chunk[-1].seq if chunk else after
        return [_payload(e) | {"seq": e.seq} for e in chunk], next_after


def _payload(logged: LoggedEvent) -> dict[str, Any]:
    return event_payload(logged.communication_id, logged.type, logged.occurred_at, logged.detail)

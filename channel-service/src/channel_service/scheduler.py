"""One timer over a heap of due items: many lifecycles in flight, no task per message.

The heap holds `(due, item)` pairs where `due` is a loop-clock instant. A single
`loop.call_at` handle is armed for the earliest due time; when it fires, every due item is
handed to the `on_due` callback (in chunks, yielding to the loop between chunks), which returns
the item's next due time or None when the item is finished.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar


class HeapItem(Protocol):
    """Items only need an ordering for ties of `due`; any consistent one will do."""

    def __lt__(self, other: Any, /) -> bool: ...


ItemT = TypeVar("ItemT", bound=HeapItem)


class Scheduler(Generic[ItemT]):
    """A min-heap of due items driven by one timer handle on the running loop."""

    __slots__ = ("_armed_at", "_chunk", "_firing", "_heap", "_loop", "_on_due", "_timer", "firings")

    def __init__(self, on_due: Callable[[ItemT, float], float | None], chunk: int = 2000) -> None:
        self._heap: list[tuple[float, ItemT]] = []
        self._on_due = on_due
        self._chunk = chunk
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | asyncio.Handle | None = None
        self._armed_at: float | None = None
        self._firing = False
        self.firings = 0

    def __len__(self) -> int:
        return len(self._heap)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Begin firing due items on `loop`."""
        self._loop = loop
        self._arm()

    def stop(self) -> None:
        """Stop firing; scheduled items stay in the heap (see `len`)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._armed_at = None
        self._loop = None

    def schedule(self, due: float, item: ItemT) -> None:
        """Fire `item` at loop time `due`."""
        heapq.heappush(self._heap, (due, item))
        if not self._firing and (self._armed_at is None or due < self._armed_at):
            self._arm()

    def _arm(self) -> None:
        loop = self._loop
        if loop is None:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._armed_at = None
        if self._heap:
            due = self._heap[0][0]
            self._armed_at = due
            self._timer = loop.call_at(due, self._fire_due)

    def _fire_due(self) -> None:
        loop = self._loop
        if loop is None:
            return
        self._timer = None
        self._armed_at = None
        heap = self._heap
        now = loop.time()
        fired = 0
        self._firing = True
        try:
            while heap and heap[0][0] <= now and fired < self._chunk:
                due, item = heapq.heappop(heap)
                next_due = self._on_due(item, due)
                fired += 1
                if next_due is not None:
                    heapq.heappush(heap, (next_due, item))
        finally:
            self._firing = False
            self.firings += fired
        if heap and heap[0][0] <= now:
            self._armed_at = now
            self._timer = loop.call_soon(self._fire_due)
        else:
            self._arm()

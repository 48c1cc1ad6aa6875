"""Mapping between the event loop's clock and the simulated wall clock of events.

`occurred_at` of an event is the real wall-clock time at which its message was accepted plus the
event's simulated offset (see `lifecycle`). With SIM_TIME_SCALE > 1 that lies ahead of the real
clock: a conversion two simulated days after acceptance carries a timestamp two days ahead even
though it is emitted after 2 days / SIM_TIME_SCALE of real time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class SimClock:
    """Converts loop-clock instants to wall-clock epoch seconds."""

    __slots__ = ("_loop_anchor", "_wall_anchor")

    def __init__(self, loop_now: float) -> None:
        self._wall_anchor = time.time()
        self._loop_anchor = loop_now

    def wall_at(self, loop_time: float) -> float:
        """Epoch seconds of a loop-clock instant."""
        return self._wall_anchor + (loop_time - self._loop_anchor)


def format_occurred_at(epoch_seconds: float) -> str:
    """ISO 8601 with a UTC offset and millisecond precision."""
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat(timespec="milliseconds")

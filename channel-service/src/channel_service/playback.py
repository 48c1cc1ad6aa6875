"""Plays accepted messages' lifecycles on the scheduler and emits their events.

A lifecycle in flight is one small `__slots__` object plus one heap entry; its plan is not
materialised: the next event's type comes from a shared `LifecyclePath` and its time from the
outcome model's seeded draws, so a million lifecycles stay cheap.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channel_service.callbacks import Outbox
from channel_service.event_log import GroundTruthLog, event_payload
from channel_service.lifecycle import Channel, EventType, LifecyclePath, OutcomeModel
from channel_service.scheduler import Scheduler
from channel_service.sim_clock import SimClock
from channel_service.stats import ServiceStats


class Lifecycle:
    """One message in flight: which step comes next and where its events go."""

    __slots__ = ("accepted_at", "communication_id", "key", "outbox", "path", "step")

    def __init__(
        self,
        communication_id: str,
        outbox: Outbox,
        path: LifecyclePath,
        key: int,
        accepted_at: float,
    ) -> None:
        self.communication_id = communication_id
        self.outbox = outbox
        self.path = path
        self.key = key
        self.step = 0
        self.accepted_at = accepted_at
        """Loop-clock instant of acceptance; event k is due at accepted_at + offset_k / scale."""

    def __lt__(self, other: object) -> bool:
        return False  # only consulted for equal due times, where any order is fine


class DuplicateEmission:
    """An already emitted event, due to be emitted once more (same event_id). It keeps the event's
    fields, not its payload dict, and rebuilds the identical payload when due (a fifth of the memory)."""

    __slots__ = ("communication_id", "detail", "event_type", "occurred_at", "outbox")

    def __init__(
        self,
        outbox: Outbox,
        communication_id: str,
        event_type: EventType,
        occurred_at: float,
        detail: float | str | None,
    ) -> None:
        self.outbox = outbox
        self.communication_id = communication_id
        self.event_type = event_type
        self.occurred_at = occurred_at
        self.detail = detail

    def payload(self) -> dict[str, Any]:
        return event_payload(self.communication_id, self.event_type, self.occurred_at, self.detail)

    def __lt__(self, other: object) -> bool:
        return False


class LifecyclePlayer:
    """Starts lifecycles and, driven by its scheduler, emits each event when it is due."""

    def __init__(
        self,
        *,
        model: OutcomeModel,
        time_scale: float,
        event_log: GroundTruthLog,
        stats: ServiceStats,
    ) -> None:
        self._model = model
        self._time_scale = time_scale
        self._event_log = event_log
        self._stats = stats
        self._clock: SimClock | None = None
        self.scheduler: Scheduler[Lifecycle | DuplicateEmission] = Scheduler(self._on_due)
        self.in_flight = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._clock = SimClock(loop.time())
        self.scheduler.start(loop)

    def stop(self) -> None:
        self.scheduler.stop()

    def play(self, communication_id: str, channel: Channel, outbox: Outbox, now: float, key: int) -> None:
        """Schedule the lifecycle of a message accepted at loop time `now`; `key` is its
        `OutcomeModel.key_for(communication_id)` (computed once, at intake)."""
        model = self._model
        path = model.path_for(key, channel)
        lifecycle = Lifecycle(communication_id, outbox, path, key, now)
        self.in_flight += 1
        self.scheduler.schedule(now + model.offset_at(key, path, 0) / self._time_scale, lifecycle)

    def _on_due(self, item: Lifecycle | DuplicateEmission, due: float) -> float | None:
        if isinstance(item, DuplicateEmission):
            self._stats.duplicates_injected += 1
            item.outbox.add(item.payload())
            return None
        return self._emit_step(item, due)

    def _emit_step(self, lifecycle: Lifecycle, due: float) -> float | None:
        model = self._model
        clock = self._clock
        assert clock is not None, "player not started"
        key, path, step = lifecycle.key, lifecycle.path, lifecycle.step
        event_type = path.events[step]
        offset = model.offset_at(key, path, step)
        occurred_at = clock.wall_at(lifecycle.accepted_at) + offset
        detail: float | str | None = None
        if event_type == "converted":
            detail = model.value_for(key)
        elif event_type == "failed":
            detail = path.reason
        event = event_payload(lifecycle.communication_id, event_type, occurred_at, detail)
        lifecycle.outbox.add(event)
        self._event_log.record(lifecycle.communication_id, event_type, occurred_at, detail)
        self._stats.events_emitted_by_type[event_type] += 1
        if model.is_duplicated(key, step):
            delay = model.duplicate_delay(key, step) / self._time_scale
            duplicate = DuplicateEmission(lifecycle.outbox, lifecycle.communication_id, event_type, occurred_at, detail)
            self.scheduler.schedule(due + delay, duplicate)
        if step + 1 < len(path.events):
            lifecycle.step = step + 1
            return lifecycle.accepted_at + model.offset_at(key, path, step + 1) / self._time_scale
        self.in_flight -= 1
        return None

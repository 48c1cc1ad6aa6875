"""Bounded intake queue with idempotent admission, and the worker pool that drains it.

Admission is all-or-nothing per request: either every new message of the batch fits in the
queue, or none is queued (429). Messages whose communication_id was seen before (in an earlier
request or earlier in the same batch) are acknowledged but not queued again. Admitted ids are
remembered by their 64-bit keys in a bounded window (`RecentIds`): at least the last
INTAKE_DEDUPE_WINDOW distinct messages, at most twice that (about 60 bytes each), so memory does
not grow with the life of the process. A message re-sent after that many newer ones is played
again; the CRM re-sends only within minutes of the first attempt. With an `AcceptedStore`, the
fingerprints are also written to disk before the batch is acknowledged and loaded at start-up, so a
re-send after a restart is not played again either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from channel_service.accepted_store import AcceptedStore, fingerprint
from channel_service.callbacks import Outbox
from channel_service.lifecycle import Channel
from channel_service.playback import LifecyclePlayer
from channel_service.stats import ServiceStats

log = logging.getLogger(__name__)


class QueuedMessage(NamedTuple):
    communication_id: str
    channel: Channel
    outbox: Outbox
    key: int
    """The message's 64-bit key (`OutcomeModel.key_for`): its dedupe fingerprint and the seed of its draws."""


@dataclass(frozen=True, slots=True)
class Admission:
    queued: int
    duplicates: int


class IntakeFullError(Exception):
    """The batch's new messages do not fit in the queue; nothing was queued."""

    def __init__(self, needed: int, free: int) -> None:
        super().__init__(f"intake queue full: {needed} new messages, {free} free slots")
        self.needed = needed
        self.free = free


class IntakeClosedError(Exception):
    """The service is shutting down."""


class RecentIds:
    """Fingerprints of recently admitted messages, in two generations of `window` each.

    New fingerprints go into the current generation; when it holds `window`, it becomes the
    previous one and the old previous generation is dropped. So the last `window` distinct ids
    are always remembered and at most 2 × `window` (plus one batch) are held.
    """

    __slots__ = ("_current", "_previous", "window")

    def __init__(self, window: int) -> None:
        self.window = window
        self._current: set[int] = set()
        self._previous: set[int] = set()

    def __len__(self) -> int:
        return len(self._current) + len(self._previous)

    def __contains__(self, fingerprint_: int) -> bool:
        return fingerprint_ in self._current or fingerprint_ in self._previous

    def add_all(self, fingerprints: set[int]) -> None:
        self._current |= fingerprints
        if len(self._current) >= self.window:
            self._previous, self._current = self._current, set()


class IntakeQueue:
    def __init__(self, capacity: int, stats: ServiceStats, dedupe_window: int, key_for: Callable[[str], int]) -> None:
        """`key_for`: the message's 64-bit key, used as its dedupe fingerprint and handed to the
        player, so one hash serves both and the remembered key is the lifecycle's own int."""
        self.capacity = capacity
        self._key_for = key_for
        self._queue: asyncio.Queue[QueuedMessage] = asyncio.Queue(capacity)
        self.seen = RecentIds(dedupe_window)
        self._stats = stats
        self._closed = False
        self.store: AcceptedStore | None = None

    def remember_across_restarts(self, store: AcceptedStore) -> None:
        """Loads what the store remembers into the window, and writes every later admission to it."""
        self.store = store
        self.seen.add_all(store.load())

    def __len__(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._closed = True

    def admit(self, messages: Sequence[tuple[str, Channel]], outbox: Outbox) -> Admission:
        """Queue the batch's new messages, or raise `IntakeFullError` having queued none."""
        if self._closed:
            raise IntakeClosedError("intake is closed")
        fresh: list[tuple[str, Channel]] = []
        fresh_prints: set[int] = set()
        seen = self.seen
        # The dedupe fingerprint does not depend on the simulation seed (a restarted service may
        # draw a new one); the lifecycle's own key is computed for the new messages only.
        for communication_id, channel in messages:
            print_ = fingerprint(communication_id)
            if print_ in seen or print_ in fresh_prints:
                continue
            fresh_prints.add(print_)
            fresh.append((communication_id, channel))
        free = self.capacity - self._queue.qsize()
        if len(fresh) > free:
            raise IntakeFullError(len(fresh), free)
        if self.store is not None:
            self.store.add(fresh_prints)  # before the acknowledgement: a re-send after a restart is known
        seen.add_all(fresh_prints)
        key_for = self._key_for
        for communication_id, channel in fresh:
            self._queue.put_nowait(QueuedMessage(communication_id, channel, outbox, key_for(communication_id)))
        duplicates = len(messages) - len(fresh)
        self._stats.accepted += len(fresh)
        self._stats.duplicate_messages += duplicates
        return Admission(queued=len(fresh), duplicates=duplicates)

    async def get(self) -> QueuedMessage:
        return await self._queue.get()

    def get_nowait(self) -> QueuedMessage | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None


class WorkerPool:
    """Workers move messages from the intake queue into the player's scheduler.

    A non-empty `asyncio.Queue.get` does not yield to the loop, so each worker yields after
    `chunk` messages to keep the HTTP side responsive while a large backlog drains.
    """

    def __init__(self, queue: IntakeQueue, player: LifecyclePlayer, workers: int, chunk: int = 500) -> None:
        self._queue = queue
        self._player = player
        self._workers = workers
        self._chunk = chunk
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._work(), name=f"intake-worker-{n}") for n in range(self._workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        queue, play = self._queue, self._player.play
        while True:
            message: QueuedMessage | None = await queue.get()
            now = loop.time()
            handled = 0
            while message is not None and handled < self._chunk:
                play(message.communication_id, message.channel, message.outbox, now, message.key)
                handled += 1
                message = queue.get_nowait() if handled < self._chunk else None
            await asyncio.sleep(0)

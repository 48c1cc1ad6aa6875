"""The timer heap and the ground-truth log on their own."""

from __future__ import annotations

import asyncio

from channel_service.event_log import GroundTruthLog
from channel_service.scheduler import Scheduler


class Item:
    def __init__(self, name: str, repeats: int = 0) -> None:
        self.name = name
        self.repeats = repeats

    def __lt__(self, other: object) -> bool:
        return False


async def test_items_fire_in_due_order_and_can_reschedule_themselves() -> None:
    loop = asyncio.get_running_loop()
    fired: list[tuple[str, float]] = []

    def on_due(item: Item, due: float) -> float | None:
        fired.append((item.name, due))
        if item.repeats:
            item.repeats -= 1
            return due + 0.01
        return None

    scheduler: Scheduler[Item] = Scheduler(on_due, chunk=2)
    start = loop.time()
    scheduler.schedule(start + 0.05, Item("late"))
    scheduler.schedule(start + 0.03, Item("repeat", repeats=1))
    scheduler.start(loop)
    # scheduled after start and earlier than the armed timer: must re-arm
    scheduler.schedule(start + 0.01, Item("early"))
    for n in range(5):
        scheduler.schedule(start - 1 + n * 0.001, Item(f"overdue-{n}"))
    await asyncio.sleep(0.15)
    names = [name for name, _ in fired]
    assert names == [f"overdue-{n}" for n in range(5)] + ["early", "repeat", "repeat", "late"]
    assert [due for _, due in fired] == sorted(due for _, due in fired)
    assert scheduler.firings == 9 and len(scheduler) == 0


async def test_stopped_scheduler_keeps_its_items() -> None:
    loop = asyncio.get_running_loop()
    fired: list[Item] = []
    scheduler: Scheduler[Item] = Scheduler(lambda item, due: fired.append(item))
    scheduler.start(loop)
    scheduler.schedule(loop.time() + 0.02, Item("x"))
    scheduler.stop()
    await asyncio.sleep(0.05)
    assert fired == [] and len(scheduler) == 1


def test_event_log_keeps_the_latest_events_and_its_index_in_step() -> None:
    log = GroundTruthLog(capacity=3)
    log.record("m1", "sent", 1_700_000_000.0, None)
    log.record("m2", "sent", 1_700_000_001.0, None)
    log.record("m1", "failed", 1_700_000_002.0, "blocked")
    log.record("m2", "delivered", 1_700_000_003.0, None)
    assert len(log) == 3
    assert [e["type"] for e in log.for_communication("m1")] == ["failed"]
    assert log.for_communication("m1")[0]["reason"] == "blocked"
    log.record("m3", "sent", 1_700_000_004.0, None)
    assert [e["type"] for e in log.for_communication("m2")] == ["delivered"]
    page, cursor = log.page(after=-1, limit=2)
    assert [(e["communication_id"], e["type"]) for e in page] == [
        ("m1", "failed"),
        ("m2", "delivered"),
    ]
    rest, last = log.page(after=cursor, limit=10)
    assert [e["event_id"] for e in rest] == ["m3:sent"] and last == rest[0]["seq"]
    assert rest[0]["occurred_at"] == "2023-11-14T22:13:24.000+00:00"


def test_disabled_event_log_records_nothing() -> None:
    log = GroundTruthLog(capacity=10, enabled=False)
    log.record("m1", "sent", 0.0, None)
    assert len(log) == 0

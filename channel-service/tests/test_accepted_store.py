"""Durable dedupe (issue 18): a message accepted before a restart is not played again after it.

The combined fault: the CRM is killed holding a claimed batch the channel service already
accepted, the channel service restarts before the claim expires, and the CRM's successor re-sends
the batch. The restarted service (with a new random simulation seed) must acknowledge every
message and play none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from channel_service.accepted_store import AcceptedStore, fingerprint
from channel_service.config import Settings
from channel_service.lifecycle import Channel
from channel_service.service import ChannelService

CHANNELS: tuple[Channel, ...] = ("email", "whatsapp", "sms", "rcs")


def batch(ids: range, prefix: str = "cmp-7f3a-") -> list[tuple[str, Channel]]:
    return [(f"{prefix}{n}", CHANNELS[n % 4]) for n in ids]


def test_the_store_remembers_within_its_retention_and_forgets_after(tmp_path: Path) -> None:
    path = str(tmp_path / "intake.sqlite3")
    store = AcceptedStore(path, retention_seconds=100)
    store.add([fingerprint("a"), fingerprint("b")], now=1000.0)
    store.add([fingerprint("c")], now=1050.0)
    store.close()
    reopened = AcceptedStore(path, retention_seconds=100)
    assert reopened.load(now=1090.0) == {fingerprint("a"), fingerprint("b"), fingerprint("c")}
    assert reopened.load(now=1120.0) == {fingerprint("c")}
    assert len(reopened) == 1
    reopened.close()


def test_fingerprints_do_not_depend_on_the_process() -> None:
    assert fingerprint("cmp-1") == fingerprint("cmp-1") != fingerprint("cmp-2")
    assert -(2**63) <= fingerprint("cmp-1") < 2**63


async def test_a_resend_after_a_restart_plays_nothing_twice(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    path = str(tmp_path / "intake.sqlite3")
    settings: Any = make_settings(intake_dedupe_path=path, sim_seed=None, intake_queue_size=100_000)
    first = ChannelService(settings)
    await first.start()
    admitted = first.admit("http://127.0.0.1:9/callback", batch(range(50_000)))
    assert (admitted.queued, admitted.duplicates) == (50_000, 0)
    await first.stop()  # the restart, before the CRM's claim on the batch expires

    second = ChannelService(make_settings(intake_dedupe_path=path, sim_seed=None))
    await second.start()
    try:
        resent = second.admit("http://127.0.0.1:9/callback", batch(range(49_000, 51_000)))
        # 1,000 of the re-sent batch were accepted before the restart: 0 of them play again.
        assert (resent.queued, resent.duplicates) == (1_000, 1_000)
        assert second.stats.accepted == 1_000 and second.stats.duplicate_messages == 1_000
    finally:
        await second.stop()


async def test_without_a_file_the_memory_window_still_dedupes(make_settings: Callable[..., Settings]) -> None:
    service = ChannelService(make_settings(intake_dedupe_path=""))
    await service.start()
    try:
        service.admit("http://127.0.0.1:9/callback", batch(range(10)))
        again = service.admit("http://127.0.0.1:9/callback", batch(range(10)))
        assert (again.queued, again.duplicates) == (0, 10)
        assert service.intake.store is None
    finally:
        await service.stop()

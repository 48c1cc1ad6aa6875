"""Periodic enrollment: people who come to match a live sequence's (frozen) audience after launch —
new customers, new orders — join it on the sequence's latest version.

Launch enrolls the audience once; `Enroller` repeats that pass every SEQUENCE_ENROLL_INTERVAL_SECONDS
in the CRM process, next to the dispatcher. A pass adds only people not yet enrolled (ever, in any
status), so nobody joins twice, and two passes racing insert each person once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.config import Settings
from crm.errors import Conflict
from crm.models import Sequence
from crm.sequences.service import SequenceService

log = logging.getLogger(__name__)


async def enroll_live_sequences(maker: async_sessionmaker[AsyncSession], time_scale: float) -> dict[int, int]:
    """One pass over every live sequence, each in its own transaction; returns {sequence id: joined}."""
    async with maker() as session:
        live = (await session.scalars(select(Sequence.id).where(Sequence.status == "live").order_by(Sequence.id))).all()
    joined: dict[int, int] = {}
    for sequence_id in live:
        try:
            async with maker() as session, session.begin():
                sequence = await session.get(Sequence, sequence_id)
                if sequence is not None:
                    joined[sequence_id] = await SequenceService(session, time_scale).enroll_new(sequence)
        except Conflict as exc:  # e.g. no audience left; one bad sequence must not hold up the others
            log.warning("sequence %d: cannot enroll: %s", sequence_id, exc.detail)
    return joined


@dataclass
class Enroller:
    maker: async_sessionmaker[AsyncSession]
    time_scale: float = 1.0
    interval_seconds: float = 60.0

    @classmethod
    def from_settings(cls, maker: async_sessionmaker[AsyncSession], settings: Settings) -> Enroller:
        return cls(maker, settings.sim_time_scale, settings.sequence_enroll_interval_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        """A pass every interval until `stop` is set; a failed pass is logged and retried next time."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval_seconds)
            if stop.is_set():
                return
            try:
                joined = await enroll_live_sequences(self.maker, self.time_scale)
                if any(joined.values()):
                    log.info("sequence enrollment: %s", {k: v for k, v in joined.items() if v})
            except Exception:
                log.exception("sequence enrollment pass failed; retrying next interval")

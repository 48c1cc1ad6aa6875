"""Starts scheduled campaigns when their time comes: each in its own transaction, so one that
fails (or is refused for reaching nobody) does not hold back the others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.campaigns import repository as repo
from crm.campaigns.service import CampaignService
from crm.db import utcnow
from crm.experiments.service import decide_due_winners

log = logging.getLogger(__name__)


async def start_due_campaigns(maker: async_sessionmaker[AsyncSession], now: datetime | None = None) -> list[int]:
    """One pass: every scheduled campaign due by `now` is started (or refused back to draft)."""
    now = now or utcnow()
    async with maker() as session:
        due = await repo.due_scheduled(session, now)
    started: list[int] = []
    for campaign_id in due:
        async with maker() as session, session.begin():
            if await CampaignService(session).start_scheduled(campaign_id, now):
                started.append(campaign_id)
    return started


@dataclass
class CampaignScheduler:
    maker: async_sessionmaker[AsyncSession]
    interval_seconds: float = 1.0

    async def run(self, stop: asyncio.Event) -> None:
        """A pass every interval until `stop` is set; a failed pass is logged and retried next time."""
        while not stop.is_set():
            try:
                started = await start_due_campaigns(self.maker)
                if started:
                    log.info("scheduled campaigns started: %s", started)
                decided = await decide_due_winners(self.maker)
                if decided:
                    log.info("experiment winners decided: %s", decided)
            except Exception:
                log.exception("scheduled campaign pass failed; retrying next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval_seconds)

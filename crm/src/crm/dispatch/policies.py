"""Send policies for campaigns and sequences alike: quiet hours and a per-contact frequency
cap. A policy never drops a send; it says when the send may go instead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import Settings
from crm.models import Communication


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    if not text.strip():
        return None
    start, end = (time.fromisoformat(part.strip()) for part in text.split("-", 1))
    return start, end


@dataclass(frozen=True)
class SendPolicy:
    timezone: ZoneInfo
    quiet: tuple[time, time] | None
    cap: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        return cls(
            timezone=ZoneInfo(settings.brand_timezone),
            quiet=parse_quiet_hours(settings.quiet_hours),
            cap=settings.frequency_cap,
            window=timedelta(hours=settings.frequency_window_hours / settings.sim_time_scale),
        )

    def quiet_until(self, now: datetime) -> datetime | None:
        """The end of the quiet window if `now` falls inside it, else None."""
        if self.quiet is None:
            return None
        start, end = self.quiet
        local = now.astimezone(self.timezone)
        t = local.time()
        inside = (start <= t or t < end) if start > end else (start <= t < end)
        if not inside:
            return None
        end_day = local.date() if t < end else local.date() + timedelta(days=1)
        return datetime.combine(end_day, end, tzinfo=self.timezone)


class FrequencyCap:
    """Counts each customer's dispatched messages in the window, including this batch's."""

    def __init__(self, policy: SendPolicy, recent: dict[int, list[datetime]]) -> None:
        self.policy = policy
        self.recent = recent

    @classmethod
    async def load(
        cls, session: AsyncSession, policy: SendPolicy, customer_ids: Iterable[int], now: datetime
    ) -> FrequencyCap:
        recent: dict[int, list[datetime]] = defaultdict(list)
        ids = sorted(set(customer_ids))
        if policy.cap and ids:
            result = await session.execute(
                select(Communication.customer_id, Communication.dispatched_at).where(
                    Communication.customer_id.in_(ids), Communication.dispatched_at > now - policy.window
                )
            )
            for customer_id, at in result:
                if at is not None:
                    recent[customer_id].append(at)
        return cls(policy, recent)

    def next_allowed(self, customer_id: int, now: datetime) -> datetime | None:
        if not self.policy.cap:
            return None
        window_start = now - self.policy.window
        times = sorted(t for t in self.recent[customer_id] if t > window_start)
        if len(times) < self.policy.cap:
            return None
        return times[len(times) - self.policy.cap] + self.policy.window

    def record(self, customer_id: int, at: datetime) -> None:
        self.recent[customer_id].append(at)

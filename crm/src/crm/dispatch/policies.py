"""Send policies for campaigns and sequences alike: quiet hours and a per-contact frequency
cap. A policy never drops a send; it says when the send may go instead.

With SIM_TIME_SCALE > 1 (the demo) both policies run on simulated time, as sequence delays do: the
cap's window shrinks by the scale, and quiet hours are observed on a simulated clock that runs
SIM_TIME_SCALE times faster than the real one (`simulated_now`), so a night lasts 12 h / scale and a
five-day sequence keeps moving instead of stalling for a real night. At scale 1 nothing changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import Settings
from crm.messages.claims import recent_dispatches

# The simulated clock agrees with the real one at SIM_EPOCH and wraps every SIM_CYCLE (whole weeks,
# so the simulated time of day and weekday run on smoothly and the date stays in range).
SIM_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
SIM_CYCLE = timedelta(weeks=52)
# A deferral on the simulated clock ends this much (real time) after the quiet window, so float
# rounding never claims a send a hair early only to defer it again.
SIM_MARGIN = timedelta(milliseconds=1)


def simulated_now(now: datetime, time_scale: float) -> datetime:
    """The simulated instant at real instant `now` (the same instant when time_scale is 1)."""
    if time_scale == 1:
        return now
    return SIM_EPOCH + ((now - SIM_EPOCH) * time_scale) % SIM_CYCLE


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
    time_scale: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SendPolicy:
        return cls(
            timezone=ZoneInfo(settings.brand_timezone),
            quiet=parse_quiet_hours(settings.quiet_hours),
            cap=settings.frequency_cap,
            window=timedelta(hours=settings.frequency_window_hours / settings.sim_time_scale),
            time_scale=settings.sim_time_scale,
        )

    def quiet_until(self, now: datetime) -> datetime | None:
        """The (real) end of the quiet window if `now` falls inside it on the simulated clock, else None."""
        simulated = simulated_now(now, self.time_scale)
        end = self._local_quiet_until(simulated)
        if end is None or self.time_scale == 1:
            return end
        return now + (end - simulated) / self.time_scale + SIM_MARGIN

    def _local_quiet_until(self, now: datetime) -> datetime | None:
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
            for customer_id, at in await recent_dispatches(session, ids, now - policy.window):
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

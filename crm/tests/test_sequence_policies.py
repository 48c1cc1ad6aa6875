"""Send policies under SIM_TIME_SCALE, with a fake clock: quiet hours are observed on the simulated
clock (a night lasts 12 h / scale), so a five-day sequence does not stall for a real night; at scale
1 quiet hours and the frequency cap defer exactly as before and never drop."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from reach_dispatch import Clock, FakeChannel
from reach_factories import customer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.config import Settings
from crm.dispatch.dispatcher import Dispatcher
from crm.dispatch.policies import SIM_EPOCH, SIM_MARGIN, SendPolicy, simulated_now
from crm.models import Communication

IST = ZoneInfo("Asia/Kolkata")
SCALE = 3600.0
PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
FIVE_DAY_STEPS = [
    {"channel": "whatsapp", "body": "Hi {{ first_name }}, we miss you!"},
    {"channel": "email", "delay": {"value": 2, "unit": "days"}, "subject": "Still there?", "body": "Come back."},
    {"channel": "sms", "delay": {"value": 3, "unit": "days"}, "body": "20% off today only: SUGAR20"},
]
REAL_NIGHT = datetime(2027, 11, 22, 22, 30, tzinfo=IST).astimezone(UTC)


def policy_at(scale: float) -> SendPolicy:
    settings = Settings(
        _env_file=None,
        quiet_hours="21:00-09:00",
        brand_timezone="Asia/Kolkata",
        frequency_cap=1,
        frequency_window_hours=24,
        sim_time_scale=scale,
    )
    return SendPolicy.from_settings(settings)


def real_instant_when_simulated_clock_reads(simulated: datetime) -> datetime:
    """Within the first simulated cycle: the real instant at which the simulated clock shows this."""
    return SIM_EPOCH + (simulated - SIM_EPOCH) / SCALE


def test_at_scale_1_quiet_hours_defer_to_the_real_morning() -> None:
    policy = policy_at(1.0)
    assert simulated_now(REAL_NIGHT, 1.0) == REAL_NIGHT
    assert policy.quiet_until(REAL_NIGHT) == datetime(2027, 11, 23, 9, 0, tzinfo=IST)
    assert policy.quiet_until(datetime(2027, 11, 23, 9, 0, tzinfo=IST)) is None
    assert policy.window == timedelta(hours=24)


def test_at_a_high_scale_quiet_hours_follow_the_simulated_clock() -> None:
    policy = policy_at(SCALE)
    assert policy.window == timedelta(seconds=24)
    simulated_night = datetime(2026, 1, 1, 22, 30, tzinfo=IST)
    now = real_instant_when_simulated_clock_reads(simulated_night)
    assert now == SIM_EPOCH + timedelta(seconds=17)  # 17:00 UTC simulated is 17 real seconds in
    # 10.5 simulated hours until 09:00 IST are 10.5 real seconds.
    assert policy.quiet_until(now) == now + timedelta(seconds=10.5) + SIM_MARGIN
    simulated_morning = datetime(2026, 1, 2, 9, 0, 1, tzinfo=IST)
    assert policy.quiet_until(real_instant_when_simulated_clock_reads(simulated_morning)) is None
    # Whatever the real hour, a simulated night never holds a send longer than 12 h / scale.
    for minute in range(0, 24 * 60, 7):
        real = REAL_NIGHT + timedelta(minutes=minute)
        until = policy.quiet_until(real)
        assert until is None or timedelta(0) < until - real <= timedelta(seconds=12) + SIM_MARGIN


async def test_a_five_day_sequence_launched_at_night_plays_out_in_simulated_time(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    everyone = {"email": True, "sms": True, "whatsapp": True, "rcs": True}
    records = [customer(city="Pune", consent=everyone) for _ in range(3)]
    assert (await client.post("/api/ingest", json={"customers": records})).status_code == 200
    created = await client.post("/api/sequences", json={"name": "5 days", "filter": PUNE, "steps": FIVE_DAY_STEPS})
    assert (await client.post(f"/api/sequences/{created.json()['id']}/launch")).status_code == 200

    channel, clock = FakeChannel(), Clock()
    clock.now = REAL_NIGHT  # 22:30 in the brand's time zone, for real
    dispatcher = Dispatcher(
        maker=sessionmaker,
        client=channel,
        callback_url="http://crm.test/api/webhooks/receipts",
        clock=clock,
        policy=policy_at(SCALE),
        time_scale=SCALE,
    )
    from_the_start = clock.now
    deferred = 0
    for _ in range(400):  # one dispatch pass per fake second
        deferred += (await dispatcher.dispatch_once()).deferred
        if len(channel.played) == 9:
            break
        clock.now += timedelta(seconds=1)
    assert len(channel.played) == 9, f"only {len(channel.played)} of 9 sent by {clock.now - from_the_start}"
    # Five simulated days are 120 real seconds, plus at most three simulated nights of 12 s each.
    assert clock.now - from_the_start <= timedelta(seconds=120 + 3 * 12 + 3)
    rows = await session.execute(
        select(Communication.step_index, func.count(), func.sum(Communication.deferred_count)).group_by(
            Communication.step_index
        )
    )
    by_step = {int(i): (int(n), int(d or 0)) for i, n, d in rows}
    assert {i: n for i, (n, _) in by_step.items()} == {0: 3, 1: 3, 2: 3}
    assert sum(d for _, d in by_step.values()) == deferred  # every deferral was a wait, none a drop
    # The simulated clock read 05:30 IST at launch: step 1 waited for the simulated 09:00 (3.5 real
    # seconds) and went; later steps, whole days after it, came due in the simulated daytime.
    assert simulated_now(from_the_start, SCALE).astimezone(IST).time() == time(5, 30)
    assert deferred == 3 and {i: d for i, (_, d) in by_step.items()} == {0: 3, 1: 0, 2: 0}

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.models import CustomerStats, Order
from crm.seed import SeedPlan, generate, seed_database


def test_seed_is_deterministic_for_a_seed_and_a_day() -> None:
    plan = SeedPlan(customers=300, seed=7, today=date(2026, 11, 21))
    assert list(generate(plan)) == list(generate(plan))
    other = list(generate(SeedPlan(customers=300, seed=8, today=date(2026, 11, 21))))
    assert other != list(generate(plan))


async def test_seed_goes_through_ingest_and_gives_meaningful_audiences(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    customers, orders = await seed_database(sessionmaker, SeedPlan(400, 42, date.today()))
    assert customers == 400 and 1200 <= orders <= 2400
    assert await session.scalar(select(func.count()).select_from(Order)) == orders
    stats = (await session.scalars(select(CustomerStats))).all()
    assert len(stats) == 400
    now = datetime.now(UTC)
    lapsed = [s for s in stats if s.last_order_at and s.last_order_at < now - timedelta(days=60)]
    one_timers = [s for s in stats if s.order_count == 1]
    big_spenders = [s for s in stats if s.total_spent_minor >= 500000]
    never = [s for s in stats if s.order_count == 0]
    for audience in (lapsed, one_timers, big_spenders, never):
        assert 10 <= len(audience) <= 300
    assert any("lipstick" in s.categories for s in lapsed)

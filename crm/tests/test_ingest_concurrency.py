"""Two ingests running at once on two real connections must leave the rollup exact.

Each ingest recomputes its customers' stats from the orders its own transaction can see; without
serialisation, two uncommitted ingests adding orders for the same customer each count only their
own order. The second ingest here is started while the first still holds its transaction open,
and must not finish its recomputation until the first commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from reach_databases import fresh_database_url
from reach_factories import order
from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.db import create_engine, create_sessionmaker
from crm.ingest.service import IngestService
from crm.models import CustomerStats, Order
from crm.models.order import NON_COUNTING_ORDER_STATUSES

CUSTOMERS = [f"race-c{n}" for n in range(1, 6)]


@pytest.fixture
async def race_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(await fresh_database_url(backend, tmp_path, name="ingest_race"))
    yield engine
    await engine.dispose()


async def ingest_and_commit(
    maker: async_sessionmaker[AsyncSession], orders: Sequence[dict[str, Any]], customers: Sequence[str] = ()
) -> None:
    async with maker() as session, session.begin():
        report = await IngestService(session).ingest([{"external_id": c} for c in customers], orders)
        assert report.rejected == []


async def blocked_on_a_lock(engine: AsyncEngine, task: asyncio.Task[None]) -> bool:
    """True once `task` waits on a lock held by the open transaction (it must not finish first)."""
    for _ in range(200):
        assert not task.done(), "the second ingest finished while the first was still uncommitted"
        if engine.dialect.name != "postgresql":
            # SQLite: the second writer waits in BEGIN IMMEDIATE; give it time to get there.
            await asyncio.sleep(0.3)
            return not task.done()
        async with engine.connect() as probe:
            waiting = await probe.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return True
        await asyncio.sleep(0.05)
    return False


async def rollup_and_recomputation(
    engine: AsyncEngine,
) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    counted = Order.status.not_in(NON_COUNTING_ORDER_STATUSES)
    async with engine.connect() as conn:
        stored = {
            cid: (total, count)
            for cid, total, count in await conn.execute(
                select(CustomerStats.customer_id, CustomerStats.total_spent_minor, CustomerStats.order_count)
            )
        }
        recomputed = {cid: (0, 0) for cid in stored}
        for cid, total, count in await conn.execute(
            select(
                Order.customer_id,
                func.sum(case((counted, Order.amount_minor), else_=0)),
                func.sum(case((counted, 1), else_=0)),
            ).group_by(Order.customer_id)
        ):
            recomputed[cid] = (int(total), int(count))
    return stored, recomputed


async def test_two_concurrent_ingests_for_the_same_customers_keep_the_rollup_exact(race_engine: AsyncEngine) -> None:
    maker = create_sessionmaker(race_engine)
    await ingest_and_commit(maker, [], CUSTOMERS)

    first = maker()
    await first.begin()
    # The first ingest touches the customers in one order, the second in the reverse order: the
    # rollup must serialise them without deadlocking.
    report = await IngestService(first).ingest(
        [], [order(c, external_id=f"race-first-{c}", amount=100 + n) for n, c in enumerate(CUSTOMERS)]
    )
    assert report.rejected == []
    second = asyncio.create_task(
        ingest_and_commit(
            maker,
            [order(c, external_id=f"race-second-{c}", amount=1000 + n) for n, c in enumerate(reversed(CUSTOMERS))],
        )
    )
    try:
        assert await blocked_on_a_lock(race_engine, second)
        await first.commit()
    finally:
        await first.close()
    await asyncio.wait_for(second, timeout=30)

    stored, recomputed = await rollup_and_recomputation(race_engine)
    assert len(stored) == len(CUSTOMERS)
    assert all(count == 2 for _, count in recomputed.values())  # both ingests' orders are stored
    assert stored == recomputed

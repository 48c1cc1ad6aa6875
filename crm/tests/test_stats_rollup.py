"""The rollup the segmenter reads must never drift from the orders it summarises."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Order, OrderItem
from crm.models.customer import encode_tags
from crm.models.order import order_counts

CATEGORIES = ["Lipstick", "Kajal", "Foundation", "Skincare"]
STATUSES = ["paid", "paid", "fulfilled", "pending", "cancelled", "refunded"]


async def recompute(session: AsyncSession) -> dict[int, tuple[Any, ...]]:
    orders = (await session.scalars(select(Order))).all()
    items = (await session.scalars(select(OrderItem))).all()
    by_customer: dict[int, list[Order]] = defaultdict(list)
    for o in orders:
        if order_counts(o.status):
            by_customer[o.customer_id].append(o)
    counted_orders = {o.id: o for group in by_customer.values() for o in group}
    categories: dict[int, set[str]] = defaultdict(set)
    latest: dict[int, tuple[datetime, int, str]] = {}
    for item in items:
        order = counted_orders.get(item.order_id)
        if order is None:
            continue
        if item.category:
            categories[order.customer_id].add(item.category)
        key = (order.ordered_at, item.id, item.name)
        if order.customer_id not in latest or key[:2] > latest[order.customer_id][:2]:
            latest[order.customer_id] = key
    expected = {}
    for cid in (await session.scalars(select(Customer.id))).all():
        group = by_customer.get(cid, [])
        total = sum(o.amount_minor for o in group)
        expected[cid] = (
            total,
            len(group),
            round(total / len(group)) if group else 0,
            min((o.ordered_at for o in group), default=None),
            max((o.ordered_at for o in group), default=None),
            encode_tags(list(categories[cid])),
            latest[cid][2] if cid in latest else None,
        )
    return expected


async def stored(session: AsyncSession) -> dict[int, tuple[Any, ...]]:
    session.expire_all()
    return {
        s.customer_id: (
            s.total_spent_minor,
            s.order_count,
            s.avg_order_value_minor,
            s.first_order_at,
            s.last_order_at,
            s.categories,
            s.last_item,
        )
        for s in (await session.scalars(select(CustomerStats))).all()
    }


async def orphaned_or_stale_items(session: AsyncSession) -> list[int]:
    """Items whose order is gone or whose copies of the order's fields disagree with it. order_items
    has no foreign keys (migration 0014): ingestion alone keeps them attached."""
    session.expire_all()
    orders = {o.id: o for o in (await session.scalars(select(Order))).all()}
    bad = []
    for item in (await session.scalars(select(OrderItem))).all():
        order = orders.get(item.order_id)
        if order is None or (item.customer_id, item.ordered_at, item.counted) != (
            order.customer_id,
            order.ordered_at,
            order_counts(order.status),
        ):
            bad.append(item.id)
    return bad


async def orphaned_orders(session: AsyncSession) -> list[int]:
    """Orders whose customer is gone. orders.customer_id has no foreign key (migration 0019)."""
    customers = set((await session.scalars(select(Customer.id))).all())
    return [o.id for o in (await session.scalars(select(Order))).all() if o.customer_id not in customers]


async def test_new_customers_and_their_orders_in_the_same_calls(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Each call brings new customers (some with orders, some without) and orders for older ones:
    every customer ends with exactly one rollup row equal to a recomputation, and no order or item
    is orphaned."""
    rng = random.Random(20261129)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    known: list[str] = []
    for round_ in range(5):
        new = [f"mix-{round_}-{n}" for n in range(rng.randrange(2, 6))]
        buyers = [c for c in new if rng.random() < 0.6] + rng.sample(known, k=min(len(known), 2))
        orders = [
            {
                "external_id": f"mix-o-{round_}-{n}",
                "customer_external_id": buyer,
                "ordered_at": (base + timedelta(days=rng.randrange(300))).isoformat(),
                "amount": rng.randrange(100, 3000),
                "status": rng.choice(STATUSES),
                "items": [{"name": f"{c} thing", "category": c, "unit_price": 99} for c in rng.sample(CATEGORIES, 2)],
            }
            for n, buyer in enumerate(buyers)
        ]
        response = await client.post(
            "/api/ingest", json={"customers": [{"external_id": c} for c in new], "orders": orders}
        )
        assert response.status_code == 200 and response.json()["rejected"] == []
        known.extend(new)
        assert await orphaned_orders(session) == []
        assert await orphaned_or_stale_items(session) == []
        assert await stored(session) == await recompute(session)
    final = await stored(session)
    assert len(final) == len(known)
    assert sum(1 for v in final.values() if v[1]) > 3 and sum(1 for v in final.values() if not v[1]) > 0


async def test_rollup_equals_a_recomputation_after_random_ingests(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    rng = random.Random(20261121)
    customers = [f"roll-{n}" for n in range(12)]
    await client.post("/api/ingest", json={"customers": [{"external_id": c} for c in customers]})
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for _round in range(6):
        orders = []
        for _ in range(25):
            n = rng.randrange(40)  # reuse ids so orders get updated, moved and re-itemised
            order: dict[str, Any] = {
                "external_id": f"roll-o-{n}",
                "customer_external_id": rng.choice(customers),
                "ordered_at": (base + timedelta(hours=rng.randrange(5000))).isoformat(),
                "amount": rng.randrange(100, 500000) / 100,
                "status": rng.choice(STATUSES),
            }
            if rng.random() < 0.7:  # sometimes an update without items keeps the old ones
                order["items"] = [
                    {
                        "name": f"item-{rng.randrange(99)}",
                        "category": rng.choice(CATEGORIES),
                        "unit_price": 10,
                    }
                    for _ in range(rng.randrange(0, 3))
                ]
            orders.append(order)
        response = await client.post("/api/ingest", json={"orders": orders})
        assert response.status_code == 200 and response.json()["rejected"] == []
        assert await orphaned_or_stale_items(session) == []
        assert await stored(session) == await recompute(session)
    # Not a vacuous comparison: the data has spend, cancellations and categories.
    final = await stored(session)
    assert sum(v[1] for v in final.values()) > 5
    assert any(v[5] for v in final.values())
    assert len((await session.scalars(select(OrderItem.id))).all()) > 10

"""The batched write path keeps the per-record semantics: defaults on insert only, partial
updates per record within one batch, and an exact rollup across statement-sized chunks."""

from __future__ import annotations

from typing import Any

import httpx
from reach_factories import customer, order
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Order, OrderItem


async def ingest(client: httpx.AsyncClient, **payload: Any) -> dict[str, Any]:
    response = await client.post("/api/ingest", json=payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["rejected"] == []
    return body


async def stored_order(session: AsyncSession, external_id: str) -> Order:
    session.expire_all()
    found = await session.scalar(select(Order).where(Order.external_id == external_id))
    assert found is not None
    return found


async def test_defaults_apply_on_insert_and_partial_updates_keep_stored_values(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    c = customer()
    bare = {"external_id": "batch-bare", "customer_external_id": c["external_id"], "ordered_at": "2026-01-01T00:00:00Z"}
    foreign = order(c["external_id"], external_id="batch-eur", currency="EUR", status="Pending")
    await ingest(client, customers=[c], orders=[bare | {"amount": 10}, foreign])
    first = await stored_order(session, "batch-bare")
    assert (first.currency, first.status, first.amount_minor) == ("INR", "paid", 1000)
    # One batch, two record shapes: amount and status for one, only the amount for the other.
    await ingest(
        client,
        orders=[{**bare, "amount": 12.5, "status": "fulfilled"}, {**bare, "external_id": "batch-eur", "amount": 3}],
    )
    updated = await stored_order(session, "batch-eur")
    assert (updated.currency, updated.status, updated.amount_minor) == ("EUR", "pending", 300)
    updated_id = updated.id
    again = await stored_order(session, "batch-bare")
    assert (again.currency, again.status, again.amount_minor) == ("INR", "fulfilled", 1250)
    # The items of an order updated without items stay; new items replace the old ones.
    assert (
        await session.scalar(select(func.count()).select_from(OrderItem).where(OrderItem.order_id == updated_id)) == 1
    )


async def test_rollup_is_exact_for_a_batch_larger_than_one_statement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    people = [customer(external_id=f"bulk-{n}") for n in range(30)]
    orders = [
        order(
            f"bulk-{n % 30}",
            external_id=f"bulk-o-{n}",
            amount=100 + n,
            ordered_at=f"2026-0{1 + n % 9}-{1 + n % 28:02d}T10:00:00Z",
            status="cancelled" if n % 7 == 0 else "paid",
            items=[
                {"name": f"Item {n}", "category": "Lipstick" if n % 2 else "lipstick", "unit_price": 1},
                {"name": f"Kohl {n}", "category": "Kajal" if n % 3 == 0 else None, "unit_price": 1},
            ],
        )
        for n in range(1500)  # more rows than one SQLite statement takes
    ]
    body = await ingest(client, customers=people, orders=orders)
    assert body["orders"] == {"created": 1500, "updated": 0, "unchanged": 0}
    session.expire_all()
    rows = (
        await session.execute(
            select(Customer.external_id, CustomerStats).join(CustomerStats, CustomerStats.customer_id == Customer.id)
        )
    ).all()
    assert len(rows) == 30
    for external_id, stats in rows:
        k = int(external_id.removeprefix("bulk-"))
        mine = [n for n in range(1500) if n % 30 == k and n % 7 != 0]
        assert stats.order_count == len(mine)
        assert stats.total_spent_minor == sum((100 + n) * 100 for n in mine)
        assert stats.categories == ("|kajal|lipstick|" if any(n % 3 == 0 for n in mine) else "|lipstick|")
        latest = max(mine, key=lambda n: (1 + n % 9, 1 + n % 28, n))
        assert stats.last_item == f"Kohl {latest}"


async def row_versions(session: AsyncSession, backend: str) -> dict[str, list[Any]]:
    """updated_at of every customer and order, and (Postgres) the xmin of every row of the three
    tables a replay would rewrite: a new row version gets a new xmin."""
    session.expire_all()
    found: dict[str, list[Any]] = {
        "customers": list((await session.scalars(select(Customer.updated_at).order_by(Customer.id))).all()),
        "orders": list((await session.scalars(select(Order.updated_at).order_by(Order.id))).all()),
    }
    if backend == "postgresql":
        for table, key in (("customers", "id"), ("orders", "id"), ("customer_stats", "customer_id")):
            statement = text(f"SELECT xmin::text FROM {table} ORDER BY {key}")
            found[f"{table} xmin"] = list((await session.scalars(statement)).all())
    return found


async def test_a_replay_that_changes_nothing_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, backend: str
) -> None:
    people = [customer(external_id=f"same-{n}") for n in range(3)]
    orders = [order(p["external_id"], external_id=f"same-o-{n}") for n, p in enumerate(people)]
    first = await ingest(client, customers=people, orders=orders)
    before = await row_versions(session, backend)
    replay = await ingest(client, customers=people, orders=orders)
    assert (replay["customers"], replay["orders"]) == (
        {"created": 0, "updated": 0, "unchanged": 3},
        {"created": 0, "updated": 0, "unchanged": 3},
    )
    assert await row_versions(session, backend) == before
    # A real change is still written, and only to the row it changes.
    changed = await ingest(client, customers=[{**people[0], "city": "Kochi"}], orders=[{**orders[1], "amount": 1}])
    assert changed["rejected"] == first["rejected"] == []
    after = await row_versions(session, backend)
    assert [a != b for a, b in zip(after["customers"], before["customers"], strict=True)] == [True, False, False]
    assert [a != b for a, b in zip(after["orders"], before["orders"], strict=True)] == [False, True, False]
    session.expire_all()
    assert await session.scalar(select(Customer.city).where(Customer.external_id == "same-0")) == "Kochi"
    same_1 = select(Customer.id).where(Customer.external_id == "same-1").scalar_subquery()
    stats = await session.scalar(select(CustomerStats).where(CustomerStats.customer_id == same_1))
    assert stats is not None and stats.total_spent_minor == 100

"""All SQL for ingestion: set-based upserts and the customer stats rollup."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.models import Customer, CustomerStats, Order, OrderItem
from crm.models.customer import encode_tags
from crm.models.order import NON_COUNTING_ORDER_STATUSES
from crm.sql import chunked, dialect_name, insert_ignoring_conflicts, upsert
from crm.tables import customer_stats_table, customers_table, order_items_table, orders_table

CHUNK = 1000


def _group_by_keys(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Rows of one statement must share their columns; partial updates differ, so group them."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    return groups


async def customer_ids_by_external_id(session: AsyncSession, external_ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunked(list(external_ids), CHUNK):
        result = await session.execute(select(Customer.external_id, Customer.id).where(Customer.external_id.in_(part)))
        found.update({ext: cid for ext, cid in result})
    return found


async def external_ids_by_email(session: AsyncSession, emails: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunked(list(emails), CHUNK):
        result = await session.execute(
            select(Customer.email, Customer.external_id).where(Customer.email.in_(part)).order_by(Customer.id)
        )
        for email, ext in result:
            if email is not None:
                found.setdefault(email, ext)
    return found


async def upsert_customers(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    now = utcnow()
    for keys, group in _group_by_keys(rows).items():
        update_columns = [k for k in keys if k != "external_id"] + ["updated_at"]
        statement = upsert(session, customers_table, ["external_id"], update_columns)
        for part in chunked(group, CHUNK):
            await session.execute(statement, [{**row, "updated_at": now} for row in part])


async def ensure_stats_rows(session: AsyncSession, customer_ids: Iterable[int]) -> None:
    rows = [{"customer_id": cid} for cid in customer_ids]
    statement = insert_ignoring_conflicts(session, customer_stats_table, ["customer_id"])
    for part in chunked(rows, CHUNK):
        await session.execute(statement, list(part))


async def orders_by_external_id(session: AsyncSession, external_ids: Sequence[str]) -> dict[str, tuple[int, int, str]]:
    """external_id -> (order id, customer id, status) for the orders that exist."""
    found: dict[str, tuple[int, int, str]] = {}
    for part in chunked(list(external_ids), CHUNK):
        result = await session.execute(
            select(Order.external_id, Order.id, Order.customer_id, Order.status).where(Order.external_id.in_(part))
        )
        found.update({ext: (oid, cid, status) for ext, oid, cid, status in result})
    return found


async def upsert_orders(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    now = utcnow()
    for keys, group in _group_by_keys(rows).items():
        update_columns = [k for k in keys if k != "external_id"] + ["updated_at"]
        statement = upsert(session, orders_table, ["external_id"], update_columns)
        for part in chunked(group, CHUNK):
            await session.execute(statement, [{**row, "updated_at": now} for row in part])


async def replace_items(session: AsyncSession, order_ids: Sequence[int], item_rows: Sequence[dict[str, Any]]) -> None:
    for part in chunked(list(order_ids), CHUNK):
        await session.execute(delete(order_items_table).where(order_items_table.c.order_id.in_(part)))
    for rows in chunked(list(item_rows), CHUNK):
        await session.execute(order_items_table.insert(), list(rows))


async def sync_item_copies(session: AsyncSession, orders: Sequence[dict[str, Any]]) -> None:
    """Keep the order fields copied onto items current when an order changes without new items."""
    if not orders:
        return
    statement = (
        update(order_items_table)
        .where(order_items_table.c.order_id == bindparam("b_order_id"))
        .values(
            customer_id=bindparam("b_customer_id"),
            ordered_at=bindparam("b_ordered_at"),
            counted=bindparam("b_counted"),
        )
    )
    for part in chunked(list(orders), CHUNK):
        await session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in part])


async def lock_stats_rows(session: AsyncSession, customer_ids: Sequence[int]) -> None:
    """Hold these customers' rollup rows until commit, so a concurrent ingest recomputes them only
    after this one's orders are visible. Taken in id order, so two ingests never wait in a cycle.
    Postgres only: SQLite runs one writer at a time (BEGIN IMMEDIATE)."""
    if dialect_name(session) != "postgresql":
        return
    await session.execute(
        select(CustomerStats.customer_id)
        .where(CustomerStats.customer_id.in_(customer_ids))
        .order_by(CustomerStats.customer_id)
        .with_for_update()
    )


async def refresh_customer_stats(session: AsyncSession, customer_ids: Iterable[int]) -> None:
    """Recompute the rollup for these customers from their orders and items, set-based, under a
    lock on their rollup rows (without it two concurrent ingests each count only their own orders)."""
    ids = sorted(set(customer_ids))
    counted = Order.status.not_in(NON_COUNTING_ORDER_STATUSES)
    for part in chunked(ids, CHUNK):
        await lock_stats_rows(session, part)
        stats: dict[int, dict[str, Any]] = {
            cid: {
                "customer_id": cid,
                "total_spent_minor": 0,
                "order_count": 0,
                "avg_order_value_minor": 0,
                "first_order_at": None,
                "last_order_at": None,
                "categories": "",
                "last_item": None,
            }
            for cid in part
        }
        aggregates = await session.execute(
            select(
                Order.customer_id,
                func.sum(case((counted, Order.amount_minor), else_=0)),
                func.sum(case((counted, 1), else_=0)),
                func.min(case((counted, Order.ordered_at))),
                func.max(case((counted, Order.ordered_at))),
            )
            .where(Order.customer_id.in_(part))
            .group_by(Order.customer_id)
        )
        for cid, total, count, first, last in aggregates:
            row = stats[cid]
            row["total_spent_minor"] = int(total or 0)
            row["order_count"] = int(count or 0)
            row["avg_order_value_minor"] = round(int(total or 0) / count) if count else 0
            row["first_order_at"] = first
            row["last_order_at"] = last
        items = await session.execute(
            select(OrderItem.customer_id, OrderItem.category, OrderItem.name, OrderItem.ordered_at)
            .where(OrderItem.customer_id.in_(part), OrderItem.counted.is_(True))
            .order_by(OrderItem.customer_id, OrderItem.ordered_at, OrderItem.id)
        )
        categories: dict[int, set[str]] = defaultdict(set)
        last_seen: dict[int, tuple[datetime, str]] = {}
        for cid, category, name, ordered_at in items:
            if category:
                categories[cid].add(category)
            last_seen[cid] = (ordered_at, name)
        for cid, names in categories.items():
            stats[cid]["categories"] = encode_tags(list(names))
        for cid, (_, name) in last_seen.items():
            stats[cid]["last_item"] = name
        statement = upsert(
            session,
            customer_stats_table,
            ["customer_id"],
            [c for c in next(iter(stats.values())) if c != "customer_id"],
        )
        await session.execute(statement, list(stats.values()))

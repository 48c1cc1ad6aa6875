"""All SQL for ingestion: set-based upserts and the customer stats rollup."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.ingest.bulk import CHUNK, lookup_chunks, write_rows
from crm.models import Customer, CustomerStats, Order, OrderItem, Product
from crm.models.customer import encode_tags
from crm.models.order import NON_COUNTING_ORDER_STATUSES
from crm.models.product import encode_product_keys, product_signature
from crm.sql import chunked, insert_ignoring_conflicts, is_postgres, lock_rows_in_order, one_of
from crm.tables import customer_stats_table, customers_table, order_items_table, orders_table, products_table

STATS_CHUNK_POSTGRES = 5000  # customers recomputed per statement (SQLite: CHUNK, its IN-list size)


def _group_by_keys(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Rows of one statement must share their columns; partial updates differ, so group them.
    Each group is sorted by external_id, so concurrent upserts lock rows in one order."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    for group in groups.values():
        group.sort(key=lambda row: str(row["external_id"]))
    return groups


async def customer_ids_by_external_id(session: AsyncSession, external_ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in lookup_chunks(session, list(external_ids)):
        result = await session.execute(
            select(Customer.external_id, Customer.id).where(one_of(session, Customer.external_id, part))
        )
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


async def upsert_customers(
    session: AsyncSession, rows: Sequence[dict[str, Any]], known: Mapping[str, int]
) -> tuple[dict[str, int], set[str]]:
    """Insert or update by external_id (only the columns each row gives; a row that changes nothing
    is left alone, updated_at included); external_id -> id for every row, and the external ids of
    the rows written (inserted or changed). A row left alone is not returned by the upsert: its id
    comes from `known` (ids the caller looked up; they never change), else from a lookup."""
    ids: dict[str, int] = {}
    for keys, group in _group_by_keys(rows).items():
        given = [k for k in keys if k != "external_id"]
        written = await write_rows(
            session,
            customers_table,
            group,
            conflict_columns=["external_id"],
            update_columns=[*given, "updated_at"],
            constants={"updated_at": utcnow()},
            returning=["external_id", "id"],
            compare_columns=given,
        )
        ids.update({ext: cid for ext, cid in written})
    written_ids = set(ids)
    unknown: list[str] = []
    for row in rows:
        external_id = row["external_id"]
        if external_id not in ids:
            if external_id in known:
                ids[external_id] = known[external_id]
            else:
                unknown.append(external_id)
    return ids | (await customer_ids_by_external_id(session, unknown) if unknown else {}), written_ids


async def ensure_stats_rows(session: AsyncSession, customer_ids: Iterable[int]) -> None:
    rows = [{"customer_id": cid} for cid in sorted(customer_ids)]
    await write_rows(session, customer_stats_table, rows, conflict_columns=["customer_id"], update_columns=[])


async def orders_by_external_id(session: AsyncSession, external_ids: Sequence[str]) -> dict[str, tuple[int, int, str]]:
    """external_id -> (order id, customer id, status) for the orders that exist."""
    found: dict[str, tuple[int, int, str]] = {}
    for part in lookup_chunks(session, list(external_ids)):
        result = await session.execute(
            select(Order.external_id, Order.id, Order.customer_id, Order.status).where(
                one_of(session, Order.external_id, part)
            )
        )
        found.update({ext: (oid, cid, status) for ext, oid, cid, status in result})
    return found


async def upsert_orders(
    session: AsyncSession, rows: Sequence[dict[str, Any]]
) -> tuple[dict[str, tuple[int, int, str]], set[str]]:
    """Insert or update by external_id (a row that changes nothing is left alone); external_id ->
    (order id, customer id, status) as stored, for every row, and the external ids of the rows
    written (inserted or changed)."""
    written_orders: dict[str, tuple[int, int, str]] = {}
    for keys, group in _group_by_keys(rows).items():
        given = [k for k in keys if k != "external_id"]
        written = await write_rows(
            session,
            orders_table,
            group,
            conflict_columns=["external_id"],
            update_columns=[*given, "updated_at"],
            constants={"updated_at": utcnow()},
            returning=["external_id", "id", "customer_id", "status"],
            compare_columns=given,
        )
        written_orders.update({ext: (oid, cid, status) for ext, oid, cid, status in written})
    unchanged = [row["external_id"] for row in rows if row["external_id"] not in written_orders]
    written_ids = set(written_orders)
    return written_orders | (await orders_by_external_id(session, unchanged) if unchanged else {}), written_ids


ItemKey = tuple[str | None, str, str | None, int, int]


def item_key(row: Mapping[str, Any]) -> ItemKey:
    """What an order item is, for telling whether a re-import changes an order's items."""
    return (row["sku"], row["name"], row["category"], int(row["quantity"]), int(row["unit_price_minor"]))


async def item_keys_by_order(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[ItemKey]]:
    """order id -> its stored items (sorted), for the given orders."""
    found: dict[int, list[ItemKey]] = defaultdict(list)
    columns = order_items_table.c
    for part in lookup_chunks(session, sorted(order_ids)):
        result = await session.execute(
            select(
                columns.order_id,
                columns.sku,
                columns.name,
                columns.category,
                columns.quantity,
                columns.unit_price_minor,
            ).where(one_of(session, columns.order_id, part))
        )
        for order_id, sku, name, category, quantity, price in result:
            found[order_id].append((sku, name, category, int(quantity), int(price)))
    return {order_id: sorted(items, key=str) for order_id, items in found.items()}


async def replace_items(session: AsyncSession, order_ids: Sequence[int], item_rows: Sequence[dict[str, Any]]) -> None:
    for part in lookup_chunks(session, sorted(order_ids)):
        await session.execute(delete(order_items_table).where(one_of(session, order_items_table.c.order_id, part)))
    await write_rows(session, order_items_table, item_rows)


SYNC_ITEM_COPIES_PG = """
UPDATE order_items AS i SET customer_id = u.customer_id, ordered_at = u.ordered_at, counted = u.counted
FROM unnest(CAST(:order_ids AS BIGINT[]), CAST(:customer_ids AS BIGINT[]),
            CAST(:ordered_ats AS TIMESTAMP WITH TIME ZONE[]), CAST(:counteds AS BOOLEAN[]))
     AS u(order_id, customer_id, ordered_at, counted)
WHERE i.order_id = u.order_id
"""


async def sync_item_copies(session: AsyncSession, orders: Sequence[dict[str, Any]]) -> None:
    """Keep the order fields copied onto items current when an order changes without new items."""
    if not orders:
        return
    if is_postgres(session):
        ordered = sorted(orders, key=lambda row: int(row["order_id"]))
        await session.execute(
            text(SYNC_ITEM_COPIES_PG),
            {
                "order_ids": [row["order_id"] for row in ordered],
                "customer_ids": [row["customer_id"] for row in ordered],
                "ordered_ats": [row["ordered_at"] for row in ordered],
                "counteds": [row["counted"] for row in ordered],
            },
        )
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


def empty_stats(customer_id: int) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "total_spent_minor": 0,
        "order_count": 0,
        "avg_order_value_minor": 0,
        "first_order_at": None,
        "last_order_at": None,
        "categories": "",
        "products": "",
        "product_bits": 0,
        "last_item": None,
    }


async def add_order_totals(session: AsyncSession, stats: dict[int, dict[str, Any]]) -> None:
    """Spend, count, average and first/last order time from the counted orders."""
    counted = Order.status.not_in(NON_COUNTING_ORDER_STATUSES)
    aggregates = await session.execute(
        select(
            Order.customer_id,
            func.sum(case((counted, Order.amount_minor), else_=0)),
            func.sum(case((counted, 1), else_=0)),
            func.min(case((counted, Order.ordered_at))),
            func.max(case((counted, Order.ordered_at))),
        )
        .where(one_of(session, Order.customer_id, list(stats)))
        .group_by(Order.customer_id)
    )
    for cid, total, count, first, last in aggregates:
        row = stats[cid]
        row["total_spent_minor"] = int(total or 0)
        row["order_count"] = int(count or 0)
        row["avg_order_value_minor"] = round(int(total or 0) / count) if count else 0
        row["first_order_at"] = first
        row["last_order_at"] = last


async def add_categories_and_last_item(session: AsyncSession, stats: dict[int, dict[str, Any]]) -> None:
    """Categories bought and the latest item, from counted items. The database returns only the
    latest item of each (customer, category), so a customer costs a few rows, not one per item."""
    latest_first = (OrderItem.ordered_at.desc(), OrderItem.id.desc())
    ranked = (
        select(
            OrderItem.customer_id,
            OrderItem.category,
            OrderItem.name,
            OrderItem.ordered_at,
            OrderItem.id,
            func.row_number()
            .over(partition_by=(OrderItem.customer_id, OrderItem.category), order_by=latest_first)
            .label("rank"),
        )
        .where(one_of(session, OrderItem.customer_id, list(stats)), OrderItem.counted.is_(True))
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.customer_id, ranked.c.category, ranked.c.name, ranked.c.ordered_at, ranked.c.id).where(
            ranked.c.rank == 1
        )
    )
    categories: dict[int, list[str]] = defaultdict(list)
    latest: dict[int, tuple[datetime, int, str]] = {}
    for cid, category, name, ordered_at, item_id in rows:
        if category:
            categories[cid].append(category)
        if cid not in latest or (ordered_at, item_id) > latest[cid][:2]:
            latest[cid] = (ordered_at, item_id, name)
    for cid, names in categories.items():
        stats[cid]["categories"] = encode_tags(names)
    for cid, (_, _, name) in latest.items():
        stats[cid]["last_item"] = name


async def add_new_products(session: AsyncSession, customer_ids: Sequence[int]) -> None:
    """Adds to the products dimension the lower-cased item names of these customers that it lacks.
    Names go in in name order, so two ingests adding the same new names wait on each other in one
    order; the caller runs this before it locks any rollup row."""
    name = func.lower(OrderItem.name)
    missing = (
        select(name)
        .where(one_of(session, OrderItem.customer_id, customer_ids))
        .where(~exists(select(Product.id).where(Product.name_key == name)))
        .distinct()
        .order_by(name)
    )
    await session.execute(
        insert_ignoring_conflicts(session, products_table, ["name_key"]).from_select(["name_key"], missing)
    )


async def add_products(session: AsyncSession, stats: dict[int, dict[str, Any]]) -> None:
    """The products (dimension keys, and their signature) of each customer's counted items."""
    rows = await session.execute(
        select(OrderItem.customer_id, Product.id)
        .join(Product, Product.name_key == func.lower(OrderItem.name))
        .where(one_of(session, OrderItem.customer_id, list(stats)), OrderItem.counted.is_(True))
        .distinct()
    )
    keys: dict[int, list[int]] = defaultdict(list)
    for cid, product_id in rows:
        keys[cid].append(product_id)
    for cid, bought in keys.items():
        stats[cid]["products"] = encode_product_keys(bought)
        stats[cid]["product_bits"] = product_signature(bought)


async def refresh_customer_stats(session: AsyncSession, customer_ids: Iterable[int]) -> None:
    """Recompute the rollup for these customers from their orders and items, set-based, under a
    lock on their rollup rows (without it two concurrent ingests each count only their own orders)."""
    ids = sorted(set(customer_ids))
    for part in lookup_chunks(session, ids):
        await add_new_products(session, part)
    for part in chunked(ids, STATS_CHUNK_POSTGRES if is_postgres(session) else CHUNK):
        # Held until commit, so a concurrent ingest recomputes these rollups only after this one's
        # orders are visible.
        await lock_rows_in_order(session, CustomerStats.customer_id, part)
        stats = {cid: empty_stats(cid) for cid in part}
        await add_order_totals(session, stats)
        await add_categories_and_last_item(session, stats)
        await add_products(session, stats)
        rollup = [c for c in empty_stats(0) if c != "customer_id"]
        await write_rows(
            session,
            customer_stats_table,
            list(stats.values()),
            conflict_columns=["customer_id"],
            update_columns=rollup,
            compare_columns=rollup,
        )

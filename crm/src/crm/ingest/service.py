"""Ingestion rules: validate each record, upsert valid ones by external_id, keep the rollup current."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest import repository as repo
from crm.ingest.schemas import (
    CustomerIn,
    IngestReport,
    OrderIn,
    RejectedRecord,
    describe_errors,
    validate_customer,
    validate_order,
)
from crm.models.customer import encode_tags
from crm.models.order import order_counts
from crm.money import to_minor


def customer_row(record: CustomerIn) -> dict[str, Any]:
    """Only the fields the record carries, so a partial update leaves the others alone."""
    row: dict[str, Any] = {k: v for k, v in record.items() if k not in ("tags", "consent")}
    if "tags" in record:
        row["tags"] = encode_tags(record["tags"] or [])
    consent = record.get("consent")
    if consent is not None:
        for channel, value in consent.items():
            if value is not None:
                row[f"consent_{channel}"] = value
    return row


def order_row(record: OrderIn, customer_id: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": record["external_id"],
        "customer_id": customer_id,
        "ordered_at": record["ordered_at"],
        "amount_minor": to_minor(record["amount"]),
    }
    if "currency" in record:
        row["currency"] = record["currency"]
    if "status" in record:
        row["status"] = record["status"]
    return row


def item_rows(order: OrderIn, order_id: int, customer_id: int, counted: bool) -> list[dict[str, Any]]:
    """The order's items as order_items rows (with the order fields copied onto each)."""
    ordered_at = order["ordered_at"]
    return [
        {
            "order_id": order_id,
            "customer_id": customer_id,
            "ordered_at": ordered_at,
            "counted": counted,
            "sku": item["sku"],
            "name": item["name"],
            "category": item["category"],
            "quantity": item["quantity"],
            "unit_price_minor": to_minor(item["unit_price"]),
        }
        for item in order.get("items") or ()
    ]


class IngestService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ingest(
        self,
        customers: Sequence[dict[str, Any]],
        orders: Sequence[dict[str, Any]],
        line_numbers: dict[tuple[str, int], int] | None = None,
    ) -> IngestReport:
        report = IngestReport()
        lines = line_numbers or {}

        def reject(kind: str, index: int, raw: dict[str, Any], errors: list[str]) -> None:
            ext = raw.get("external_id")
            report.rejected.append(
                RejectedRecord(
                    kind="customer" if kind == "customer" else "order",
                    index=index,
                    line=lines.get((kind, index)),
                    external_id=str(ext) if ext is not None else None,
                    errors=errors,
                )
            )

        valid_customers: dict[str, CustomerIn] = {}
        for index, raw in enumerate(customers):
            try:
                record = validate_customer(raw)
            except ValidationError as exc:
                reject("customer", index, raw, describe_errors(exc))
                continue
            valid_customers[record["external_id"]] = record
        customer_ids: dict[str, int] = {}
        created: list[int] = []
        if valid_customers:
            customer_ids, created = await self._upsert_customers(list(valid_customers.values()), report)

        refreshed: set[int] = set()
        valid_orders: dict[str, tuple[int, OrderIn]] = {}
        for index, raw in enumerate(orders):
            try:
                order = validate_order(raw)
            except ValidationError as exc:
                reject("order", index, raw, describe_errors(exc))
                continue
            valid_orders[order["external_id"]] = (index, order)
        if valid_orders:
            unresolved = sorted({o["customer_external_id"] for _, o in valid_orders.values()} - customer_ids.keys())
            customer_ids |= await repo.customer_ids_by_external_id(self.session, unresolved) if unresolved else {}
            known: list[OrderIn] = []
            for index, order in valid_orders.values():
                if order["customer_external_id"] not in customer_ids:
                    reject(
                        "order",
                        index,
                        {"external_id": order["external_id"]},
                        [f"customer_external_id: unknown customer {order['customer_external_id']!r}"],
                    )
                else:
                    known.append(order)
            if known:
                refreshed = await self._upsert_orders(known, customer_ids, report)
        # A new customer's rollup row is written by the refresh when it has orders here; the
        # others get an empty one (one row version, not an empty one the refresh then rewrites).
        await repo.ensure_stats_rows(self.session, [cid for cid in created if cid not in refreshed])
        report.rejected.sort(key=lambda r: (r.line or 0, r.kind, r.index))
        return report

    async def _upsert_customers(
        self, records: list[CustomerIn], report: IngestReport
    ) -> tuple[dict[str, int], list[int]]:
        """Upserts the customers; external_id -> id for all of them, and the ids of the new ones."""
        existing = await repo.customer_ids_by_external_id(self.session, [r["external_id"] for r in records])
        ids, written = await repo.upsert_customers(self.session, [customer_row(r) for r in records], existing)
        changed = sum(1 for ext in existing if ext in written)
        report.customers.updated += changed
        report.customers.unchanged += len(existing) - changed
        report.customers.created += len(records) - len(existing)
        return ids, [cid for ext, cid in ids.items() if ext not in existing]

    async def _upsert_orders(
        self, orders: list[OrderIn], customer_ids: dict[str, int], report: IngestReport
    ) -> set[int]:
        """Upserts the orders and their items and refreshes the rollup of every customer they
        touch (returned)."""
        before = await repo.orders_by_external_id(self.session, [o["external_id"] for o in orders])
        after, written = await repo.upsert_orders(
            self.session, [order_row(o, customer_ids[o["customer_external_id"]]) for o in orders]
        )
        report.orders.created += len(orders) - len(before)

        touched_customers = {v[1] for v in after.values()} | {v[1] for v in before.values()}
        with_items = [o for o in orders if o.get("items") is not None]
        items_of = {
            o["external_id"]: item_rows(o, *after[o["external_id"]][:2], order_counts(after[o["external_id"]][2]))
            for o in with_items
        }
        # An existing order whose row is unchanged is unchanged if its items are too; its items are
        # then left as they are.
        same_row = [
            after[o["external_id"]][0]
            for o in with_items
            if o["external_id"] in before and o["external_id"] not in written
        ]
        stored = await repo.item_keys_by_order(self.session, same_row) if same_row else {}
        for o in orders:
            ext = o["external_id"]
            if ext not in before:
                continue
            unchanged = ext not in written and (
                ext not in items_of
                or sorted((repo.item_key(i) for i in items_of[ext]), key=str) == stored.get(after[ext][0], [])
            )
            if unchanged:
                report.orders.unchanged += 1
                items_of.pop(ext, None)
            else:
                report.orders.updated += 1
        rows = [row for o in with_items if o["external_id"] in items_of for row in items_of[o["external_id"]]]
        await repo.replace_items(self.session, [after[ext][0] for ext in items_of], rows)
        changed_without_items = [
            {
                "order_id": after[o["external_id"]][0],
                "customer_id": after[o["external_id"]][1],
                "ordered_at": o["ordered_at"],
                "counted": order_counts(after[o["external_id"]][2]),
            }
            for o in orders
            if o.get("items") is None and o["external_id"] in before
        ]
        await repo.sync_item_copies(self.session, changed_without_items)
        await repo.refresh_customer_stats(self.session, touched_customers)
        return touched_customers

"""Builds the same generated people both as ingest records and as oracle Persons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reach_filter_oracle import Item, Message, Person
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer
from crm.models.order import order_counts
from crm.segments.compiler import Clock
from crm.tables import communications_table

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
CLOCK = Clock(NOW)


async def generated_ids(session: AsyncSession) -> dict[int, int]:
    """database id -> index in the generated list."""
    rows = await session.execute(select(Customer.id, Customer.external_id))
    return {cid: int(ext.split("-")[1]) for cid, ext in rows if ext.startswith("p-")}


def as_person(index: int, spec: dict[str, Any]) -> Person:
    items: list[Item] = []
    counted = [o for o in spec["orders"] if order_counts(o[2])]
    total_minor = sum(o[1] for o in counted)
    for at, _, status, order_items in spec["orders"]:
        items += [Item(name, category, at, order_counts(status)) for name, category in order_items]
    return Person(
        id=index,
        city=spec["city"],
        gender=spec["gender"],
        birthday=spec["birthday"],
        tags=spec["tags"],
        signed_up_at=spec["signed_up_at"],
        email=f"p{index}@example.com" if spec["email"] else None,
        phone=f"+9198{index:08d}" if spec["phone"] else None,
        consent=spec["consent"],
        total_spent=total_minor / 100,
        order_count=len(counted),
        avg_order_value=round(total_minor / len(counted)) / 100 if counted else 0.0,
        first_order_at=min((o[0] for o in counted), default=None),
        last_order_at=max((o[0] for o in counted), default=None),
        items=items,
        messages=[Message(*m) for m in spec.get("messages", [])],
    )


RECEIPTS = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")


async def insert_messages(session: AsyncSession, ids: dict[int, int], people: list[dict[str, Any]]) -> None:
    """Writes each person's `messages` (dispatched_at, channel, campaign_id, receipts) as
    communications rows: the receipts' timestamps are an hour after dispatch."""
    by_index = {index: db_id for db_id, index in ids.items()}
    rows = []
    for index, spec in enumerate(people):
        for n, (dispatched_at, channel, campaign_id, receipts) in enumerate(spec.get("messages", [])):
            at = (dispatched_at or NOW) + timedelta(hours=1)
            rows.append(
                {
                    "communication_id": f"m-{index}-{n}",
                    "customer_id": by_index[index],
                    "campaign_id": campaign_id,
                    "channel": channel,
                    "to_address": "x",
                    "state": "dispatched" if dispatched_at else "queued",
                    "due_at": dispatched_at or NOW,
                    "dispatched_at": dispatched_at,
                    **{f"{stage}_at": at if stage in receipts else None for stage in RECEIPTS},
                }
            )
    if rows:
        await session.execute(insert(communications_table), rows)


def as_records(index: int, spec: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    customer = {
        "external_id": f"p-{index}",
        "city": spec["city"],
        "gender": spec["gender"],
        "birthday": spec["birthday"].isoformat() if spec["birthday"] else None,
        "tags": spec["tags"],
        "signed_up_at": spec["signed_up_at"].isoformat() if spec["signed_up_at"] else None,
        "email": f"p{index}@example.com" if spec["email"] else None,
        "phone": f"+9198{index:08d}" if spec["phone"] else None,
        "consent": spec["consent"],
    }
    orders = [
        {
            "external_id": f"p-{index}-o-{n}",
            "customer_external_id": f"p-{index}",
            "ordered_at": at.isoformat(),
            "amount": minor / 100,
            "status": status,
            "items": [{"name": name, "category": category} for name, category in items],
        }
        for n, (at, minor, status, items) in enumerate(spec["orders"])
    ]
    return customer, orders

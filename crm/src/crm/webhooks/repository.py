"""Exactly-once, order-independent receipt application.

Each event_id is inserted once (ON CONFLICT DO NOTHING … RETURNING tells which are new); each
new event moves its lifecycle timestamp to the earliest time seen, so any permutation of any
duplicates of a lifecycle's events gives the same final row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.models import Communication
from crm.sql import chunked, dialect_name, insert_ignoring_conflicts
from crm.tables import communications_table, receipt_events_table, webhook_deliveries_table

C = communications_table.c


async def record_delivery(session: AsyncSession, webhook_id: str) -> bool:
    statement = (
        insert_ignoring_conflicts(session, webhook_deliveries_table, ["webhook_id"])
        .values(webhook_id=webhook_id, received_at=utcnow())
        .returning(webhook_deliveries_table.c.webhook_id)
    )
    return (await session.scalar(statement)) is not None


async def known_communication_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    """The ids we know, locked in one (sorted) order on Postgres so that concurrent batches
    touching the same communications queue up instead of deadlocking."""
    found: set[str] = set()
    for part in chunked(sorted(ids), 1000):
        statement = (
            select(Communication.communication_id)
            .where(Communication.communication_id.in_(part))
            .order_by(Communication.communication_id)
        )
        if dialect_name(session) == "postgresql":
            statement = statement.with_for_update()
        found.update(await session.scalars(statement))
    return found


async def insert_new_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Stores the events not seen before; returns their event ids."""
    new: set[str] = set()
    # One statement, executed many (compiled once); sorted so concurrent batches lock alike.
    statement = insert_ignoring_conflicts(session, receipt_events_table, ["event_id"]).returning(
        receipt_events_table.c.event_id
    )
    for part in chunked(sorted(rows, key=lambda r: r["event_id"]), 1000):
        new.update(await session.scalars(statement, list(part)))
    return new


def _earliest(column: Any) -> Any:
    """The column moves only to an earlier time (or from unset)."""
    return or_(column.is_(None), column > bindparam("b_at"))


def _update_for(event_type: str) -> Any:
    column = C[f"{event_type}_at"]
    values: dict[str, Any] = {column.name: case((_earliest(column), bindparam("b_at")), else_=column)}
    if event_type == "converted":
        values["conversion_value_minor"] = case(
            (_earliest(column), bindparam("b_value")), else_=C.conversion_value_minor
        )
    if event_type == "failed":
        values["failure_reason"] = case((_earliest(column), bindparam("b_reason")), else_=C.failure_reason)
    return (
        update(communications_table)
        .where(and_(C.communication_id == bindparam("b_cid"), _earliest(column)))
        .values(values)
    )


async def apply_events(session: AsyncSession, events: Sequence[dict[str, Any]]) -> None:
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        params = {"b_cid": event["communication_id"], "b_at": event["occurred_at"]}
        if event["type"] == "converted":
            params["b_value"] = event["value_minor"]
        if event["type"] == "failed":
            params["b_reason"] = event["reason"]
        by_type[event["type"]].append(params)
    for event_type, batch in by_type.items():
        await session.execute(_update_for(event_type), batch)

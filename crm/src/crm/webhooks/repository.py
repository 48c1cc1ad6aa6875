"""Exactly-once, order-independent receipt application.

Each event_id is inserted once (ON CONFLICT DO NOTHING … RETURNING tells which are new); each
new event moves its lifecycle timestamp to the earliest time seen, so any permutation of any
duplicates of a lifecycle's events gives the same final row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, String, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
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


_PG_LOCK_KNOWN = (
    select(Communication.communication_id)
    .where(Communication.communication_id == func.any(bindparam("ids", type_=ARRAY(String()))))
    .order_by(Communication.id)
    .with_for_update()
)


async def known_communication_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    """The ids we know, locked on Postgres in row-id order — the order every writer of
    communications locks in (crm.sql.lock_rows_in_order, as the dispatcher acks) — so that concurrent
    receipt batches and dispatcher acknowledgements queue up instead of deadlocking."""
    ordered = sorted(ids)
    if dialect_name(session) == "postgresql":  # one array parameter: one prepared statement for any size
        return set(await session.scalars(_PG_LOCK_KNOWN, {"ids": ordered}))
    found: set[str] = set()
    for part in chunked(ordered, 500):
        statement = select(Communication.communication_id).where(Communication.communication_id.in_(part))
        found.update(await session.scalars(statement))
    return found


EVENT_COLUMNS: dict[str, Any] = {
    "event_id": String(),
    "communication_id": String(),
    "type": String(),
    "occurred_at": DateTime(timezone=True),
    "value_minor": BigInteger(),
    "reason": String(),
    "matched": Boolean(),
    "received_at": DateTime(timezone=True),
}


def unnest(name: str, columns: dict[str, Any]) -> Any:
    """Postgres: a FROM-able unnest of one array parameter per column (`<name>_<column>`)."""
    arrays = [bindparam(f"{name}_{c}", type_=ARRAY(t)) for c, t in columns.items()]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name=name)


def as_arrays(name: str, rows: Sequence[dict[str, Any]], columns: dict[str, Any]) -> dict[str, list[Any]]:
    """The parameters of unnest(name, columns) for these rows."""
    return {f"{name}_{c}": [r[c] for r in rows] for c in columns}


_NEW_EVENTS = unnest("incoming", EVENT_COLUMNS)
# Built once (statement construction and its cache key are not free for one-event requests).
_PG_INSERT_EVENTS = (
    postgresql.insert(receipt_events_table)
    .from_select(list(EVENT_COLUMNS), select(*(_NEW_EVENTS.c[c] for c in EVENT_COLUMNS)))
    .on_conflict_do_nothing(index_elements=["event_id"])
    .returning(receipt_events_table.c.event_id)
)


async def insert_new_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Stores the events not seen before; returns their event ids. Sorted by event_id so
    concurrent batches take their locks in the same order."""
    ordered = sorted(rows, key=lambda r: r["event_id"])
    returning = receipt_events_table.c.event_id
    if dialect_name(session) == "postgresql":  # one set-based statement of eight array parameters
        return set(await session.scalars(_PG_INSERT_EVENTS, as_arrays("incoming", ordered, EVENT_COLUMNS)))
    new: set[str] = set()
    statement = insert_ignoring_conflicts(session, receipt_events_table, ["event_id"]).returning(returning)
    for part in chunked(ordered, 1000):
        new.update(await session.scalars(statement, list(part)))
    return new


LIFECYCLE = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")
# With its lifecycle timestamp, each type may carry one more column, set from the same (earliest) event.
CARRIED = {"converted": ("conversion_value_minor", "value_minor"), "failed": ("failure_reason", "reason")}


def earliest_per_communication(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per communication: for each event type its earliest time in this batch (and that
    event's value or reason), None for types the batch does not have."""
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        row = rows.setdefault(
            event["communication_id"],
            {
                "b_cid": event["communication_id"],
                **{f"b_{t}": None for t in LIFECYCLE},
                "b_value": None,
                "b_reason": None,
            },
        )
        kind, at = event["type"], event["occurred_at"]
        if row[f"b_{kind}"] is None or at < row[f"b_{kind}"]:
            row[f"b_{kind}"] = at
            if kind == "converted":
                row["b_value"] = event["value_minor"]
            if kind == "failed":
                row["b_reason"] = event["reason"]
    return [rows[cid] for cid in sorted(rows)]


def _moves_earlier(column: Any, incoming: Any) -> Any:
    """The batch has this type and it is earlier than what is stored (or nothing is stored)."""
    return and_(incoming.is_not(None), or_(column.is_(None), column > incoming))


def _lifecycle_values(incoming: Any) -> dict[str, Any]:
    """SET clause: each timestamp moves only to an earlier time; value/reason go with it."""
    values: dict[str, Any] = {}
    for kind in LIFECYCLE:
        column = C[f"{kind}_at"]
        moves = _moves_earlier(column, incoming(kind))
        values[column.name] = case((moves, incoming(kind)), else_=column)
        if kind in CARRIED:
            target, source = CARRIED[kind]
            values[target] = case((moves, incoming(source)), else_=C[target])
    return values


UPDATE_COLUMNS: dict[str, Any] = {
    "b_cid": String(),
    **{f"b_{t}": DateTime(timezone=True) for t in LIFECYCLE},
    "b_value": BigInteger(),
    "b_reason": String(),
}
PARAMETER_OF = {"value_minor": "b_value", "reason": "b_reason", **{t: f"b_{t}" for t in LIFECYCLE}}


_UPDATES = unnest("incoming", UPDATE_COLUMNS)
# The = ANY(ids) lets Postgres find the rows through the communication_id index: unnest's row
# count is unknown to the planner, which would otherwise hash-join a sequential scan of them all.
_PG_UPDATE = (
    update(communications_table)
    .where(
        C.communication_id == func.any(bindparam("ids", type_=ARRAY(String()))),
        C.communication_id == _UPDATES.c.b_cid,
    )
    .values(_lifecycle_values(lambda key: _UPDATES.c[PARAMETER_OF[key]]))
)


_SQLITE_UPDATE = (
    update(communications_table)
    .where(C.communication_id == bindparam("b_cid"))
    .values(
        _lifecycle_values(lambda key: bindparam({"value_minor": "b_value", "reason": "b_reason"}.get(key, f"b_{key}")))
    )
)


async def apply_events(session: AsyncSession, events: Sequence[dict[str, Any]]) -> None:
    """Applies new, matched events: per communication, each timestamp becomes the earliest seen."""
    rows = earliest_per_communication(events)
    if not rows:
        return
    if dialect_name(session) == "postgresql":
        # One set-based UPDATE … FROM unnest(arrays): a single statement and round trip per batch.
        params = as_arrays("incoming", rows, UPDATE_COLUMNS)
        await session.execute(_PG_UPDATE, {**params, "ids": params["incoming_b_cid"]})
    else:
        await session.execute(_SQLITE_UPDATE, rows)

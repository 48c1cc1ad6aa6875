"""Exactly-once, order-independent receipt application.

Each event_id is inserted once (ON CONFLICT DO NOTHING … RETURNING tells which are new); each
new event moves its lifecycle timestamp to the earliest time seen, so any permutation of any
duplicates of a lifecycle's events gives the same final row. A delivery's webhook-id is recorded
in the same transaction: a replayed delivery changes nothing.

Postgres does all of it in one statement (one round trip, and atomic on its own); SQLite, which
has no data-modifying CTEs, in a few statements inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, case, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models.communication import LIFECYCLE_TYPES as LIFECYCLE
from crm.sql import chunked, insert_ignoring_conflicts, is_postgres
from crm.tables import communications_table, receipt_events_table, webhook_deliveries_table

C = communications_table.c

# With its lifecycle timestamp, each type may carry one more column, set from the same (earliest) event.
CARRIED = {"converted": ("conversion_value_minor", "value_minor"), "failed": ("failure_reason", "reason")}


@dataclass(frozen=True)
class Events:
    """A batch's events as columns (event_id unique, sorted: concurrent batches insert in one order)."""

    event_id: list[str]
    communication_id: list[str]
    type: list[str]
    occurred_at: list[datetime]
    value_minor: list[int | None]
    reason: list[str | None]

    def rows(self) -> list[dict[str, Any]]:
        columns = (self.event_id, self.communication_id, self.type, self.occurred_at, self.value_minor, self.reason)
        names = ("event_id", "communication_id", "type", "occurred_at", "value_minor", "reason")
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


@dataclass(frozen=True)
class Applied:
    """first_delivery is false for a webhook-id seen before (then nothing was written)."""

    first_delivery: bool
    new: int
    applied: int


async def apply_receipts(db: AsyncSession, webhook_id: str | None, events: Events, now: datetime) -> Applied:
    """Records the delivery (unless webhook_id is None), stores the new events and applies the new
    matched ones, in the caller's transaction. Postgres: one statement, planned generically (the
    SET LOCAL lasts to the end of the caller's transaction, which for a delivery ends here)."""
    if is_postgres(db):
        await db.execute(_PG_GENERIC_PLAN)
        row = (await db.execute(_PG_APPLY, _pg_parameters(webhook_id, events, now))).one()
        return Applied(row.first_delivery, row.new, row.applied)
    return await _sqlite_apply(db, webhook_id, events, now)


# --- Postgres: one statement ----------------------------------------------------------------
#
# Order of work, forced by what each step reads (all run in one snapshot, READ COMMITTED):
# 1. `delivery` records the webhook-id; a replay inserts nothing and gates every later step off.
# 2. `known` locks the batch's known communications in row-id order — the order every writer of
#    communications locks in (crm.sql.lock_rows_in_order, as the dispatcher acks) — so concurrent
#    batches and acks queue instead of deadlocking. `new_events` reads it (hashed) before inserting.
# 3. `new_events` inserts in event_id order; ON CONFLICT DO NOTHING … RETURNING is the new ones.
# 4. `folded` is one row per communication: each type's earliest new time (value/reason of that
#    event); `applied` moves each timestamp only to an earlier time (LEAST skips NULLs), so a
#    row's final state is the earliest of all its events, in any order. The UPDATE reaches the
#    rows by primary key through `known`; a row changed since the snapshot is re-checked by
#    Postgres (EvalPlanQual) and the CASEs are evaluated on its newest version.


def _pg_statement() -> Any:
    def earliest(kind: str) -> str:
        return f"min(occurred_at) FILTER (WHERE type = '{kind}') AS {kind}_at"

    def carried_value(kind: str) -> str:
        target, source = CARRIED[kind]
        return f"(array_agg({source} ORDER BY occurred_at, event_id) FILTER (WHERE type = '{kind}'))[1] AS {target}"

    def moves_earlier(kind: str) -> str:
        return f"f.{kind}_at < c.{kind}_at OR (c.{kind}_at IS NULL AND f.{kind}_at IS NOT NULL)"

    timestamps = [f"{kind}_at = LEAST(c.{kind}_at, f.{kind}_at)" for kind in LIFECYCLE]
    carried = [
        f"{target} = CASE WHEN {moves_earlier(kind)} THEN f.{target} ELSE c.{target} END"
        for kind, (target, _) in CARRIED.items()
    ]
    sql = f"""
WITH delivery AS (
    INSERT INTO webhook_deliveries (webhook_id, received_at)
    SELECT CAST(:webhook_id AS varchar), CAST(:now AS timestamptz) WHERE CAST(:webhook_id AS varchar) IS NOT NULL
    ON CONFLICT (webhook_id) DO NOTHING
    RETURNING webhook_id
), go AS (
    SELECT CAST(:webhook_id AS varchar) IS NULL OR EXISTS (SELECT FROM delivery) AS ok
), known AS (
    SELECT c.id, c.communication_id FROM communications c
    WHERE c.communication_id = ANY(CAST(:communication_id AS varchar[])) AND (SELECT ok FROM go)
    ORDER BY c.id
    FOR UPDATE
), new_events AS (
    INSERT INTO receipt_events
        (event_id, communication_id, type, occurred_at, value_minor, reason, matched, received_at)
    SELECT e.event_id, e.communication_id, e.type, e.occurred_at, e.value_minor, e.reason,
           e.communication_id IN (SELECT communication_id FROM known), CAST(:now AS timestamptz)
    FROM unnest(
        CAST(:event_id AS varchar[]), CAST(:communication_id AS varchar[]), CAST(:type AS varchar[]),
        CAST(:occurred_at AS timestamptz[]), CAST(:value_minor AS bigint[]), CAST(:reason AS varchar[])
    ) AS e(event_id, communication_id, type, occurred_at, value_minor, reason)
    WHERE (SELECT ok FROM go)
    ORDER BY e.event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id, communication_id, type, occurred_at, value_minor, reason, matched
), folded AS (
    SELECT communication_id,
        {", ".join([*map(earliest, LIFECYCLE), *map(carried_value, CARRIED)])}
    FROM new_events
    WHERE matched
    GROUP BY communication_id
), applied AS (
    UPDATE communications c
    SET {", ".join([*timestamps, *carried])}
    FROM folded f JOIN known k ON k.communication_id = f.communication_id
    WHERE c.id = k.id
    RETURNING c.id
)
SELECT (SELECT ok FROM go) AS first_delivery,
       (SELECT count(*) FROM new_events) AS new,
       (SELECT count(*) FROM new_events WHERE matched) AS applied
"""
    return text(sql)


_PG_APPLY = _pg_statement()
# Planning this statement costs Postgres ~0.8 ms, most of a one-event request's database time, and
# with custom plans (what a prepared statement keeps choosing here) it is planned on every call. The
# generic plan is as good for 1 or 1,000 events (it reaches rows by key through `known`); SET LOCAL
# keeps the setting to this transaction.
_PG_GENERIC_PLAN = text("SET LOCAL plan_cache_mode = force_generic_plan")


def _pg_parameters(webhook_id: str | None, events: Events, now: datetime) -> dict[str, Any]:
    return {
        "webhook_id": webhook_id,
        "now": now,
        "event_id": events.event_id,
        "communication_id": events.communication_id,
        "type": events.type,
        "occurred_at": events.occurred_at,
        "value_minor": events.value_minor,
        "reason": events.reason,
    }


# --- SQLite: a few statements in the caller's transaction -----------------------------------


async def _sqlite_apply(db: AsyncSession, webhook_id: str | None, events: Events, now: datetime) -> Applied:
    if webhook_id is not None and not await _record_delivery(db, webhook_id, now):
        return Applied(first_delivery=False, new=0, applied=0)
    known = await _known_communication_ids(db, sorted(set(events.communication_id)))
    rows = [{**row, "matched": row["communication_id"] in known, "received_at": now} for row in events.rows()]
    new_ids = await _insert_new_events(db, rows)
    to_apply = [r for r in rows if r["event_id"] in new_ids and r["matched"]]
    updates = earliest_per_communication(to_apply)
    if updates:
        await db.execute(_SQLITE_UPDATE, updates)
    return Applied(first_delivery=True, new=len(new_ids), applied=len(to_apply))


async def _record_delivery(db: AsyncSession, webhook_id: str, now: datetime) -> bool:
    statement = (
        insert_ignoring_conflicts(db, webhook_deliveries_table, ["webhook_id"])
        .values(webhook_id=webhook_id, received_at=now)
        .returning(webhook_deliveries_table.c.webhook_id)
    )
    return (await db.execute(statement)).first() is not None


async def _known_communication_ids(db: AsyncSession, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunked(ids, 500):
        statement = select(C.communication_id).where(C.communication_id.in_(part))
        found.update((await db.execute(statement)).scalars())
    return found


async def _insert_new_events(db: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    statement = insert_ignoring_conflicts(db, receipt_events_table, ["event_id"]).returning(
        receipt_events_table.c.event_id
    )
    new: set[str] = set()
    for part in chunked(rows, 1000):
        new.update((await db.execute(statement, list(part))).scalars())
    return new


def earliest_per_communication(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per communication: for each event type its earliest time in this batch (and that
    event's value or reason), None for types the batch does not have."""
    empty = {f"b_{kind}": None for kind in LIFECYCLE} | {"b_value": None, "b_reason": None}
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        cid = event["communication_id"]
        row = rows.get(cid)
        if row is None:
            row = rows[cid] = {"b_cid": cid, **empty}
        key, at = f"b_{event['type']}", event["occurred_at"]
        if row[key] is None or at < row[key]:
            row[key] = at
            if key == "b_converted":
                row["b_value"] = event["value_minor"]
            elif key == "b_failed":
                row["b_reason"] = event["reason"]
    return [rows[cid] for cid in sorted(rows)]


def _sqlite_lifecycle_values() -> dict[str, Any]:
    """SET clause: each timestamp moves only to an earlier time; value/reason go with it."""
    values: dict[str, Any] = {}
    for kind in LIFECYCLE:
        column, incoming = C[f"{kind}_at"], bindparam(f"b_{kind}", type_=C[f"{kind}_at"].type)
        moves = incoming.is_not(None) & or_(column.is_(None), column > incoming)
        values[column.name] = case((moves, incoming), else_=column)
        if kind in CARRIED:
            target, source = CARRIED[kind]
            parameter = bindparam({"value_minor": "b_value", "reason": "b_reason"}[source], type_=C[target].type)
            values[target] = case((moves, parameter), else_=C[target])
    return values


_SQLITE_UPDATE = (
    update(communications_table)
    .where(C.communication_id == bindparam("b_cid", type_=String()))
    .values(_sqlite_lifecycle_values())
)

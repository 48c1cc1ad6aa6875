"""Exactly-once, order-independent receipt application.

Each event_id is inserted once (ON CONFLICT DO NOTHING … RETURNING tells which are new); each
new event moves its lifecycle timestamp to the earliest time seen, so any permutation of any
duplicates of a lifecycle's events gives the same final row. A delivery's webhook-id is recorded
in the same transaction: a replayed delivery changes nothing.

Several deliveries can be applied together (group commit, crm.messages.group_commit): each gets
its own outcome, exactly as if they had been applied one after another in list order.

Postgres does all of it in one statement (one round trip, and atomic on its own); SQLite, which
has no data-modifying CTEs, in a few statements a group inside the caller's transaction.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, case, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models.communication import LIFECYCLE_TYPES as LIFECYCLE
from crm.sql import asyncpg_connection, chunked, insert_ignoring_conflicts, is_postgres
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
class Delivery:
    """One webhook delivery: its webhook-id (None: not recorded, e.g. a direct service call) and events."""

    webhook_id: str | None
    events: Events


@dataclass(frozen=True)
class Applied:
    """first_delivery is false for a webhook-id seen before (then nothing was written)."""

    first_delivery: bool
    new: int
    applied: int


REPLAYED = Applied(first_delivery=False, new=0, applied=0)


async def apply_receipts(db: AsyncSession, webhook_id: str | None, events: Events, now: datetime) -> Applied:
    """Records the delivery (unless webhook_id is None), stores the new events and applies the new
    matched ones, in the caller's transaction."""
    (outcome,) = await apply_deliveries(db, [Delivery(webhook_id, events)], now)
    return outcome


async def apply_deliveries(db: AsyncSession, deliveries: Sequence[Delivery], now: datetime) -> list[Applied]:
    """apply_receipts for each delivery in turn, in the caller's transaction, one outcome each: a
    webhook-id seen before (or earlier in the list) is a replay; an event_id in two deliveries is
    new only for the first. Postgres: one statement, planned generically (the SET LOCAL lasts to
    the end of the caller's transaction)."""
    if is_postgres(db):
        await db.execute(_PG_GENERIC_PLAN)  # also opens the transaction on the driver's connection
        return await apply_deliveries_in_one_statement(await asyncpg_connection(db), deliveries, now)

    async def together(fresh: list[Delivery]) -> list[Applied]:
        return await _sqlite_apply(db, fresh, now)

    return await _replays_apart(deliveries, together)


async def apply_deliveries_in_one_statement(
    driver: Any, deliveries: Sequence[Delivery], now: datetime
) -> list[Applied]:
    """Postgres: apply_deliveries as its one statement on an asyncpg connection — in the transaction
    open on it, or, with none open, committed on its own (a statement is atomic by itself)."""

    async def together(fresh: list[Delivery]) -> list[Applied]:
        rows = await driver.fetch(_PG_APPLY, *_pg_arguments(fresh, now))
        return [Applied(row["first_delivery"], row["new"], row["applied"]) for row in rows]

    return await _replays_apart(deliveries, together)


async def _replays_apart(
    deliveries: Sequence[Delivery], apply: Callable[[list[Delivery]], Awaitable[list[Applied]]]
) -> list[Applied]:
    """`apply` on the deliveries whose webhook-id no earlier one in the list has (one outcome each,
    in order); a repeat of an earlier one in the list is a replay (REPLAYED, nothing written)."""
    seen: set[str] = set()
    repeated = []
    for delivery in deliveries:
        repeated.append(delivery.webhook_id in seen)
        if delivery.webhook_id is not None:
            seen.add(delivery.webhook_id)
    outcomes = iter(await apply([d for d, again in zip(deliveries, repeated, strict=True) if not again]))
    return [REPLAYED if again else next(outcomes) for again in repeated]


# --- Postgres: one statement ----------------------------------------------------------------
#
# Order of work, forced by what each step reads (all run in one snapshot, READ COMMITTED):
# 1. `recorded` records the webhook-ids (distinct: apply_deliveries drops repeats); `accepted` are
#    the deliveries whose id was new (or that have none). A replay's events go no further.
# 2. `batch` is each accepted event_id once, from the first delivery that has it.
# 3. `known` locks the batch's known communications in row-id order — the order every writer of
#    communications locks in (crm.sql.lock_rows_in_order, as the dispatcher acks) — so concurrent
#    batches and acks queue instead of deadlocking. `new_events` reads it (hashed) before inserting.
# 4. `new_events` inserts in event_id order; ON CONFLICT DO NOTHING … RETURNING is the new ones.
# 5. `folded` is one row per communication: each type's earliest new time (value/reason of that
#    event); `applied` moves each timestamp only to an earlier time (LEAST skips NULLs), so a
#    row's final state is the earliest of all its events, in any order. The UPDATE reaches the
#    rows by primary key through `known`; a row changed since the snapshot is re-checked by
#    Postgres (EvalPlanQual) and the CASEs are evaluated on its newest version.
# 6. One result row per delivery (in list order): accepted or not, its new and applied events.


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
WITH incoming AS (
    SELECT d.delivery, d.webhook_id
    FROM unnest(CAST(:webhook_id AS varchar[])) WITH ORDINALITY AS d(webhook_id, delivery)
), recorded AS (
    INSERT INTO webhook_deliveries (webhook_id, received_at)
    SELECT webhook_id, CAST(:now AS timestamptz) FROM incoming WHERE webhook_id IS NOT NULL
    ORDER BY webhook_id
    ON CONFLICT (webhook_id) DO NOTHING
    RETURNING webhook_id
), accepted AS (
    SELECT delivery FROM incoming
    WHERE webhook_id IS NULL OR webhook_id IN (SELECT webhook_id FROM recorded)
), batch AS (
    SELECT DISTINCT ON (e.event_id) e.delivery, e.event_id, e.communication_id, e.type, e.occurred_at,
           e.value_minor, e.reason
    FROM unnest(
        CAST(:delivery AS bigint[]), CAST(:event_id AS varchar[]), CAST(:communication_id AS varchar[]),
        CAST(:type AS varchar[]), CAST(:occurred_at AS timestamptz[]), CAST(:value_minor AS bigint[]),
        CAST(:reason AS varchar[])
    ) AS e(delivery, event_id, communication_id, type, occurred_at, value_minor, reason)
    WHERE e.delivery IN (SELECT delivery FROM accepted)
    ORDER BY e.event_id, e.delivery
), known AS (
    SELECT c.id, c.communication_id FROM communications c
    WHERE c.communication_id = ANY(CAST(:communication_id AS varchar[])) AND EXISTS (SELECT FROM accepted)
    ORDER BY c.id
    FOR UPDATE
), new_events AS (
    INSERT INTO receipt_events
        (event_id, communication_id, type, occurred_at, value_minor, reason, matched, received_at)
    SELECT b.event_id, b.communication_id, b.type, b.occurred_at, b.value_minor, b.reason,
           b.communication_id IN (SELECT communication_id FROM known), CAST(:now AS timestamptz)
    FROM batch b
    ORDER BY b.event_id
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
), tally AS (
    SELECT b.delivery, count(*) AS new, count(*) FILTER (WHERE n.matched) AS applied
    FROM new_events n JOIN batch b ON b.event_id = n.event_id
    GROUP BY b.delivery
)
SELECT i.delivery, i.delivery IN (SELECT delivery FROM accepted) AS first_delivery,
       coalesce(t.new, 0) AS new, coalesce(t.applied, 0) AS applied
FROM incoming i LEFT JOIN tally t ON t.delivery = i.delivery
ORDER BY i.delivery
"""
    return _numbered(sql)


def _numbered(sql: str) -> str:
    """:name parameters as asyncpg's $n, numbered in _PG_PARAMETERS order."""
    return re.sub(r"(?<!:):([a-z_]+)", lambda m: f"${_PG_PARAMETERS.index(m.group(1)) + 1}", sql)


_PG_PARAMETERS = ("webhook_id", "now", "delivery", *Events.__dataclass_fields__)
# Run on the driver's connection: SQLAlchemy's execution and result layers cost more Python than
# the rest of a one-event group's handling, and add nothing to a statement of plain values.
_PG_APPLY = _pg_statement()
# Planning this statement costs Postgres ~0.3-0.8 ms, most of a one-event request's database time,
# and with custom plans (what a prepared statement keeps choosing here) it is planned on every call.
# The generic plan is as good for 1 or 1,000 events (it reaches rows by key through `known`). SET
# LOCAL keeps the setting to the caller's transaction; the group committer's own connections have
# it as a connection setting instead (GENERIC_PLANS).
_PG_GENERIC_PLAN = text("SET LOCAL plan_cache_mode = force_generic_plan")
GENERIC_PLANS = {"plan_cache_mode": "force_generic_plan"}


def _pg_arguments(deliveries: Sequence[Delivery], now: datetime) -> list[Any]:
    """Each event's columns concatenated over the deliveries, with its delivery's number (from 1),
    in _PG_PARAMETERS order."""
    events = [d.events for d in deliveries]
    columns = [[value for e in events for value in getattr(e, name)] for name in Events.__dataclass_fields__]
    numbers = [n for n, e in enumerate(events, start=1) for _ in e.event_id]
    return [[d.webhook_id for d in deliveries], now, numbers, *columns]


# --- SQLite: a few statements in the caller's transaction -----------------------------------


async def _sqlite_apply(db: AsyncSession, deliveries: Sequence[Delivery], now: datetime) -> list[Applied]:
    """What the Postgres statement does, for the whole group in a few statements: record the
    webhook-ids, then each accepted event_id once (for the first delivery that has it)."""
    webhook_ids = [d.webhook_id for d in deliveries if d.webhook_id is not None]
    recorded = await _record_deliveries(db, webhook_ids, now) if webhook_ids else set()
    accepted = [d.webhook_id is None or d.webhook_id in recorded for d in deliveries]
    owner: dict[str, int] = {}  # event_id -> the delivery it counts for
    rows: list[dict[str, Any]] = []
    for index, delivery in enumerate(deliveries):
        if accepted[index]:
            for row in delivery.events.rows():
                if row["event_id"] not in owner:
                    owner[row["event_id"]] = index
                    rows.append(row)
    known = await _known_communication_ids(db, sorted({row["communication_id"] for row in rows}))
    for row in rows:
        row.update(matched=row["communication_id"] in known, received_at=now)
    new_ids = await _insert_new_events(db, rows)
    to_apply = [row for row in rows if row["event_id"] in new_ids and row["matched"]]
    updates = earliest_per_communication(to_apply)
    if updates:
        await db.execute(_SQLITE_UPDATE, updates)
    new = Counter(owner[event_id] for event_id in new_ids)
    applied = Counter(owner[row["event_id"]] for row in to_apply)
    return [Applied(True, new[i], applied[i]) if accepted[i] else REPLAYED for i in range(len(deliveries))]


async def _record_deliveries(db: AsyncSession, webhook_ids: Sequence[str], now: datetime) -> set[str]:
    """Records the webhook-ids (distinct) not seen before; returns those."""
    statement = insert_ignoring_conflicts(db, webhook_deliveries_table, ["webhook_id"]).returning(
        webhook_deliveries_table.c.webhook_id
    )
    rows = [{"webhook_id": webhook_id, "received_at": now} for webhook_id in webhook_ids]
    return set((await db.execute(statement, rows)).scalars())


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

"""Claiming and acknowledging queued messages: the dispatcher's only way to move a message
from `queued` to `claimed` and on to `dispatched`, back to `queued` (a retry, a deferral) or to
`failed`, `skipped` or `cancelled`.

A claim is a lease: `claimed_until` passes and the message is claimed again (at-least-once; the
channel service dedupes on communication_id). Every state change after a claim is conditional on
the row still being claimed, so an acknowledgement that comes late changes nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.claimed import ClaimedSend, Purchases, QueueRow, Recipient
from crm.models import Communication
from crm.models.communication import CANCELLED, CLAIMED, DISPATCHED, FAILED, QUEUED, SKIPPED
from crm.sql import chunked, is_postgres, lock_rows_in_order, one_of
from crm.tables import communications_table, customer_stats_table, customers_table

C = Communication
T = communications_table

# What deciding, rendering and acknowledging a send read, in QueueRow's and Recipient's order.
QUEUE_COLUMNS = (
    T.c.id,
    T.c.communication_id,
    T.c.campaign_id,
    T.c.sequence_id,
    T.c.enrollment_id,
    T.c.step_index,
    T.c.customer_id,
    T.c.channel,
    T.c.to_address,
    T.c.attempts,
    T.c.variant,
)
RECIPIENT_COLUMNS = (
    customers_table.c.id,
    customers_table.c.name,
    customers_table.c.email,
    customers_table.c.phone,
    customers_table.c.city,
    customers_table.c.state,
    customers_table.c.birthday,
    customers_table.c.consent_email,
    customers_table.c.consent_sms,
    customers_table.c.consent_whatsapp,
    customers_table.c.consent_rcs,
)
STATS_COLUMNS = (
    customer_stats_table.c.customer_id,
    customer_stats_table.c.last_item,
    customer_stats_table.c.total_spent_minor,
    customer_stats_table.c.order_count,
)
QUEUE_WIDTH, RECIPIENT_WIDTH = len(QUEUE_COLUMNS), len(RECIPIENT_COLUMNS)


def claimable() -> tuple[ColumnElement[bool], ...]:
    """Sends whose claim expired first, then queued ones that are due (bound at `now`)."""
    now = bindparam("now", type_=T.c.due_at.type)
    return (
        and_(T.c.state == CLAIMED, T.c.claimed_until < now),
        and_(T.c.state == QUEUED, T.c.due_at <= now),
    )


def with_recipients(claimed: Any) -> Select[Any]:
    """The claimed rows (a CTE or the table itself) joined with their customer and stats."""
    return (
        select(*(claimed.c[c.name] for c in QUEUE_COLUMNS), *RECIPIENT_COLUMNS, *STATS_COLUMNS)
        .select_from(claimed)
        .join(customers_table, customers_table.c.id == claimed.c.customer_id)
        .outerjoin(customer_stats_table, customer_stats_table.c.customer_id == claimed.c.customer_id)
        .order_by(claimed.c.id)
    )


def claim_statement(condition: ColumnElement[bool], returning_rows: bool) -> Any:
    """One walk of ix_communications_state_due in due_at order that stops at the limit (no OR, no
    sort of every due row), rows picked FOR UPDATE SKIP LOCKED on Postgres. With `returning_rows`
    (Postgres: an UPDATE in a CTE) the same statement returns each claimed row with its recipient;
    otherwise it returns the claimed ids. The limit is written into the SQL, not sent as a
    parameter: a generic plan would guess 10 % of the table and could hash-join every customer."""
    limit = bindparam("limit", type_=Integer, literal_execute=True)
    pick = select(T.c.id).where(condition).order_by(T.c.due_at).limit(limit).with_for_update(skip_locked=True)
    claim = (
        update(T)
        .where(T.c.id.in_(pick.scalar_subquery()))
        .values(
            state=CLAIMED,
            claimed_until=bindparam("claimed_until"),
            claimed_by=bindparam("worker"),
            attempts=T.c.attempts + 1,
        )
    )
    if returning_rows:
        return with_recipients(claim.returning(*QUEUE_COLUMNS).cte("claimed"))
    return claim.returning(T.c.id)


POSTGRES_CLAIMS = tuple(claim_statement(condition, returning_rows=True) for condition in claimable())
SQLITE_CLAIMS = tuple(claim_statement(condition, returning_rows=False) for condition in claimable())


def claimed_send(row: Sequence[Any]) -> ClaimedSend:
    """A row of `with_recipients` as a ClaimedSend (positional: this runs once per send)."""
    queue = QueueRow(*row[:QUEUE_WIDTH])
    (id_, name, email, phone, city, state, birthday, consent_email, consent_sms, consent_whatsapp, consent_rcs) = row[
        QUEUE_WIDTH : QUEUE_WIDTH + RECIPIENT_WIDTH
    ]
    stats_customer, last_item, total_spent_minor, order_count = row[QUEUE_WIDTH + RECIPIENT_WIDTH :]
    stats = Purchases(last_item, total_spent_minor, order_count) if stats_customer is not None else None
    recipient = Recipient(
        id_, name, email, phone, city, state, birthday, consent_email, consent_sms, consent_whatsapp, consent_rcs, stats
    )
    return ClaimedSend(queue, recipient)


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, worker: str, ttl_seconds: float
) -> list[ClaimedSend]:
    """Claims up to `limit` due sends, each with its recipient (no message source yet: see
    `attach_messages`). On Postgres rows are picked FOR UPDATE SKIP LOCKED so workers never wait
    on or double-claim each other; SQLite has one writer at a time anyway."""
    postgres = is_postgres(session)
    rows: list[Sequence[Any]] = []
    for statement in POSTGRES_CLAIMS if postgres else SQLITE_CLAIMS:
        if len(rows) >= limit:
            break
        params = {
            "now": now,
            "limit": limit - len(rows),
            "claimed_until": now + timedelta(seconds=ttl_seconds),
            "worker": worker,
        }
        result = await session.execute(statement, params)
        if postgres:
            rows += result.all()
        else:
            ids = [int(i) for i in result.scalars()]
            if ids:
                rows += (await session.execute(with_recipients(T).where(T.c.id.in_(ids)))).all()
    return sorted((claimed_send(row) for row in rows), key=lambda send: send.id)


async def mark_dispatched(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    await _close_claimed(session, ids, state=DISPATCHED, dispatched_at=now, last_error=None)


async def release_for_retry(session: AsyncSession, ids: Sequence[int], due_at: datetime, error: str) -> None:
    await _close_claimed(session, ids, state=QUEUED, due_at=due_at, last_error=error[:2000])


async def mark_failed(session: AsyncSession, ids: Sequence[int], error: str) -> None:
    await _close_claimed(session, ids, state=FAILED, last_error=error[:2000])


async def defer(session: AsyncSession, deferrals: Sequence[tuple[int, datetime, str]]) -> None:
    """Moves sends later for a policy; a deferral is not a failed attempt. One statement per
    (due time, reason): quiet hours defer a whole batch to the same morning."""
    groups: dict[tuple[datetime, str], list[int]] = defaultdict(list)
    for communication_id, due_at, reason in deferrals:
        groups[(due_at, reason)].append(communication_id)
    for (due_at, reason), ids in groups.items():
        await _close_claimed(
            session,
            ids,
            state=QUEUED,
            due_at=due_at,
            attempts=T.c.attempts - 1,
            deferred_count=T.c.deferred_count + 1,
            deferred_reason=reason,
        )


async def close_without_sending(session: AsyncSession, ids: Sequence[int], state: str, reason: str) -> None:
    assert state in (SKIPPED, CANCELLED)
    await _close_claimed(session, ids, state=state, last_error=reason)


async def _close_claimed(session: AsyncSession, ids: Sequence[int], **values: Any) -> None:
    """Ends the claim on these sends (those still claimed) with `values`, 1,000 ids a statement (an
    array parameter on Postgres, an IN list on SQLite): one statement for a whole batch."""
    for part in chunked(sorted(ids), 1_000):
        await session.execute(
            update(T).where(one_of(session, T.c.id, part), T.c.state == CLAIMED).values(claimed_until=None, **values)
        )


async def lock_for_acknowledgement(session: AsyncSession, ids: Sequence[int]) -> None:
    """Postgres: locks the claimed rows in id order until commit. Receipts for a batch can arrive
    before its acknowledgement commits; receipt groups lock in id order too, so the two queue up
    instead of deadlocking."""
    await lock_rows_in_order(session, C.id, ids)


async def recent_dispatches(
    session: AsyncSession, customer_ids: Sequence[int], since: datetime
) -> list[tuple[int, datetime]]:
    """(customer id, dispatched at) of each message handed to the channel service after `since`
    to one of these customers (the frequency cap's window)."""
    result = await session.execute(
        select(C.customer_id, C.dispatched_at).where(C.customer_id.in_(list(customer_ids)), C.dispatched_at > since)
    )
    return [(int(customer_id), at) for customer_id, at in result if at is not None]

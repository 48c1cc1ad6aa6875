"""SQL for analytics: funnel counts from lifecycle timestamps, time buckets from receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.lifecycle import STAGE_CONDITIONS, status_expression
from crm.models import Communication, ReceiptEvent
from crm.sql import epoch_seconds

C = Communication

# Funnel stages mean "reached at least this stage" (crm.analytics.lifecycle), so the funnel is
# monotone per channel and a receipt lost upstream does not make it go backwards.
STAGES: dict[str, ColumnElement[bool]] = STAGE_CONDITIONS


def funnel_columns() -> list[Any]:
    return [func.sum(case((condition, 1), else_=0)).label(stage) for stage, condition in STAGES.items()]


async def funnel_by_channel(session: AsyncSession, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    result = await session.execute(
        select(C.channel, *funnel_columns(), func.coalesce(func.sum(C.conversion_value_minor), 0))
        .where(where)
        .group_by(C.channel)
    )
    rows = []
    for row in result:
        values = list(row)
        rows.append(
            {
                "channel": values[0],
                **{s: int(v or 0) for s, v in zip(STAGES, values[1:-1], strict=True)},
                "revenue_minor": int(values[-1] or 0),
            }
        )
    return rows


async def state_status_counts(session: AsyncSession, where: ColumnElement[bool]) -> list[tuple[str, str, int]]:
    """(queue state, lifecycle status, communications): one pass gives both the queue counts and
    the status counts (each communication counted once, at its furthest stage)."""
    status = status_expression().label("status")
    result = await session.execute(select(C.state, status, func.count()).where(where).group_by(C.state, status))
    return [(str(state), str(s), int(n)) for state, s, n in result]


async def failure_reasons(session: AsyncSession, where: ColumnElement[bool]) -> dict[str, int]:
    result = await session.execute(
        select(C.failure_reason, func.count()).where(where, C.failed_at.is_not(None)).group_by(C.failure_reason)
    )
    return {str(reason or "unknown"): int(n) for reason, n in result}


async def event_time_range(session: AsyncSession, where: ColumnElement[bool]) -> tuple[datetime, datetime] | None:
    row = (
        await session.execute(
            select(func.min(ReceiptEvent.occurred_at), func.max(ReceiptEvent.occurred_at))
            .join(C, C.communication_id == ReceiptEvent.communication_id)
            .where(where)
        )
    ).one()
    return (row[0], row[1]) if row[0] is not None else None


async def event_buckets(
    session: AsyncSession, where: ColumnElement[bool], bucket_seconds: int
) -> list[tuple[int, str, int]]:
    """(bucket start in epoch seconds, event type, unique events)."""
    bucket = (epoch_seconds(session, ReceiptEvent.occurred_at) // bucket_seconds) * bucket_seconds
    result = await session.execute(
        select(bucket.label("bucket"), ReceiptEvent.type, func.count())
        .join(C, C.communication_id == ReceiptEvent.communication_id)
        .where(where)
        .group_by("bucket", ReceiptEvent.type)
        .order_by("bucket")
    )
    return [(int(b), str(t), int(n)) for b, t, n in result]


async def customer_communications(session: AsyncSession, customer_id: int, limit: int) -> list[Communication]:
    """A customer's messages, newest first."""
    result = await session.scalars(
        select(C).where(C.customer_id == customer_id).order_by(C.created_at.desc(), C.id.desc()).limit(limit)
    )
    return list(result)

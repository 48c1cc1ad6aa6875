"""SQL for analytics: funnel counts from lifecycle timestamps, time buckets from receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Communication, ReceiptEvent
from crm.sql import epoch_seconds

C = Communication

# Funnel stages count cumulatively: a later stage implies the earlier ones happened, so a
# receipt lost upstream does not make the funnel go backwards.
STAGES: dict[str, ColumnElement[bool]] = {
    "sent": or_(
        C.sent_at.is_not(None),
        C.delivered_at.is_not(None),
        C.failed_at.is_not(None),
        C.opened_at.is_not(None),
        C.read_at.is_not(None),
        C.clicked_at.is_not(None),
        C.converted_at.is_not(None),
    ),
    "delivered": or_(
        C.delivered_at.is_not(None),
        C.opened_at.is_not(None),
        C.read_at.is_not(None),
        C.clicked_at.is_not(None),
        C.converted_at.is_not(None),
    ),
    "opened": C.opened_at.is_not(None),
    "read": C.read_at.is_not(None),
    "clicked": or_(C.clicked_at.is_not(None), C.converted_at.is_not(None)),
    "converted": C.converted_at.is_not(None),
    "failed": C.failed_at.is_not(None),
}


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


async def queue_counts(session: AsyncSession, where: ColumnElement[bool]) -> dict[str, int]:
    result = await session.execute(select(C.state, func.count()).where(where).group_by(C.state))
    return {state: int(n) for state, n in result}


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

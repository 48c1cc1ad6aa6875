"""SQL for analytics: funnel counts and time buckets, both from the messages' lifecycle timestamps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.lifecycle import STAGE_CONDITIONS, status_expression
from crm.models import Communication
from crm.models.communication import LIFECYCLE_TYPES
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


def _lifecycle_columns() -> dict[str, Any]:
    return {kind: C.__table__.c[f"{kind}_at"] for kind in LIFECYCLE_TYPES}


async def lifecycle_time_range(session: AsyncSession, where: ColumnElement[bool]) -> tuple[datetime, datetime] | None:
    """The earliest and latest lifecycle timestamp of the selected messages (None: no receipts yet)."""
    columns = list(_lifecycle_columns().values())
    row = (await session.execute(select(*map(func.min, columns), *map(func.max, columns)).where(where))).one()
    firsts = [t for t in row[: len(columns)] if t is not None]
    lasts = [t for t in row[len(columns) :] if t is not None]
    return (min(firsts), max(lasts)) if firsts else None


async def lifecycle_buckets(
    session: AsyncSession, where: ColumnElement[bool], bucket_seconds: int
) -> list[tuple[int, str, int]]:
    """(bucket start in epoch seconds, lifecycle stage, messages that first reached that stage in
    the bucket): each message counts once per stage, at the time its lifecycle timestamp holds
    (the earliest receipt of that type), like the funnel. Read from the messages themselves, so
    no receipt is read and nothing but the primary key indexes the receipts."""
    parts = []
    for kind, column in _lifecycle_columns().items():
        bucket = (epoch_seconds(session, column) // bucket_seconds) * bucket_seconds
        parts.append(
            select(bucket.label("bucket"), literal(kind).label("stage"), func.count().label("messages"))
            .where(where, column.is_not(None))
            .group_by(bucket)
        )
    result = await session.execute(union_all(*parts).order_by("bucket"))
    return [(int(b), str(stage), int(n)) for b, stage, n in result]


async def customer_communications(session: AsyncSession, customer_id: int, limit: int) -> list[Communication]:
    """A customer's messages, newest first."""
    result = await session.scalars(
        select(C).where(C.customer_id == customer_id).order_by(C.created_at.desc(), C.id.desc()).limit(limit)
    )
    return list(result)

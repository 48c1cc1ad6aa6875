"""Reading messages: funnels, queue and status counts, time buckets, failure reasons, a
customer's history, a sequence's per-step counts and an enrollment's engagement so far.

Every count comes from the messages' own lifecycle timestamps (crm.messages.lifecycle): no receipt
is read, and nothing but its primary key indexes receipt_events. Callers choose the messages with
`of_campaign`, `of_sequence` or `every_message`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.lifecycle import STAGE_CONDITIONS, status_expression
from crm.models import Communication
from crm.models.communication import LIFECYCLE_TYPES
from crm.sql import epoch_seconds

C = Communication


def of_campaign(campaign_id: int) -> ColumnElement[bool]:
    """The campaign's messages."""
    return C.campaign_id == campaign_id


def of_sequence(sequence_id: int) -> ColumnElement[bool]:
    """The sequence's messages, every step."""
    return C.sequence_id == sequence_id


def every_message() -> ColumnElement[bool]:
    return true()


# Funnel stages mean "reached at least this stage" (crm.messages.lifecycle), so the funnel is
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


async def funnel_per_channel(session: AsyncSession, where: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    """channel -> the funnel of its selected messages (stage -> messages), without revenue."""
    result = await session.execute(select(C.channel, *funnel_columns()).where(where).group_by(C.channel))
    return {str(row[0]): dict(zip(STAGES, (int(v or 0) for v in row[1:]), strict=True)) for row in result}


async def step_counts(session: AsyncSession, sequence_id: int) -> dict[int, dict[str, int]]:
    """step index -> the queue counts (entered, waiting, dispatched, skipped, deferred, cancelled),
    revenue_minor and funnel_<stage> counts of the sequence's messages for that step."""
    result = await session.execute(
        select(
            C.step_index,
            func.count(),
            func.sum(case((C.state.in_(("queued", "claimed")), 1), else_=0)),
            func.sum(case((C.state == "dispatched", 1), else_=0)),
            func.sum(case((C.state == "skipped", 1), else_=0)),
            func.sum(case((C.deferred_count > 0, 1), else_=0)),
            func.sum(case((C.state == "cancelled", 1), else_=0)),
            func.coalesce(func.sum(C.conversion_value_minor), 0),
            *(func.sum(case((condition, 1), else_=0)) for condition in STAGES.values()),
        )
        .where(of_sequence(sequence_id))
        .group_by(C.step_index)
    )
    counts: dict[int, dict[str, int]] = {}
    for row in result:
        values = [int(v or 0) for v in row[1:]]
        base = dict(
            zip(
                ("entered", "waiting", "dispatched", "skipped", "deferred", "cancelled", "revenue_minor"),
                values[:7],
                strict=True,
            )
        )
        counts[int(row[0])] = base | {f"funnel_{k}": v for k, v in zip(STAGES, values[7:], strict=True)}
    return counts


@dataclass(frozen=True)
class Engagement:
    """What an enrolled contact has done with the sequence's messages so far."""

    opened_or_read: bool
    clicked: bool
    converted: bool


NO_ENGAGEMENT = Engagement(False, False, False)


async def engagement_of(session: AsyncSession, enrollment_ids: Sequence[int]) -> dict[int, Engagement]:
    """enrollment id -> its engagement (enrollments with no message yet are left out)."""
    if not enrollment_ids:
        return {}
    result = await session.execute(
        select(
            C.enrollment_id,
            func.sum(case((C.opened_at.is_not(None) | C.read_at.is_not(None), 1), else_=0)),
            func.sum(case((C.clicked_at.is_not(None) | C.converted_at.is_not(None), 1), else_=0)),
            func.sum(case((C.converted_at.is_not(None), 1), else_=0)),
        )
        .where(C.enrollment_id.in_(list(enrollment_ids)))
        .group_by(C.enrollment_id)
    )
    return {int(e): Engagement(bool(o), bool(c), bool(v)) for e, o, c, v in result}

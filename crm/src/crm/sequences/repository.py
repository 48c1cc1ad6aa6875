"""SQL for sequences: versions, set-based enrollment and first-step scheduling, per-step stats."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, case, cast, exists, func, literal, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.repository import STAGES
from crm.campaigns.repository import contact_column
from crm.models import Communication, Customer, CustomerStats, Enrollment, Sequence, SequenceVersion
from crm.models.communication import QUEUED
from crm.sql import insert_ignoring_conflicts
from crm.tables import communications_table

C = Communication


async def versions_of(session: AsyncSession, sequence_id: int) -> Seq[SequenceVersion]:
    return (
        await session.scalars(
            select(SequenceVersion).where(SequenceVersion.sequence_id == sequence_id).order_by(SequenceVersion.version)
        )
    ).all()


async def version(session: AsyncSession, sequence_id: int, number: int) -> SequenceVersion | None:
    return await session.scalar(
        select(SequenceVersion).where(SequenceVersion.sequence_id == sequence_id, SequenceVersion.version == number)
    )


async def claim_draft_for_launch(session: AsyncSession, sequence_id: int, now: datetime, by: str) -> bool:
    result = await session.execute(
        update(Sequence)
        .where(Sequence.id == sequence_id, Sequence.status == "draft")
        .values(status="live", launched_at=now, launched_by=by, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def enroll(
    session: AsyncSession, sequence: Sequence, where: ColumnElement[bool], version_number: int, now: datetime
) -> int:
    """INSERT … SELECT every audience member not yet enrolled, on the given version; returns how many.
    Two enrollment passes racing (the CRM and a worker) insert each contact once: conflicts are ignored."""
    already = exists(
        select(Enrollment.id).where(Enrollment.sequence_id == sequence.id, Enrollment.customer_id == Customer.id)
    )
    source = (
        select(
            literal(sequence.id).label("sequence_id"),
            Customer.id.label("customer_id"),
            literal(version_number).label("version"),
            literal("active").label("status"),
            literal(now, Enrollment.entered_at.type).label("entered_at"),
        )
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(where, not_(already))
    )
    insert = insert_ignoring_conflicts(session, Enrollment.__table__, ["sequence_id", "customer_id"])  # type: ignore[arg-type]
    result = await session.execute(
        insert.from_select(["sequence_id", "customer_id", "version", "status", "entered_at"], source)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def schedule_first_steps(
    session: AsyncSession, sequence: Sequence, version_number: int, first_step: dict[str, Any], due_at: datetime
) -> None:
    """Step 1 for every enrollment on this version that has nothing scheduled yet."""
    scheduled = exists(select(Communication.id).where(Communication.enrollment_id == Enrollment.id))
    channel = first_step["channel"]
    key = literal(f"{sequence.uid}-") + cast(Enrollment.customer_id, String) + literal("-s0")
    source = (
        select(
            key.label("communication_id"),
            literal(sequence.id).label("sequence_id"),
            Enrollment.id.label("enrollment_id"),
            literal(0, Integer).label("step_index"),
            Enrollment.customer_id.label("customer_id"),
            literal(channel).label("channel"),
            func.coalesce(contact_column(channel), "").label("to_address"),
            literal(QUEUED).label("state"),
            literal(due_at, Communication.due_at.type).label("due_at"),
            literal(0).label("attempts"),
            literal(0).label("deferred_count"),
            literal(due_at, Communication.created_at.type).label("created_at"),
        )
        .select_from(Enrollment)
        .join(Customer, Customer.id == Enrollment.customer_id)
        .where(Enrollment.sequence_id == sequence.id, Enrollment.version == version_number, not_(scheduled))
    )
    columns = [
        "communication_id",
        "sequence_id",
        "enrollment_id",
        "step_index",
        "customer_id",
        "channel",
        "to_address",
        "state",
        "due_at",
        "attempts",
        "deferred_count",
        "created_at",
    ]
    insert = insert_ignoring_conflicts(session, communications_table, ["communication_id"])
    await session.execute(insert.from_select(columns, source))


async def enrollment_counts(session: AsyncSession, sequence_id: int) -> tuple[dict[str, int], dict[int, int]]:
    by_status = await session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.sequence_id == sequence_id).group_by(Enrollment.status)
    )
    by_version = await session.execute(
        select(Enrollment.version, func.count())
        .where(Enrollment.sequence_id == sequence_id)
        .group_by(Enrollment.version)
    )
    return {s: int(n) for s, n in by_status}, {int(v): int(n) for v, n in by_version}


async def step_counts(session: AsyncSession, sequence_id: int) -> dict[int, dict[str, int]]:
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
        .where(C.sequence_id == sequence_id)
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

"""SQL for sequences: versions, launching a draft, set-based enrollment and enrollment counts (the
messages themselves are queued and counted by crm.messages)."""

from __future__ import annotations

from collections.abc import Sequence as Seq
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, literal, not_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Enrollment, Sequence, SequenceVersion
from crm.sql import insert_ignoring_conflicts


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

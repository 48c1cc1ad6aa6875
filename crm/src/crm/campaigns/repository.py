"""SQL for campaigns: audience arithmetic and launching a draft (its messages are queued by
crm.messages.queue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.reach import contact_column, has_contact, reachable
from crm.models import Campaign, Customer, CustomerStats


async def audience_breakdown(
    session: AsyncSession, where: ColumnElement[bool], channel: str
) -> tuple[int, int, int, int]:
    """(audience, reachable, suppressed for no contact, suppressed for no consent)."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((reachable(channel), 1), else_=0)),
                func.sum(case((not_(has_contact(channel)), 1), else_=0)),
                func.sum(case((and_(has_contact(channel), not_(reachable(channel))), 1), else_=0)),
            )
            .select_from(Customer)
            .join(CustomerStats, CustomerStats.customer_id == Customer.id)
            .where(where)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)


async def reachable_sample(
    session: AsyncSession, where: ColumnElement[bool], channel: str, limit: int
) -> Sequence[tuple[Customer, CustomerStats]]:
    result = await session.execute(
        select(Customer, CustomerStats)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(where, reachable(channel))
        .order_by(Customer.id)
        .limit(limit)
    )
    return [(c, s) for c, s in result]


# variable -> the column whose NULL means the recipient has no value for it.
VARIABLE_SOURCES: dict[str, Any] = {
    "name": Customer.name,
    "first_name": Customer.name,
    "city": Customer.city,
    "state": Customer.state,
    "last_item": CustomerStats.last_item,
    "age": Customer.birthday,
    "email": Customer.email,
    "phone": Customer.phone,
}


async def missing_variable_counts(
    session: AsyncSession, where: ColumnElement[bool], channel: str, variables: Sequence[str]
) -> dict[str, int]:
    checked = [v for v in dict.fromkeys(variables) if v in VARIABLE_SOURCES]
    if not checked:
        return {}
    columns = [
        func.sum(case((or_(VARIABLE_SOURCES[v].is_(None), VARIABLE_SOURCES[v] == ""), 1), else_=0)) for v in checked
    ]
    row = (
        await session.execute(
            select(*columns)
            .select_from(Customer)
            .join(CustomerStats, CustomerStats.customer_id == Customer.id)
            .where(where, reachable(channel))
        )
    ).one()
    return {v: int(n or 0) for v, n in zip(checked, row, strict=True)}


async def claim_draft_for_launch(
    session: AsyncSession, campaign_id: int, now: datetime, from_status: str = "draft"
) -> bool:
    """Atomically moves a draft (or a scheduled campaign) to running; false if it was not in
    `from_status` any more (already launched, or cancelled)."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == from_status)
        .values(status="running", launched_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def claim_for_schedule(
    session: AsyncSession, campaign_id: int, scheduled_at: datetime, scheduled_by: str, now: datetime
) -> bool:
    """Atomically moves a draft to scheduled; false if it was not a draft."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "draft")
        .values(status="scheduled", scheduled_at=scheduled_at, scheduled_by=scheduled_by, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def unschedule(session: AsyncSession, campaign_id: int, now: datetime) -> bool:
    """Atomically returns a scheduled campaign to draft; false if it was not scheduled (started already)."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status == "scheduled")
        .values(status="draft", scheduled_at=None, scheduled_by=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def due_scheduled(session: AsyncSession, now: datetime) -> list[int]:
    """Scheduled campaigns whose start time has come, earliest first."""
    rows = await session.scalars(
        select(Campaign.id)
        .where(Campaign.status == "scheduled", Campaign.scheduled_at <= now)
        .order_by(Campaign.scheduled_at, Campaign.id)
    )
    return list(rows)


async def customer_by_contact(
    session: AsyncSession, channel: str, address: str
) -> tuple[Customer, CustomerStats | None] | None:
    """The customer with this email (email) or phone (other channels), to render a test send for."""
    contact = contact_column(channel)
    match = func.lower(contact) == address.lower() if channel == "email" else contact == address
    row = (
        await session.execute(
            select(Customer, CustomerStats)
            .outerjoin(CustomerStats, CustomerStats.customer_id == Customer.id)
            .where(match)
            .order_by(Customer.id)
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None

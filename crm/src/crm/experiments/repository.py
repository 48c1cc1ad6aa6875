"""SQL for experiments: per-variant funnels, order attribution, and the holdout test's groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from crm.messages.stats import STAGES, funnel_columns
from crm.models import Campaign, Communication, ExperimentMember, Order
from crm.models.experiment_member import HOLDOUT, REST
from crm.models.order import NON_COUNTING_ORDER_STATUSES
from crm.sql import epoch_seconds

C = Communication


async def variant_funnels(session: AsyncSession, campaign_id: int) -> dict[int | None, dict[str, Any]]:
    """Per variant: messages, the funnel (as the campaign's), provider revenue in minor units."""
    result = await session.execute(
        select(C.variant, func.count(), *funnel_columns(), func.coalesce(func.sum(C.conversion_value_minor), 0))
        .where(C.campaign_id == campaign_id)
        .group_by(C.variant)
    )
    rows: dict[int | None, dict[str, Any]] = {}
    for row in result:
        values = list(row)
        rows[values[0]] = {
            "recipients": int(values[1]),
            **{s: int(v or 0) for s, v in zip(STAGES, values[2:-1], strict=True)},
            "revenue_minor": int(values[-1] or 0),
        }
    return rows


def counted(order: Any) -> ColumnElement[bool]:
    return order.status.not_in(NON_COUNTING_ORDER_STATUSES)  # type: ignore[no-any-return]


async def attributed_orders(
    session: AsyncSession, campaign_id: int, since: datetime, window_seconds: int
) -> list[tuple[int | None, int, int, int]]:
    """(variant, customer, orders, revenue in minor units) of the orders whose customer's last
    message received before them (clicked, else delivered; any campaign or sequence) within
    `window_seconds` belongs to this campaign — so an order is credited to one message at most."""
    other = aliased(Communication)
    touch = func.coalesce(other.clicked_at, other.delivered_at)
    last_touch = (
        select(other.id)
        .where(
            other.customer_id == Order.customer_id,
            touch.is_not(None),
            touch <= Order.ordered_at,
            epoch_seconds(session, Order.ordered_at) - epoch_seconds(session, touch) <= window_seconds,
        )
        .order_by(touch.desc(), other.id.desc())
        .limit(1)
        .correlate(Order)
        .scalar_subquery()
    )
    recipients = select(C.customer_id).where(C.campaign_id == campaign_id)
    result = await session.execute(
        select(C.variant, Order.customer_id, func.count(), func.coalesce(func.sum(Order.amount_minor), 0))
        .select_from(Order)
        .join(C, C.id == last_touch)
        .where(
            C.campaign_id == campaign_id, Order.customer_id.in_(recipients), Order.ordered_at >= since, counted(Order)
        )
        .group_by(C.variant, Order.customer_id)
    )
    return [(variant, int(customer), int(n), int(minor)) for variant, customer, n, minor in result]


Members = Select[Any] | CompoundSelect[Any]


def messaged_customers(campaign_id: int) -> Members:
    """Everyone not held out: the customers messaged, and in winner mode those still waiting."""
    messaged = select(C.customer_id).where(C.campaign_id == campaign_id)
    waiting = select(ExperimentMember.customer_id).where(
        ExperimentMember.campaign_id == campaign_id, ExperimentMember.role == REST
    )
    return messaged.union(waiting)


def holdout_customers(campaign_id: int) -> Members:
    return select(ExperimentMember.customer_id).where(
        ExperimentMember.campaign_id == campaign_id, ExperimentMember.role == HOLDOUT
    )


async def group_size(session: AsyncSession, members: Members) -> int:
    return int(await session.scalar(select(func.count()).select_from(members.subquery())) or 0)


async def group_revenues(session: AsyncSession, members: Members, start: datetime, end: datetime) -> list[int]:
    """Revenue (minor units) of each member who placed a counted order in [start, end]."""
    subquery = members.subquery()
    result = await session.scalars(
        select(func.sum(Order.amount_minor))
        .where(
            Order.customer_id.in_(select(subquery.c[0])),
            Order.ordered_at >= start,
            Order.ordered_at <= end,
            counted(Order),
        )
        .group_by(Order.customer_id)
    )
    return [int(v or 0) for v in result]


async def due_decisions(session: AsyncSession, now: datetime) -> list[int]:
    result = await session.scalars(
        select(Campaign.id).where(
            Campaign.decide_at.is_not(None),
            Campaign.decide_at <= now,
            Campaign.winner_decided_at.is_(None),
            or_(Campaign.status == "running", Campaign.status == "completed"),
        )
    )
    return [int(i) for i in result]

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Order, OrderItem


def customers_with_stats() -> Select[Customer, CustomerStats]:
    return select(Customer, CustomerStats).join(CustomerStats, CustomerStats.customer_id == Customer.id)


async def search_customers(
    session: AsyncSession, query: str | None, after_id: int | None, limit: int
) -> Sequence[tuple[Customer, CustomerStats]]:
    statement = customers_with_stats()
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Customer.name).like(pattern),
                Customer.email.like(pattern),
                Customer.phone.like(f"%{query.strip()}%"),
                func.lower(Customer.city).like(pattern),
                func.lower(Customer.external_id).like(pattern),
            )
        )
    if after_id is not None:
        statement = statement.where(Customer.id > after_id)
    result = await session.execute(statement.order_by(Customer.id).limit(limit))
    return [(c, s) for c, s in result]


async def customer_with_stats(session: AsyncSession, customer_id: int) -> tuple[Customer, CustomerStats] | None:
    result = await session.execute(customers_with_stats().where(Customer.id == customer_id))
    row = result.first()
    return (row[0], row[1]) if row is not None else None


async def orders_with_items(
    session: AsyncSession, customer_id: int, limit: int = 100
) -> list[tuple[Order, list[OrderItem]]]:
    orders = (
        await session.scalars(
            select(Order).where(Order.customer_id == customer_id).order_by(Order.ordered_at.desc()).limit(limit)
        )
    ).all()
    items: dict[int, list[OrderItem]] = defaultdict(list)
    if orders:
        for item in await session.scalars(
            select(OrderItem).where(OrderItem.order_id.in_([o.id for o in orders])).order_by(OrderItem.id)
        ):
            items[item.order_id].append(item)
    return [(o, items[o.id]) for o in orders]

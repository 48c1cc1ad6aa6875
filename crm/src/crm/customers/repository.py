from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest.schemas import normalise_phone
from crm.models import Customer, CustomerStats, Order, OrderItem

# A query that looks like a phone number as people type one: digits with spaces, dashes, dots,
# brackets and an optional leading +.
PHONE_LIKE = re.compile(r"\+?[\d\s().-]*\d[\d\s().-]*")
MIN_PHONE_DIGITS = 3


def phone_matches(query: str) -> list[ColumnElement[bool]]:
    """Conditions finding `query` in the stored E.164 phones: the digits as typed ("98765 43210",
    "+91 98765-43210") and, when the query is a whole number, its E.164 form ("098765 43210")."""
    if not PHONE_LIKE.fullmatch(query):
        return []
    digits = re.sub(r"\D", "", query)
    if len(digits) < MIN_PHONE_DIGITS:
        return []
    conditions: list[ColumnElement[bool]] = [Customer.phone.like(f"%{digits}%")]
    with contextlib.suppress(ValueError):  # a fragment, not a whole number
        conditions.append(Customer.phone == normalise_phone(query))
    return conditions


def customers_with_stats() -> Select[Customer, CustomerStats]:
    return select(Customer, CustomerStats).join(CustomerStats, CustomerStats.customer_id == Customer.id)


async def search_customers(
    session: AsyncSession, query: str | None, after_id: int | None, limit: int
) -> Sequence[tuple[Customer, CustomerStats]]:
    statement = customers_with_stats()
    if query and query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Customer.name).like(pattern),
                Customer.email.like(pattern),
                func.lower(Customer.city).like(pattern),
                func.lower(Customer.external_id).like(pattern),
                *phone_matches(query.strip()),
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

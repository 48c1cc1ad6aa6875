from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from crm.api_types import MAX_ID
from crm.customers import repository as repo
from crm.customers.schemas import (
    ConsentRead,
    CustomerPage,
    CustomerProfile,
    CustomerRead,
    CustomerStatsRead,
    OrderItemRead,
    OrderRead,
)
from crm.errors import InvalidInput, NotFound
from crm.models import Customer, CustomerStats
from crm.models.customer import decode_tags
from crm.money import from_minor


def age_on(birthday: date | None, today: date) -> int | None:
    if birthday is None:
        return None
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def customer_read(customer: Customer, stats: CustomerStats) -> CustomerRead:
    return CustomerRead(
        id=customer.id,
        external_id=customer.external_id,
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        city=customer.city,
        state=customer.state,
        gender=customer.gender,
        birthday=customer.birthday,
        age=age_on(customer.birthday, date.today()),
        signed_up_at=customer.signed_up_at,
        tags=decode_tags(customer.tags),
        consent=ConsentRead(
            email=customer.consent_email,
            sms=customer.consent_sms,
            whatsapp=customer.consent_whatsapp,
            rcs=customer.consent_rcs,
        ),
        stats=CustomerStatsRead(
            total_spent=from_minor(stats.total_spent_minor),
            order_count=stats.order_count,
            avg_order_value=from_minor(stats.avg_order_value_minor),
            first_order_at=stats.first_order_at,
            last_order_at=stats.last_order_at,
            categories=decode_tags(stats.categories),
            last_item=stats.last_item,
        ),
    )


class CustomerService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search(self, query: str | None, cursor: str | None, limit: int) -> CustomerPage:
        after_id: int | None = None
        if cursor is not None:
            if not cursor.isdigit() or int(cursor) > MAX_ID:
                raise InvalidInput(["query", "cursor"], "cursor must be a next_cursor from a previous page")
            after_id = int(cursor)
        rows = await repo.search_customers(self.session, query, after_id, limit + 1)
        page = [customer_read(c, s) for c, s in rows[:limit]]
        next_cursor = str(page[-1].id) if len(rows) > limit and page else None
        return CustomerPage(items=page, next_cursor=next_cursor)

    async def profile(self, customer_id: int) -> CustomerProfile:
        found = await repo.customer_with_stats(self.session, customer_id)
        if found is None:
            raise NotFound(f"customer {customer_id} not found")
        orders = await repo.orders_with_items(self.session, customer_id)
        return CustomerProfile(
            **customer_read(*found).model_dump(),
            orders=[
                OrderRead(
                    id=o.id,
                    external_id=o.external_id,
                    ordered_at=o.ordered_at,
                    amount=from_minor(o.amount_minor),
                    currency=o.currency,
                    status=o.status,
                    items=[
                        OrderItemRead(
                            sku=i.sku,
                            name=i.name,
                            category=i.category,
                            quantity=i.quantity,
                            unit_price=from_minor(i.unit_price_minor),
                        )
                        for i in items
                    ],
                )
                for o, items in orders
            ],
        )

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime, utcnow

# Orders in these states do not count towards a customer's spend or order count.
NON_COUNTING_ORDER_STATUSES = ("cancelled", "refunded", "voided")


def order_counts(status: str) -> bool:
    return status not in NON_COUNTING_ORDER_STATUSES


class Order(Base):
    """An order. customer_id carries no foreign key: orders are written only by ingestion, with
    the customer ids it has just upserted or looked up, and nothing deletes customers or orders,
    while the integrity trigger (a `FOR KEY SHARE` lock of the customer per order) was a large
    part of an order insert on Postgres (migration 0019). A test checks that no order is orphaned."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    # Indexed by ix_orders_customer_ordered, whose prefix it is. No foreign key (see the class
    # docstring).
    customer_id: Mapped[int] = mapped_column(BigId)
    ordered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Money is kept in minor units (paise) so sums are exact on every backend.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    status: Mapped[str] = mapped_column(String(20), default="paid")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_orders_customer_ordered", "customer_id", "ordered_at"),)


class OrderItem(Base):
    """A line item. customer_id and ordered_at are copied from the order so that the
    segment compiler's EXISTS over items needs no join to orders.

    order_id and customer_id carry no foreign keys: items are written only by ingestion, with the
    ids it has just upserted, and nothing deletes orders or customers, while the two integrity
    triggers cost ~45 % of every item insert on Postgres (migration 0014). A test checks that no
    item is orphaned."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(BigId, index=True)
    customer_id: Mapped[int] = mapped_column(BigId)
    ordered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sku: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # False when the order is cancelled, refunded or voided: such items were not "bought".
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (
        Index("ix_order_items_category_customer", func.lower(category), "customer_id", "ordered_at"),
        Index("ix_order_items_customer", "customer_id", "ordered_at"),
        # `product` filters: distinct names by a loose index scan, then lower(name) IN (…).
        Index("ix_order_items_name_customer", func.lower(name), "customer_id", "ordered_at"),
    )

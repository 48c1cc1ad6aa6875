from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Computed, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnClause, FunctionElement, column

from crm.db import Base, BigId, UtcDateTime

# customer_stats.channels: one bit per channel the customer is reachable on (contact detail + consent).
CHANNEL_BITS = {"email": 1, "sms": 2, "whatsapp": 4, "rcs": 8}


class month_day(FunctionElement[int]):  # noqa: N801 - a SQL function's name
    """month * 100 + day of a date column (2 April → 402), as each backend spells it."""

    type = Integer()
    inherit_cache = True

    def __init__(self, date_column: ColumnClause[Any]) -> None:
        super().__init__(date_column)


@compiles(month_day, "sqlite")
def _month_day_sqlite(element: month_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(strftime('%m%d', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(month_day, "postgresql")
def _month_day_postgresql(element: month_day, compiler: SQLCompiler, **kw: Any) -> str:
    date = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(MONTH FROM {date}) * 100 + EXTRACT(DAY FROM {date}) AS INTEGER)"


# A generated column: computed by the database from `birthday` (itself a trigger-kept copy), so no
# write path sets it. VIRTUAL on SQLite (ALTER TABLE can only add those), STORED on Postgres.
BIRTHDAY_MONTH_DAY = Computed(month_day(column("birthday")))


class CustomerStats(Base):
    """One row per customer holding everything a segment filter reads, so a count is one narrow
    single-table scan (or an index-only scan), never a join over a million customers.

    - The rollup of counted orders: created with the customer and refreshed by every ingest path.
    - Copies of the customer attributes filters read (city/state/gender lower-cased, birthday,
      signed_up_at, tags, and the `channels` reachability bits). Database triggers (migration
      0015, both backends; on Postgres the insert one is a BEFORE INSERT row trigger since 0019)
      write them whenever a customer_stats row is inserted or a copied customers column changes,
      so every write path keeps them equal to `customers`; nothing else writes them."""

    __tablename__ = "customer_stats"

    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    total_spent_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)
    order_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    avg_order_value_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    first_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Categories bought, lower case, stored as "|lipstick|kajal|".
    categories: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Products bought (keys of `products`), stored as "|3|17|" in numeric order, and their
    # 63-bit signature (crm.models.product.product_signature), which filters test first.
    products: Mapped[str] = mapped_column(Text, default="", server_default="")
    product_bits: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_item: Mapped[str | None] = mapped_column(String(300))

    # Copied from customers by the triggers (see the class docstring).
    city_key: Mapped[str | None] = mapped_column(String(100))
    state_key: Mapped[str | None] = mapped_column(String(100))
    gender_key: Mapped[str | None] = mapped_column(String(20))
    birthday: Mapped[date | None] = mapped_column(Date)
    signed_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    tags: Mapped[str] = mapped_column(Text, server_default="")
    channels: Mapped[int] = mapped_column(Integer, server_default="0")
    # month * 100 + day of the birthday (migration 0021): `birthday_in_days` is a few ranges of it.
    birthday_month_day: Mapped[int | None] = mapped_column(Integer, BIRTHDAY_MONTH_DAY)

    __table_args__ = (
        # With signed_up_at: "new customers with no orders" is one equality-and-range index scan.
        Index("ix_customer_stats_order_count", "order_count", "signed_up_at"),
        # Recency with categories ("lapsed lipstick buyers"): the count reads the index alone
        # (SQLite has no range statistics and would otherwise visit the table once per row).
        Index("ix_customer_stats_last_order_categories", "last_order_at", "categories"),
        # Covering indexes for counts by city and reachability, by signup and orders, and by
        # age with orders, tags and products (each count reads its index alone).
        Index("ix_customer_stats_city_channels", "city_key", "channels"),
        Index("ix_customer_stats_signed_up_orders", "signed_up_at", "order_count"),
        # (`products` itself is unbounded, too long for a B-tree entry: the signature stands in.)
        Index("ix_customer_stats_birthday_profile", "birthday", "order_count", "tags", "product_bits"),
        Index("ix_customer_stats_birthday_month_day", "birthday_month_day"),
    )

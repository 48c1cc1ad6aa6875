from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime


class CustomerStats(Base):
    """Per-customer rollup of counted orders. One row per customer, created with the customer
    and refreshed by every ingest path; the segmenter reads it instead of scanning orders."""

    __tablename__ = "customer_stats"

    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    total_spent_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)
    order_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    avg_order_value_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    first_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_order_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Categories bought, lower case, stored as "|lipstick|kajal|".
    categories: Mapped[str] = mapped_column(Text, default="", server_default="")
    last_item: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (
        # With customer_id: joins on an order-count condition read the index alone.
        Index("ix_customer_stats_order_count", "order_count", "customer_id"),
        # Recency with categories ("lapsed lipstick buyers"): the count reads the index alone
        # (SQLite has no range statistics and would otherwise visit the table once per row).
        Index("ix_customer_stats_last_order_categories", "last_order_at", "categories"),
    )

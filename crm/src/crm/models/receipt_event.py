from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, UtcDateTime, utcnow


class ReceiptEvent(Base):
    """Every delivery receipt ever accepted, once per event_id (the dedupe key).
    `matched` is false for a communication id we do not know: kept aside, never applied.
    Only the primary key is indexed: every event ingested writes each index (migration 0020)."""

    __tablename__ = "receipt_events"

    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    communication_id: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    value_minor: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(200))
    matched: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime


class LinkClick(Base):
    """A tracked link's first click, once per token (the dedupe key, as event_id is for receipts).
    The token names a message (kind "m": communications.id) or a test send (kind "t": campaign and
    customer); the click also reaches the message's funnel as a `clicked` receipt event."""

    __tablename__ = "link_clicks"

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(1))
    campaign_id: Mapped[int | None] = mapped_column(BigId, index=True)
    communication_id: Mapped[str | None] = mapped_column(String(80))
    customer_id: Mapped[int | None] = mapped_column(BigId)
    test: Mapped[bool] = mapped_column(Boolean)
    clicked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    clicks: Mapped[int] = mapped_column(Integer, default=1)

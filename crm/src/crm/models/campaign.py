from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime, utcnow

CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "completed")


class Campaign(Base):
    __tablename__ = "campaigns"
    # The scheduler's question: which scheduled campaigns are due.
    __table_args__ = (Index("ix_campaigns_scheduled", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Stable public key; communication ids are "<uid>-<customer id>", unique across installs.
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    channel: Mapped[str] = mapped_column(String(20))
    segment_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("segments.id", ondelete="SET NULL"))
    # The inline filter, or (from launch on) the frozen copy of the segment's filter.
    filter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message_subject: Mapped[str | None] = mapped_column(String(300))
    message_body: Mapped[str] = mapped_column(Text)
    channel_reason: Mapped[str | None] = mapped_column(Text)
    # Campaign variables: {{ offer }}, {{ coupon_code }}; {{ link }} leads to destination_url
    # (the brand's default when unset).
    offer: Mapped[str | None] = mapped_column(String(200))
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    destination_url: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(20), default="user")
    audience_count: Mapped[int | None] = mapped_column(Integer)
    suppressed_no_contact: Mapped[int | None] = mapped_column(Integer)
    suppressed_no_consent: Mapped[int | None] = mapped_column(Integer)
    queued_count: Mapped[int | None] = mapped_column(Integer)
    # A `scheduled` campaign starts then (its audience is evaluated at that moment); cancel returns it to draft.
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scheduled_by: Mapped[str | None] = mapped_column(String(100))
    # Experiments (crm.experiments): 2-5 variants [{"name", "subject", "body"}] instead of the one
    # message (which then mirrors variant A), a holdout share never messaged, and winner mode
    # ({"metric", "test_percent", "decide_after_hours"}): the test share first, the rest the winner.
    variants: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    holdout_percent: Mapped[float | None] = mapped_column(Float)
    winner_mode: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decide_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    winner_variant: Mapped[int | None] = mapped_column(Integer)
    winner_decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    launched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    launched_by: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime, utcnow

# Queue states of a scheduled send. Delivery progress is separate: lifecycle timestamps below.
QUEUED, CLAIMED, DISPATCHED, FAILED = "queued", "claimed", "dispatched", "failed"
SKIPPED, CANCELLED = "skipped", "cancelled"  # a sequence step whose condition failed / whose contact left
LIFECYCLE_TYPES = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")


class Communication(Base):
    """One message to one customer: a row of the durable scheduled-send queue, then the
    record of what happened to it (set by receipts, each timestamp at most once).

    customer_id, campaign_id, sequence_id and enrollment_id carry no foreign keys (migration 0016):
    each key fired a referential-integrity trigger per inserted send, and the customer key locked
    every recipient's row, which took a 1M-recipient launch from 7 s to 12–13 s. The application
    keeps them valid instead: sends are written only by a launch (from the customers its INSERT …
    SELECT reads) and by the sequence journey (from the enrollment it advances), and nothing
    deletes customers, campaigns, sequences or enrollments. Tests check no send is orphaned.
    """

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    communication_id: Mapped[str] = mapped_column(String(80), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(BigId)
    # A sequence step's send: which journey, which step (0-based) of the enrollment's version.
    sequence_id: Mapped[int | None] = mapped_column(BigId)
    enrollment_id: Mapped[int | None] = mapped_column(BigId)
    step_index: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(BigId)
    channel: Mapped[str] = mapped_column(String(20))
    # An experiment's arm (0-based index into the campaign's variants); None for a single message.
    variant: Mapped[int | None] = mapped_column(SmallInteger)
    to_address: Mapped[str] = mapped_column(String(320))

    state: Mapped[str] = mapped_column(String(20), default=QUEUED)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Send policies (quiet hours, frequency cap) move due_at later; they never drop a send.
    deferred_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deferred_reason: Mapped[str | None] = mapped_column(String(40))

    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    clicked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    converted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failure_reason: Mapped[str | None] = mapped_column(String(200))
    conversion_value_minor: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_communications_state_due", "state", "due_at"),
        Index("ix_communications_campaign_state", "campaign_id", "state"),
        # Partial: campaign sends (most rows) leave these NULL and cost nothing to index.
        Index(
            "ix_communications_sequence_step",
            "sequence_id",
            "step_index",
            postgresql_where=text("sequence_id IS NOT NULL"),
            sqlite_where=text("sequence_id IS NOT NULL"),
        ),
        Index(
            "ix_communications_enrollment",
            "enrollment_id",
            postgresql_where=text("enrollment_id IS NOT NULL"),
            sqlite_where=text("enrollment_id IS NOT NULL"),
        ),
        Index("ix_communications_customer_dispatched", "customer_id", "dispatched_at"),
    )

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime, utcnow

SEQUENCE_STATUSES = ("draft", "live", "paused")
ENROLLMENT_STATUSES = ("active", "completed", "exited_converted", "exited_no_consent")


class Sequence(Base):
    """A multi-step journey: an audience plus ordered steps kept as immutable versions."""

    __tablename__ = "sequences"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    segment_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("segments.id", ondelete="SET NULL"))
    filter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    exit_on_conversion: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(20), default="user")
    launched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    launched_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SequenceVersion(Base):
    """One immutable version of a sequence's steps, with who changed what and when."""

    __tablename__ = "sequence_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sequence_id: Mapped[int] = mapped_column(BigId, ForeignKey("sequences.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    changes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("sequence_id", "version", name="uq_sequence_versions_sequence_version"),)


class Enrollment(Base):
    """A contact's journey through one sequence, pinned to the version it entered with."""

    __tablename__ = "sequence_enrollments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sequence_id: Mapped[int] = mapped_column(BigId, ForeignKey("sequences.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(30), default="active")
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("sequence_id", "customer_id", name="uq_sequence_enrollments_sequence_customer"),
        Index("ix_sequence_enrollments_status", "sequence_id", "status"),
    )

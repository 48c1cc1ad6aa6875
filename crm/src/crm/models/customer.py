from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId, UtcDateTime, utcnow


class Customer(Base):
    __tablename__ = "customers"
    # No secondary indexes beyond email and phone (lookups by contact): segment filters read the
    # copies in customer_stats (migration 0015), and the search matches '%text%' (migration 0018).

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(20))
    birthday: Mapped[date | None] = mapped_column(Date)
    signed_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Tags are stored normalised (lower case) as "|vip|loyal|" so one dialect-neutral LIKE finds a tag.
    tags: Mapped[str] = mapped_column(Text, default="", server_default="")
    consent_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_sms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_whatsapp: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_rcs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


def encode_tags(tags: list[str]) -> str:
    cleaned = sorted({t.strip().lower() for t in tags if t and t.strip()})
    return f"|{'|'.join(cleaned)}|" if cleaned else ""


def decode_tags(stored: str) -> list[str]:
    return [t for t in stored.split("|") if t]

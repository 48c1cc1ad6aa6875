from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, UtcDateTime, utcnow


class BrandSetting(Base):
    """The brand's voice, one row (id 1): the copilot writes in it; {{ link }} leads to the default
    destination unless a campaign sets its own. The seed sets the SUGAR persona."""

    __tablename__ = "brand_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_name: Mapped[str] = mapped_column(String(60))
    sign_off: Mapped[str] = mapped_column(String(80))
    emoji: Mapped[bool] = mapped_column(Boolean)
    destination_url: Mapped[str] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, BigId

HOLDOUT, REST = "holdout", "rest"


class ExperimentMember(Base):
    """A customer a launch set aside instead of messaging: the holdout (never messaged), or in
    winner mode the rest of the audience, which gets the winning variant once it is decided.
    Messaged customers are the campaign's communications; together they are the launch's audience."""

    __tablename__ = "experiment_members"

    campaign_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    role: Mapped[str] = mapped_column(String(10))

"""Campaigns can be scheduled: `scheduled_at` is when a `scheduled` campaign starts (its audience is
evaluated then), and `scheduled_by` who scheduled it.

Revision ID: 0030
Revises: 0020
Create Date: 2026-12-05 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0030"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("scheduled_at", crm.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("scheduled_by", sa.String(100), nullable=True))
    op.create_index("ix_campaigns_scheduled", "campaigns", ["status", "scheduled_at"])


def downgrade() -> None:
    op.drop_index("ix_campaigns_scheduled", table_name="campaigns")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("scheduled_by")
        batch.drop_column("scheduled_at")

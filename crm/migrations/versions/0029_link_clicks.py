"""Tracked links' first clicks, once per token.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_clicks",
        sa.Column("token", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("communication_id", sa.String(80), nullable=True),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("test", sa.Boolean(), nullable=False),
        sa.Column("clicked_at", crm.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
    )
    op.create_index("ix_link_clicks_campaign_id", "link_clicks", ["campaign_id"])


def downgrade() -> None:
    op.drop_table("link_clicks")

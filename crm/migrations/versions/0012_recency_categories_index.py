"""customer_stats (last_order_at, categories) replaces the last_order_at index: a recency ×
category filter ("lapsed lipstick buyers") is counted from the index alone

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 17:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customer_stats_last_order_categories", "customer_stats", ["last_order_at", "categories"])
    op.drop_index("ix_customer_stats_last_order_at", table_name="customer_stats")


def downgrade() -> None:
    op.create_index("ix_customer_stats_last_order_at", "customer_stats", ["last_order_at"])
    op.drop_index("ix_customer_stats_last_order_categories", table_name="customer_stats")

"""index lower(order_items.name) for `product` segment filters: the distinct names are found by a
loose index scan and matched with an indexed IN instead of a LIKE over every item

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_order_items_name_customer", "order_items", [sa.text("lower(name)"), "customer_id", "ordered_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_order_items_name_customer", table_name="order_items")

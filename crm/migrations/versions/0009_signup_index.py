"""index customers.signed_up_at ("new customers" filters)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 21:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customers_signed_up_at", "customers", ["signed_up_at"])


def downgrade() -> None:
    op.drop_index("ix_customers_signed_up_at", table_name="customers")

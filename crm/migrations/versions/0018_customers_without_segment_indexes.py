"""customers loses the three indexes segments used to read: since 0015 every filter reads
customer_stats (city_key, signed_up_at …), and the customer search matches '%text%', which no
B-tree serves, so ix_customers_signed_up_at, ix_customers_city_lower and ix_customers_name_lower
were only written (on every ingested customer), never read.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_customers_signed_up_at", table_name="customers")
    op.drop_index("ix_customers_city_lower", table_name="customers")
    op.drop_index("ix_customers_name_lower", table_name="customers")


def downgrade() -> None:
    op.create_index("ix_customers_name_lower", "customers", [sa.text("lower(name)")])
    op.create_index("ix_customers_city_lower", "customers", [sa.text("lower(city)")])
    op.create_index("ix_customers_signed_up_at", "customers", ["signed_up_at", "id"])

"""customer_stats.birthday_month_day: month * 100 + day of the birthday (2 April → 402), indexed.

`birthday_in_days` ("birthday in the next 7 days") compiles to a few ranges of this integer
(wrapping at the year's end: [1228, 1231] or [101, 104]), one index range scan each, where a
filter on the birthday date itself would need a per-row date computation that no index serves.

It is a generated column, computed by the database from `birthday` (which 0015's triggers keep
equal to customers.birthday), so no write path sets it: VIRTUAL on SQLite (ALTER TABLE can only
add those; the index stores the value), STORED on Postgres.

Revision ID: 0021
Revises: 0030
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm.models.customer_stats import month_day

revision: str = "0021"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_customer_stats_birthday_month_day"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    computed = sa.Computed(month_day(sa.column("birthday")), persisted=True if postgres else None)
    op.add_column("customer_stats", sa.Column("birthday_month_day", sa.Integer(), computed, nullable=True))
    op.create_index(INDEX, "customer_stats", ["birthday_month_day"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="customer_stats")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE customer_stats DROP COLUMN birthday_month_day")
    else:
        op.drop_column("customer_stats", "birthday_month_day")

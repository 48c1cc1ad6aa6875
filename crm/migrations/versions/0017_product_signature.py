"""customer_stats.product_bits, a 63-bit signature of each customer's products (bit key mod 63),
tested before the exact `products` LIKE, or instead of it when no other product shares the bits
(segments check that in the products dimension): at a million customers "bought kohl or
wingman" with age, tags and order count spent most of its ~220 ms Postgres count on four LIKEs
per row. The age index covers the signature (not `products`, which is unbounded).

On Postgres, REINDEX gives back the space 0015's backfill UPDATE left in the older indexes of
customer_stats (about twice their size at a million rows).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 20:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROFILE_INDEX = "ix_customer_stats_birthday_profile"
PROFILE_BEFORE = ["birthday", "order_count", "tags"]
# Not `products`: a customer's list is unbounded (thousands of products overflow a B-tree entry).
PROFILE_AFTER = ["birthday", "order_count", "tags", "product_bits"]


# Each customer's distinct counted products (as in 0015), folded into bits.
BOUGHT = """
SELECT DISTINCT i.customer_id, p.id AS product_id
FROM order_items AS i JOIN products AS p ON p.name_key = lower(i.name) WHERE i.counted
"""
BACKFILL_POSTGRES = f"""
UPDATE customer_stats AS s SET product_bits = b.bits
FROM (SELECT customer_id, bit_or(1::bigint << (product_id % 63)) AS bits FROM ({BOUGHT}) AS bought
      GROUP BY customer_id) AS b
WHERE s.customer_id = b.customer_id
"""
# SQLite has no bit_or: distinct powers of two summed are their OR.
BACKFILL_SQLITE = (
    "CREATE TEMP TABLE customer_product_bits (customer_id INTEGER PRIMARY KEY, bits INTEGER NOT NULL)",
    f"""
    INSERT INTO customer_product_bits
    SELECT customer_id, sum(DISTINCT 1 << (product_id % 63)) FROM ({BOUGHT}) GROUP BY customer_id
    """,
    """
    UPDATE customer_stats SET product_bits = b.bits
    FROM customer_product_bits AS b WHERE b.customer_id = customer_stats.customer_id
    """,
    "DROP TABLE customer_product_bits",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(PROFILE_INDEX, table_name="customer_stats")
    with op.batch_alter_table("customer_stats") as batch:
        batch.add_column(sa.Column("product_bits", sa.BigInteger(), server_default="0", nullable=False))
    if postgres:
        op.execute(BACKFILL_POSTGRES)
    else:
        for statement in BACKFILL_SQLITE:
            op.execute(statement)
    op.create_index(PROFILE_INDEX, "customer_stats", PROFILE_AFTER)
    if postgres:
        op.execute("REINDEX TABLE customer_stats")


def downgrade() -> None:
    op.drop_index(PROFILE_INDEX, table_name="customer_stats")
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of the table would trip over 0015's triggers.
    op.execute("ALTER TABLE customer_stats DROP COLUMN product_bits")
    op.create_index(PROFILE_INDEX, "customer_stats", PROFILE_BEFORE)

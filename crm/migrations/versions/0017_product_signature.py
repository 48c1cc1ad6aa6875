"""customer_stats.product_bits, a 63-bit signature of each customer's products (bit key mod 63),
tested before the exact `products` LIKE, or instead of it when no other product shares the bits
(segments check that in the products dimension): at a million customers "bought kohl or
wingman" with age, tags and order count spent most of its ~220 ms Postgres count on four LIKEs
per row. The age index covers the signature (not `products`, which is unbounded).

On Postgres, new customer_stats rows get their customer copies from a BEFORE INSERT row trigger
instead of 0015's statement-level UPDATE, which wrote every new row twice (and, its rows grown,
never as a HOT update: every index of the table took a second entry). REINDEX gives back the
space 0015's backfill left in the older indexes (about twice their size at a million rows).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 20:15:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

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


def migration_0015() -> ModuleType:
    """0015's definitions of the copy (one place for it), loaded the way Alembic loads it."""
    spec = importlib.util.spec_from_file_location(
        "migration_0015", Path(__file__).with_name("0015_segment_profile_rollup.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def row_trigger_postgres(copy: ModuleType) -> tuple[str, ...]:
    targets = ", ".join(f"NEW.{column}" for column in copy.COPIED)
    return (
        f"""
        CREATE FUNCTION customer_stats_copy_customer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT {copy.copied_values("c")} INTO {targets} FROM customers AS c WHERE c.id = NEW.customer_id;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER customer_stats_copy_customer BEFORE INSERT ON customer_stats
        FOR EACH ROW EXECUTE FUNCTION customer_stats_copy_customer()
        """,
    )


ROW_TRIGGER_DROPS = (
    "DROP TRIGGER customer_stats_copy_customer ON customer_stats",
    "DROP FUNCTION customer_stats_copy_customer()",
)
STATEMENT_TRIGGER_DROPS = (
    "DROP TRIGGER customer_stats_copy_inserted ON customer_stats",
    "DROP FUNCTION customer_stats_copy_inserted()",
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(PROFILE_INDEX, table_name="customer_stats")
    with op.batch_alter_table("customer_stats") as batch:
        batch.add_column(sa.Column("product_bits", sa.BigInteger(), server_default="0", nullable=False))
    if postgres:
        op.execute(BACKFILL_POSTGRES)
        for statement in (*STATEMENT_TRIGGER_DROPS, *row_trigger_postgres(migration_0015())):
            op.execute(statement)
    else:
        for statement in BACKFILL_SQLITE:
            op.execute(statement)
    op.create_index(PROFILE_INDEX, "customer_stats", PROFILE_AFTER)
    if postgres:
        op.execute("REINDEX TABLE customer_stats")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(PROFILE_INDEX, table_name="customer_stats")
    if postgres:
        for statement in (*ROW_TRIGGER_DROPS, *migration_0015().POSTGRES_TRIGGERS[:2]):
            op.execute(statement)
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of the table would trip over 0015's triggers.
    op.execute("ALTER TABLE customer_stats DROP COLUMN product_bits")
    op.create_index(PROFILE_INDEX, "customer_stats", PROFILE_BEFORE)

"""order_items loses its two foreign keys and orders its redundant customer_id index: every
ingested item fired two referential-integrity triggers (a FOR KEY SHARE lookup of its order and of
its customer, ~45 % of an item insert on Postgres), and orders.customer_id was indexed twice
(alone and as the prefix of (customer_id, ordered_at)).

Items are written only by ingestion, with the order and customer ids the same statement sequence
has just upserted, and nothing deletes orders or customers, so the keys guarded nothing the
application does; tests check that every item's order and customer exist.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ITEM_KEYS = (
    ("fk_order_items_order_id_orders", "orders", "order_id"),
    ("fk_order_items_customer_id_customers", "customers", "customer_id"),
)
# SQLite drops a foreign key by copying the table, and reflection cannot copy expression indexes.
EXPRESSION_INDEXES = (
    ("ix_order_items_category_customer", "lower(category)"),
    ("ix_order_items_name_customer", "lower(name)"),
)


def upgrade() -> None:
    op.drop_index("ix_orders_customer_id", table_name="orders")
    if op.get_bind().dialect.name == "sqlite":
        for name, _ in EXPRESSION_INDEXES:
            op.drop_index(name, table_name="order_items")
        with op.batch_alter_table("order_items", recreate="always") as batch:
            for name, _, _ in ITEM_KEYS:
                batch.drop_constraint(name, type_="foreignkey")
        for name, expression in EXPRESSION_INDEXES:
            op.create_index(name, "order_items", [sa.text(expression), "customer_id", "ordered_at"])
    else:
        for name, _, _ in ITEM_KEYS:
            op.drop_constraint(name, "order_items", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _ in EXPRESSION_INDEXES:
            op.drop_index(name, table_name="order_items")
        with op.batch_alter_table("order_items", recreate="always") as batch:
            for name, parent, column in ITEM_KEYS:
                batch.create_foreign_key(name, parent, [column], ["id"], ondelete="CASCADE")
        for name, expression in EXPRESSION_INDEXES:
            op.create_index(name, "order_items", [sa.text(expression), "customer_id", "ordered_at"])
    else:
        for name, parent, column in ITEM_KEYS:
            op.create_foreign_key(name, "order_items", parent, [column], ["id"], ondelete="CASCADE")
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])

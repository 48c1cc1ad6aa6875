"""customer_stats holds everything a segment filter reads: a products dimension and each
customer's product keys (`products`, like `categories`), and copies of the customer attributes
filters read (lower-cased city/state/gender, birthday, signed_up_at, tags, reachability bits),
kept equal to `customers` by triggers on both backends; covering indexes for the counts.

The order-count index trades its customer_id (for joins counts no longer make) for signed_up_at.
A count then reads one narrow table (often one index alone) instead of joining a million
customers to their rollup and probing their items.

The copy, in words (the triggers and the backfill below say it in SQL): city_key, state_key and
gender_key are lower(city/state/gender); birthday, signed_up_at and tags as they are; channels has
bit 1 for email, 2 sms, 4 whatsapp, 8 rcs, set when the contact detail (email, or phone for the
other three) is present and non-empty and the channel's consent is true. It is written when a
customer_stats row is inserted (from its customer row) and when a copied customers column changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPIED = ("city_key", "state_key", "gender_key", "birthday", "signed_up_at", "tags", "channels")
WATCHED = (
    "city",
    "state",
    "gender",
    "birthday",
    "signed_up_at",
    "tags",
    "email",
    "phone",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_rcs",
)
INDEXES = (
    ("ix_customer_stats_city_channels", ["city_key", "channels"]),
    ("ix_customer_stats_signed_up_orders", ["signed_up_at", "order_count"]),
    # Not `products`: a customer's list is unbounded (thousands overflow a B-tree entry); 0017 adds a signature.
    ("ix_customer_stats_birthday_profile", ["birthday", "order_count", "tags"]),
)


def copied_values(row: str) -> str:
    """The copied values, in COPIED order, computed from a customers row named `row`."""

    def present(column: str) -> str:
        return f"{row}.{column} IS NOT NULL AND {row}.{column} <> ''"

    channels = " + ".join(
        f"(CASE WHEN {present(contact)} AND {row}.consent_{channel} THEN {bit} ELSE 0 END)"
        for channel, contact, bit in (
            ("email", "email", 1),
            ("sms", "phone", 2),
            ("whatsapp", "phone", 4),
            ("rcs", "phone", 8),
        )
    )
    return (
        f"lower({row}.city), lower({row}.state), lower({row}.gender), {row}.birthday, {row}.signed_up_at, "
        f"{row}.tags, {channels}"
    )


def changed(old: str, new: str) -> str:
    """Whether any watched customers column differs between two row references."""
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in WATCHED)


def sqlite_changed() -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)


COLUMN_LIST = ", ".join(COPIED)

POSTGRES_TRIGGERS = (
    # New rollup rows (ingest, bulk loaders, tests): one set-based copy per statement. For an
    # upsert the transition table holds only the rows actually inserted.
    f"""
    CREATE FUNCTION customer_stats_copy_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customer_stats AS s SET ({COLUMN_LIST}) = ({copied_values("c")})
        FROM inserted_rows AS n JOIN customers AS c ON c.id = n.customer_id
        WHERE s.customer_id = n.customer_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER customer_stats_copy_inserted AFTER INSERT ON customer_stats
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_stats_copy_inserted()
    """,
    # A changed customer: only rows whose copied columns really changed run the function.
    f"""
    CREATE FUNCTION customers_copy_to_stats() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customer_stats SET ({COLUMN_LIST}) = ({copied_values("NEW")}) WHERE customer_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE TRIGGER customers_copy_to_stats AFTER UPDATE OF {", ".join(WATCHED)} ON customers
    FOR EACH ROW WHEN ({changed("OLD", "NEW")}) EXECUTE FUNCTION customers_copy_to_stats()
    """,
)
POSTGRES_DROPS = (
    "DROP TRIGGER customers_copy_to_stats ON customers",
    "DROP FUNCTION customers_copy_to_stats()",
    "DROP TRIGGER customer_stats_copy_inserted ON customer_stats",
    "DROP FUNCTION customer_stats_copy_inserted()",
)

SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER customer_stats_copy_inserted AFTER INSERT ON customer_stats FOR EACH ROW
    BEGIN
        UPDATE customer_stats SET ({COLUMN_LIST}) =
            (SELECT {copied_values("c")} FROM customers AS c WHERE c.id = NEW.customer_id)
        WHERE customer_id = NEW.customer_id;
    END
    """,
    f"""
    CREATE TRIGGER customers_copy_to_stats AFTER UPDATE OF {", ".join(WATCHED)} ON customers
    FOR EACH ROW WHEN {sqlite_changed()}
    BEGIN
        UPDATE customer_stats SET ({COLUMN_LIST}) = ({copied_values("NEW")}) WHERE customer_id = NEW.id;
    END
    """,
)
SQLITE_DROPS = ("DROP TRIGGER customers_copy_to_stats", "DROP TRIGGER customer_stats_copy_inserted")

# Every distinct lower-cased item name, in name order (ids follow it on a fresh backfill).
BACKFILL_PRODUCTS = "INSERT INTO products (name_key) SELECT DISTINCT lower(name) FROM order_items ORDER BY 1"
# Each customer's counted products as "|3|17|" (numeric order), the way the ingest rollup writes it.
CUSTOMER_PRODUCTS_POSTGRES = """
SELECT customer_id, '|' || string_agg(product_id::text, '|' ORDER BY product_id) || '|' AS products
FROM (SELECT DISTINCT i.customer_id, p.id AS product_id
      FROM order_items AS i JOIN products AS p ON p.name_key = lower(i.name) WHERE i.counted) AS bought
GROUP BY customer_id
"""
BACKFILL_POSTGRES = f"""
UPDATE customer_stats AS s SET ({COLUMN_LIST}, products) = ({copied_values("c")}, coalesce(b.products, ''))
FROM customers AS c LEFT JOIN ({CUSTOMER_PRODUCTS_POSTGRES}) AS b ON b.customer_id = c.id
WHERE c.id = s.customer_id
"""
# SQLite 3.40 has no ORDER BY inside an aggregate: group_concat follows the ordered subquery.
CUSTOMER_PRODUCTS_SQLITE = (
    "CREATE TEMP TABLE customer_products (customer_id INTEGER PRIMARY KEY, products TEXT NOT NULL)",
    """
    INSERT INTO customer_products
    SELECT customer_id, '|' || group_concat(product_id, '|') || '|'
    FROM (SELECT DISTINCT i.customer_id, p.id AS product_id
          FROM order_items AS i JOIN products AS p ON p.name_key = lower(i.name) WHERE i.counted
          ORDER BY i.customer_id, p.id)
    GROUP BY customer_id
    """,
)
BACKFILL_SQLITE = f"""
UPDATE customer_stats SET ({COLUMN_LIST}, products) =
    ({copied_values("c")}, coalesce((SELECT b.products FROM customer_products AS b WHERE b.customer_id = c.id), ''))
FROM customers AS c WHERE c.id = customer_stats.customer_id
"""


# Counts no longer join customers, so the order-count index trades customer_id for signed_up_at.
ORDER_COUNT_INDEX = "ix_customer_stats_order_count"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("name_key", name=op.f("uq_products_name_key")),
    )
    with op.batch_alter_table("customer_stats") as batch:
        batch.add_column(sa.Column("products", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("city_key", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("state_key", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("gender_key", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("birthday", sa.Date(), nullable=True))
        batch.add_column(sa.Column("signed_up_at", crm.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("tags", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("channels", sa.Integer(), server_default="0", nullable=False))
    op.execute(BACKFILL_PRODUCTS)
    if postgres:
        op.execute(BACKFILL_POSTGRES)
    else:
        for statement in CUSTOMER_PRODUCTS_SQLITE:
            op.execute(statement)
        op.execute(BACKFILL_SQLITE)
        op.execute("DROP TABLE customer_products")
    for statement in POSTGRES_TRIGGERS if postgres else SQLITE_TRIGGERS:
        op.execute(statement)
    for name, columns in INDEXES:
        op.create_index(name, "customer_stats", columns)
    op.drop_index(ORDER_COUNT_INDEX, table_name="customer_stats")
    op.create_index(ORDER_COUNT_INDEX, "customer_stats", ["order_count", "signed_up_at"])


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index(ORDER_COUNT_INDEX, table_name="customer_stats")
    op.create_index(ORDER_COUNT_INDEX, "customer_stats", ["order_count", "customer_id"])
    for name, _ in INDEXES:
        op.drop_index(name, table_name="customer_stats")
    for statement in POSTGRES_DROPS if postgres else SQLITE_DROPS:
        op.execute(statement)
    with op.batch_alter_table("customer_stats") as batch:
        for column in (
            "channels",
            "tags",
            "signed_up_at",
            "birthday",
            "gender_key",
            "state_key",
            "city_key",
            "products",
        ):
            batch.drop_column(column)
    op.drop_table("products")

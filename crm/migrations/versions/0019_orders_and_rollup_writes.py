"""Cheaper ingest writes: orders lose their foreign key to customers, and on Postgres a new
customer_stats row gets its copied customer attributes as it is inserted.

- `orders.customer_id` fired a referential-integrity trigger per ingested order (a `FOR KEY SHARE`
  lock of its customer, which also dirties the customer's heap page). Orders are written only by
  ingestion, with the customer ids it has just upserted or looked up, and nothing deletes customers
  or orders (as for order_items in 0014); a test checks that every order's customer exists.
- Postgres: 0015's statement-level AFTER INSERT trigger updated each new rollup row right after
  its insert, writing every row (and its six index entries) twice. A BEFORE INSERT row trigger
  fills the same copied values into the row being inserted. SQLite keeps 0015's row trigger.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29 22:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_KEY = "fk_orders_customer_id_customers"
COPIED = ("city_key", "state_key", "gender_key", "birthday", "signed_up_at", "tags", "channels")


def copied_values(row: str) -> str:
    """0015's copy of a customers row named `row`, in COPIED order."""

    def reachable(channel: str, contact: str, bit: int) -> str:
        present = f"{row}.{contact} IS NOT NULL AND {row}.{contact} <> ''"
        return f"(CASE WHEN {present} AND {row}.consent_{channel} THEN {bit} ELSE 0 END)"

    channels = " + ".join(
        reachable(channel, contact, bit)
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


BEFORE_INSERT = (
    "DROP TRIGGER customer_stats_copy_inserted ON customer_stats",
    "DROP FUNCTION customer_stats_copy_inserted()",
    f"""
    CREATE FUNCTION customer_stats_copy_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT {copied_values("c")} INTO {", ".join(f"NEW.{column}" for column in COPIED)}
        FROM customers AS c WHERE c.id = NEW.customer_id;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER customer_stats_copy_new BEFORE INSERT ON customer_stats
    FOR EACH ROW EXECUTE FUNCTION customer_stats_copy_new()
    """,
)
AFTER_INSERT = (
    "DROP TRIGGER customer_stats_copy_new ON customer_stats",
    "DROP FUNCTION customer_stats_copy_new()",
    f"""
    CREATE FUNCTION customer_stats_copy_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customer_stats AS s SET ({", ".join(COPIED)}) = ({copied_values("c")})
        FROM inserted_rows AS n JOIN customers AS c ON c.id = n.customer_id
        WHERE s.customer_id = n.customer_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER customer_stats_copy_inserted AFTER INSERT ON customer_stats
    REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_stats_copy_inserted()
    """,
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("orders", recreate="always") as batch:
            batch.drop_constraint(ORDER_KEY, type_="foreignkey")
        return
    op.drop_constraint(ORDER_KEY, "orders", type_="foreignkey")
    for statement in BEFORE_INSERT:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("orders", recreate="always") as batch:
            batch.create_foreign_key(ORDER_KEY, "customers", ["customer_id"], ["id"], ondelete="CASCADE")
        return
    for statement in AFTER_INSERT:
        op.execute(statement)
    op.create_foreign_key(ORDER_KEY, "orders", "customers", ["customer_id"], ["id"], ondelete="CASCADE")

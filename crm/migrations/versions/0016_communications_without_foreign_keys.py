"""communications loses its four foreign keys (customer, campaign, sequence, enrollment): every
materialised send fired four referential-integrity triggers, and the customer key took a FOR KEY
SHARE row lock on each recipient, dirtying every customer page a launch touches. A 1M-recipient
INSERT … SELECT took 12–13 s with them and 7.0 s without (bench/README.md, "Materialise, what it
would take").

Sends are written only by a launch (its INSERT … SELECT reads the customers it points at, inside
the transaction that moved its campaign to running) and by the sequence journey (from the
enrollment it is advancing), and nothing deletes customers, campaigns, sequences or enrollments,
so the keys guarded nothing the application does; tests check that no send is orphaned after
launch, dispatch and sequence flows.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEND_KEYS = (
    ("fk_communications_customer_id_customers", "customers", "customer_id"),
    ("fk_communications_campaign_id_campaigns", "campaigns", "campaign_id"),
    ("fk_communications_sequence_id_sequences", "sequences", "sequence_id"),
    ("fk_communications_enrollment_id_sequence_enrollments", "sequence_enrollments", "enrollment_id"),
)
# SQLite drops a foreign key by copying the table; the copy's partial indexes are made again here
# so their WHERE clauses survive.
PARTIAL_INDEXES = (
    ("ix_communications_sequence_step", ["sequence_id", "step_index"], "sequence_id IS NOT NULL"),
    ("ix_communications_enrollment", ["enrollment_id"], "enrollment_id IS NOT NULL"),
)


def recreate_partial_indexes() -> None:
    for name, columns, where in PARTIAL_INDEXES:
        op.drop_index(name, table_name="communications")
        op.create_index(name, "communications", columns, sqlite_where=sa.text(where))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("communications", recreate="always") as batch:
            for name, _, _ in SEND_KEYS:
                batch.drop_constraint(name, type_="foreignkey")
        recreate_partial_indexes()
    else:
        for name, _, _ in SEND_KEYS:
            op.drop_constraint(name, "communications", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("communications", recreate="always") as batch:
            for name, parent, column in SEND_KEYS:
                batch.create_foreign_key(name, parent, [column], ["id"], ondelete="CASCADE")
        recreate_partial_indexes()
    else:
        for name, parent, column in SEND_KEYS:
            op.create_foreign_key(name, "communications", parent, [column], ["id"], ondelete="CASCADE")

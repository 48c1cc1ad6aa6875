"""leaner communication indexes: the customer index is covered by (customer_id, dispatched_at);
sequence indexes are partial, since campaign sends leave those columns NULL

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_communications_customer_id", table_name="communications")
    op.drop_index("ix_communications_sequence_step", table_name="communications")
    op.drop_index("ix_communications_enrollment", table_name="communications")
    op.create_index(
        "ix_communications_sequence_step",
        "communications",
        ["sequence_id", "step_index"],
        postgresql_where=sa.text("sequence_id IS NOT NULL"),
        sqlite_where=sa.text("sequence_id IS NOT NULL"),
    )
    op.create_index(
        "ix_communications_enrollment",
        "communications",
        ["enrollment_id"],
        postgresql_where=sa.text("enrollment_id IS NOT NULL"),
        sqlite_where=sa.text("enrollment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_communications_enrollment", table_name="communications")
    op.drop_index("ix_communications_sequence_step", table_name="communications")
    op.create_index("ix_communications_enrollment", "communications", ["enrollment_id"])
    op.create_index("ix_communications_sequence_step", "communications", ["sequence_id", "step_index"])
    op.create_index("ix_communications_customer_id", "communications", ["customer_id"])

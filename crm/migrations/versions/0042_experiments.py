"""Experiments: a campaign's variants, holdout share and winner mode; which variant each message
carries; and the customers a launch set aside (the holdout, and in winner mode the rest that waits
for the winner), so the groups stay as they were at launch however the segment changes later.

Revision ID: 0042
Revises: 0027
Create Date: 2026-12-05 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0042"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("variants", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("holdout_percent", sa.Float(), nullable=True))
        batch.add_column(sa.Column("winner_mode", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("decide_at", crm.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("winner_variant", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("winner_decided_at", crm.db.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("communications") as batch:
        batch.add_column(sa.Column("variant", sa.SmallInteger(), nullable=True))
    op.create_table(
        "experiment_members",
        sa.Column("campaign_id", crm.db.BigId, primary_key=True),
        sa.Column("customer_id", crm.db.BigId, primary_key=True),
        sa.Column("role", sa.String(10), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("experiment_members")
    with op.batch_alter_table("communications") as batch:
        batch.drop_column("variant")
    with op.batch_alter_table("campaigns") as batch:
        for column in (
            "winner_decided_at",
            "winner_variant",
            "decide_at",
            "winner_mode",
            "holdout_percent",
            "variants",
        ):
            batch.drop_column(column)

"""The brand's voice as a setting (brand name, sign-off, emoji on/off, default destination URL),
seeded with the SUGAR persona.

Revision ID: 0028
Revises: 0042
Create Date: 2026-12-05 14:10:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import crm.db

revision: str = "0028"
down_revision: str | None = "0042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "brand_settings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_name", sa.String(60), nullable=False),
        sa.Column("sign_off", sa.String(80), nullable=False),
        sa.Column("emoji", sa.Boolean(), nullable=False),
        sa.Column("destination_url", sa.String(1000), nullable=False),
        sa.Column("updated_at", crm.db.UtcDateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(
        table,
        [
            {
                "id": 1,
                "brand_name": "SUGAR",
                "sign_off": "Team SUGAR",
                "emoji": True,
                "destination_url": "https://in.sugarcosmetics.com/",
                "updated_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("brand_settings")

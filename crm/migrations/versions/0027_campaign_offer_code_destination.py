"""Campaigns carry their offer, coupon code and destination URL: the values of the template
variables {{ offer }} and {{ coupon_code }}, and where {{ link }} leads.

Revision ID: 0027
Revises: 0021
Create Date: 2026-12-05 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("offer", sa.String(200), nullable=True))
        batch.add_column(sa.Column("coupon_code", sa.String(40), nullable=True))
        batch.add_column(sa.Column("destination_url", sa.String(1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("destination_url")
        batch.drop_column("coupon_code")
        batch.drop_column("offer")

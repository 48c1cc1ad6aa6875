"""communications by (campaign_id, state): "does this campaign still have queued or claimed sends?"
(asked after every dispatched batch) reads a few index entries instead of walking every send of
the campaign already dispatched; it replaces the campaign_id index, so inserts cost the same

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_communications_campaign_state", "communications", ["campaign_id", "state"])
    op.drop_index("ix_communications_campaign", table_name="communications")


def downgrade() -> None:
    op.create_index("ix_communications_campaign", "communications", ["campaign_id"])
    op.drop_index("ix_communications_campaign_state", table_name="communications")

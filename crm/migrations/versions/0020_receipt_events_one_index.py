"""Receipt events keep one index: their primary key (the dedupe key).

`ix_receipt_events_communication` served only the stats time series, which joined each campaign's
receipt events to its communications. The series now comes from the communications' own lifecycle
timestamps (crm.analytics.repository.lifecycle_buckets), so the index was one more B-tree entry
written for every event ingested — about a fifth of the receipt statement's time on Postgres —
with no reader.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_receipt_events_communication", table_name="receipt_events")


def downgrade() -> None:
    op.create_index("ix_receipt_events_communication", "receipt_events", ["communication_id", "occurred_at"])

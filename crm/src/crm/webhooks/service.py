from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.errors import Conflict
from crm.money import to_minor
from crm.webhooks import repository as repo
from crm.webhooks.schemas import ReceiptBatch, ReceiptIn, ReceiptResult


class ReceiptService:
    """Applies receipt batches in the session's transaction (on Postgres, one statement a batch).
    The webhook endpoint goes through crm.webhooks.group_commit instead, which applies concurrent
    deliveries together with the same repository call."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def ingest(self, batch: ReceiptBatch, webhook_id: str | None = None) -> ReceiptResult:
        """Stores the batch's new events and applies the matched ones. With a webhook_id, records
        the delivery too, and raises Conflict (nothing changed) if that id was applied before."""
        outcome = await repo.apply_receipts(self.db, webhook_id, as_columns(batch.events), utcnow())
        return result_of(batch, outcome, webhook_id)


def result_of(batch: ReceiptBatch, outcome: repo.Applied, webhook_id: str | None) -> ReceiptResult:
    """The delivery's answer; Conflict for a replayed webhook-id (nothing was changed)."""
    if not outcome.first_delivery:
        raise Conflict(f"webhook-id {webhook_id} was already applied; nothing changed")
    return ReceiptResult(
        received=len(batch.events),
        applied=outcome.applied,
        duplicates=len(batch.events) - outcome.new,
        unmatched=outcome.new - outcome.applied,
    )


def as_columns(events: list[ReceiptIn]) -> repo.Events:
    """Each event_id once (its first occurrence in the batch), sorted by event_id."""
    first: dict[str, ReceiptIn] = {}
    for event in events:
        first.setdefault(event["event_id"], event)
    unique = [first[event_id] for event_id in sorted(first)]
    values = [e.get("value") for e in unique]
    return repo.Events(
        event_id=[e["event_id"] for e in unique],
        communication_id=[e["communication_id"] for e in unique],
        type=[e["type"] for e in unique],
        occurred_at=[e["occurred_at"] for e in unique],
        value_minor=[None if v is None else to_minor(v) for v in values],
        reason=[e.get("reason") for e in unique],
    )

from __future__ import annotations

from crm.errors import Conflict
from crm.messages.group_commit import GroupCommitter
from crm.messages.receipts import Applied, Delivery, Events
from crm.money import to_minor
from crm.webhooks.schemas import ReceiptBatch, ReceiptIn, ReceiptResult


class ReceiptService:
    """Applies receipt deliveries through a group committer (crm.messages.group_commit): the
    webhook endpoint's path, with the process's committer, and the one tests and benches call."""

    def __init__(self, committer: GroupCommitter) -> None:
        self.committer = committer

    async def ingest(self, batch: ReceiptBatch, webhook_id: str | None = None) -> ReceiptResult:
        """Stores the batch's new events and applies the matched ones, once the transaction holding
        them has committed. With a webhook_id, records the delivery too, and raises Conflict
        (nothing changed) if that id was applied before."""
        outcome = await self.committer.apply(Delivery(webhook_id, as_columns(batch.events)))
        return result_of(batch, outcome, webhook_id)


def result_of(batch: ReceiptBatch, outcome: Applied, webhook_id: str | None) -> ReceiptResult:
    """The delivery's answer; Conflict for a replayed webhook-id (nothing was changed)."""
    if not outcome.first_delivery:
        raise Conflict(f"webhook-id {webhook_id} was already applied; nothing changed")
    return ReceiptResult(
        received=len(batch.events),
        applied=outcome.applied,
        duplicates=len(batch.events) - outcome.new,
        unmatched=outcome.new - outcome.applied,
    )


def as_columns(events: list[ReceiptIn]) -> Events:
    """Each event_id once (its first occurrence in the batch), sorted by event_id."""
    first: dict[str, ReceiptIn] = {}
    for event in events:
        first.setdefault(event["event_id"], event)
    unique = [first[event_id] for event_id in sorted(first)]
    values = [e.get("value") for e in unique]
    return Events(
        event_id=[e["event_id"] for e in unique],
        communication_id=[e["communication_id"] for e in unique],
        type=[e["type"] for e in unique],
        occurred_at=[e["occurred_at"] for e in unique],
        value_minor=[None if v is None else to_minor(v) for v in values],
        reason=[e.get("reason") for e in unique],
    )

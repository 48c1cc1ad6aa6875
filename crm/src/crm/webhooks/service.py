from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.money import to_minor
from crm.webhooks import repository as repo
from crm.webhooks.schemas import ReceiptBatch, ReceiptResult


class ReceiptService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_delivery(self, webhook_id: str) -> bool:
        """Records the delivery's webhook-id in this transaction; false if it was applied before."""
        return await repo.record_delivery(self.session, webhook_id)

    async def ingest(self, batch: ReceiptBatch) -> ReceiptResult:
        """One transaction per batch: store new events, apply the matched ones."""
        unique = {e.event_id: e for e in reversed(batch.events)}  # first occurrence wins
        events = list(unique.values())
        known = await repo.known_communication_ids(self.session, sorted({e.communication_id for e in events}))
        now = utcnow()
        rows = [
            {
                "event_id": e.event_id,
                "communication_id": e.communication_id,
                "type": e.type,
                "occurred_at": e.occurred_at,
                "value_minor": to_minor(e.value) if e.value is not None else None,
                "reason": e.reason,
                "matched": e.communication_id in known,
                "received_at": now,
            }
            for e in events
        ]
        new_ids = await repo.insert_new_events(self.session, rows)
        to_apply = [r for r in rows if r["event_id"] in new_ids and r["matched"]]
        await repo.apply_events(self.session, to_apply)
        return ReceiptResult(
            received=len(batch.events),
            applied=len(to_apply),
            duplicates=len(batch.events) - len(new_ids),
            unmatched=sum(1 for r in rows if r["event_id"] in new_ids and not r["matched"]),
        )

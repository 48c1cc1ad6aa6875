"""Messages as the API shows them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm.errors import NotFound
from crm.messages import stats
from crm.messages.lifecycle import status_of, status_time
from crm.messages.schemas import CommunicationSummary
from crm.models import Communication, Customer
from crm.money import from_minor


class MessageService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def customer_history(self, customer_id: int, limit: int) -> list[CommunicationSummary]:
        """The customer's messages, newest first, each with its status."""
        if await self.session.get(Customer, customer_id) is None:
            raise NotFound(f"customer {customer_id} not found")
        rows = await stats.customer_communications(self.session, customer_id, limit)
        return [communication_summary(c) for c in rows]


def communication_summary(c: Communication) -> CommunicationSummary:
    status = status_of(c)
    return CommunicationSummary(
        communication_id=c.communication_id,
        campaign_id=c.campaign_id,
        sequence_id=c.sequence_id,
        channel=c.channel,
        status=status,
        status_at=status_time(c, status),
        due_at=c.due_at,
        dispatched_at=c.dispatched_at,
        sent_at=c.sent_at,
        delivered_at=c.delivered_at,
        opened_at=c.opened_at,
        read_at=c.read_at,
        clicked_at=c.clicked_at,
        converted_at=c.converted_at,
        failed_at=c.failed_at,
        failure_reason=c.failure_reason,
        revenue=from_minor(c.conversion_value_minor) if c.conversion_value_minor is not None else None,
    )

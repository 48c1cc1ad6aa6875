"""Helpers for receipt tests: a signed POST like the channel service makes, the endpoint's own
service path without HTTP, and a queued communication to receive events."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.config import DEV_WEBHOOK_SECRET
from crm.db import utcnow
from crm.messages.group_commit import GroupCommitter
from crm.models import Campaign, Communication, Customer, CustomerStats
from crm.signing import signed_headers
from crm.webhooks.schemas import ReceiptBatch, ReceiptResult
from crm.webhooks.service import ReceiptService


async def post_signed(
    client: httpx.AsyncClient, payload: Any, secret: str = DEV_WEBHOOK_SECRET, **header_overrides: str
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = signed_headers(secret, body) | header_overrides
    return await client.post("/api/webhooks/receipts", content=body, headers=headers)


async def ingest(session: AsyncSession, batch: ReceiptBatch, webhook_id: str | None = None) -> ReceiptResult:
    """The webhook endpoint's path after the signature check (ReceiptService through a group
    committer), its transaction a savepoint on the test session's connection, as the test app's is.
    The session's pending changes are flushed first, so the committer sees them."""
    await session.flush()
    maker = async_sessionmaker(
        bind=await session.connection(), expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    return await ReceiptService(GroupCommitter(maker)).ingest(batch, webhook_id)


async def make_communications(session: AsyncSession, n: int, channel: str = "whatsapp") -> list[Communication]:
    campaign = Campaign(uid=uuid.uuid4().hex, name="receipts", channel=channel, message_body="Hi", status="running")
    session.add(campaign)
    await session.flush()
    rows = []
    for i in range(n):
        person = Customer(external_id=f"rc-{uuid.uuid4().hex[:10]}-{i}", phone="+919800000000")
        session.add(person)
        await session.flush()
        session.add(CustomerStats(customer_id=person.id))
        row = Communication(
            communication_id=f"{campaign.uid}-{person.id}",
            campaign_id=campaign.id,
            customer_id=person.id,
            channel=channel,
            to_address="+919800000000",
            state="dispatched",
            due_at=utcnow(),
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    return rows

"""Per-customer message history with each message's lifecycle status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm.api_types import RowId
from crm.db import SessionDep
from crm.messages.schemas import CommunicationSummary
from crm.messages.service import MessageService

router = APIRouter(prefix="/api/customers", tags=["customers"])


@router.get("/{customer_id}/communications", response_model=list[CommunicationSummary])
async def customer_communications(
    customer_id: RowId, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[CommunicationSummary]:
    """The customer's messages, newest first, each with the furthest stage it reached."""
    return await MessageService(session).customer_history(customer_id, limit)

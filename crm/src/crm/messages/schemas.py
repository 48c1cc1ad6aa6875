"""A message as the API shows it: its queue state, lifecycle timestamps and status."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CommunicationSummary(BaseModel):
    communication_id: str
    campaign_id: int | None
    sequence_id: int | None
    channel: str
    status: str = Field(description="the furthest stage reached (crm.analytics.lifecycle), else the queue state")
    status_at: datetime = Field(description="when it reached that status (for a queue state: dispatched, else due)")
    due_at: datetime
    dispatched_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    read_at: datetime | None
    clicked_at: datetime | None
    converted_at: datetime | None
    failed_at: datetime | None
    failure_reason: str | None
    revenue: float | None

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Funnel(BaseModel):
    """Messages that reached at least each stage (crm.analytics.lifecycle): monotone per channel."""

    sent: int
    delivered: int
    opened: int
    read: int
    clicked: int
    converted: int
    failed: int


class Rates(BaseModel):
    delivery_rate: float = Field(description="delivered / sent")
    open_rate: float = Field(description="opened / delivered (email)")
    read_rate: float = Field(description="read / delivered (WhatsApp, RCS)")
    click_rate: float = Field(description="clicked / delivered")
    conversion_rate: float = Field(description="converted / delivered")


class QueueCounts(BaseModel):
    queued: int
    claimed: int
    dispatched: int
    failed: int


class ChannelStats(BaseModel):
    channel: str
    funnel: Funnel
    revenue: float


class TimePoint(BaseModel):
    at: datetime = Field(description="the bucket's start")
    counts: dict[str, int] = Field(
        description="messages that first reached each lifecycle stage in this bucket: each message once per "
        "stage, at its earliest receipt of that type, as the funnel counts them"
    )


class CampaignStats(BaseModel):
    campaign_id: int
    status: str
    audience: int
    suppressed: dict[str, int]
    queue: QueueCounts
    funnel: Funnel
    rates: Rates
    revenue: float
    revenue_per_message: float
    per_channel: list[ChannelStats]
    timeseries: list[TimePoint]
    bucket_seconds: int
    failure_reasons: dict[str, int]
    statuses: dict[str, int] = Field(
        description="communications per status, each counted once at its furthest stage "
        "(converted > clicked > read > opened > delivered > failed > sent, else its queue state)"
    )
    updated_at: datetime


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

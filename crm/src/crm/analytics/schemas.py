from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Funnel(BaseModel):
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
    at: datetime
    counts: dict[str, int]


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
    updated_at: datetime
